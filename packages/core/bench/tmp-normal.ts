import { createSeededRandom } from '../src/selection/seeded-random.ts';
import { sampleBeta, sampleQualityPosterior } from '../src/selection/beta-sample.ts';
const r = createSeededRandom(42);
const n = 2_000_000; let s1 = 0, s2 = 0, s3 = 0, s4 = 0; const bins = new Float64Array(8);
for (let i = 0; i < n; i++) { const x = r.nextNormal(); s1 += x; s2 += x * x; s3 += x * x * x; s4 += x ** 4; if (Math.abs(x) > 3) bins[0]++; if (Math.abs(x) < 1) bins[1]++; if (Math.abs(x) > 4) bins[2]++; }
console.log('mean', s1 / n, 'var', s2 / n, 'skew', s3 / n, 'kurt', s4 / n, 'P|x|>3', bins[0] / n, '(0.0027)', 'P|x|<1', bins[1] / n, '(0.6827)', 'P|x|>4', bins[2]/n, '(6.3e-5)');
let b = 0, b2 = 0; for (let i = 0; i < n; i++) { const x = sampleBeta(r, 2.8, 1.2); b += x; b2 += x * x; }
console.log('beta(2.8,1.2) mean', b / n, '(0.7) var', b2 / n - (b / n) ** 2, '(', (2.8 * 1.2) / (16 * 5), ')');
b = 0; b2 = 0; for (let i = 0; i < n; i++) { const x = sampleBeta(r, 0.4, 3.6); b += x; b2 += x * x; }
console.log('beta(0.4,3.6) mean', b / n, '(0.1) var', b2 / n - (b / n) ** 2, '(', (0.4 * 3.6) / (16 * 5), ')');
const means = Array.from({ length: 168 }, (_, i) => 0.3 + (i % 65) / 100);
let s = 0; const t0 = process.hrtime.bigint(); for (let k = 0; k < 20000; k++) for (const m of means) s += sampleQualityPosterior(r, m, 4);
console.log('168 beta draws', Number(process.hrtime.bigint() - t0) / 20000 / 1000, 'us', s > 0);
