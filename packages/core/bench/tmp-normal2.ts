import { createSeededRandom } from '../src/selection/seeded-random.ts';
import { sampleGamma } from '../src/selection/beta-sample.ts';
const r = createSeededRandom(42);
function time(label: string, fn: () => number) { let s = 0; for (let i = 0; i < 1e6; i++) s += fn(); const t0 = process.hrtime.bigint(); for (let i = 0; i < 5e6; i++) s += fn(); console.log(label, (Number(process.hrtime.bigint() - t0) / 5e6).toFixed(1), 'ns', s > -1e300); }
for (let k = 0; k < 2; k++) {
time('uniform', () => r.next());
time('normal', () => r.nextNormal());
time('gamma 2.8', () => sampleGamma(r, 2.8));
time('gamma 1.2', () => sampleGamma(r, 1.2));
time('gamma 0.4', () => sampleGamma(r, 0.4));
time('pow', () => Math.pow(r.next(), 2.5));
time('log', () => Math.log(r.next() + 1));
}
time('exp(log/a)', () => Math.exp(Math.log(r.next()) / 0.4));
time('exp', () => Math.exp(-r.next() * 3));
time('pow int', () => Math.pow(r.next(), 2));
time('pow 2.5', () => r.next() ** 2.5);
