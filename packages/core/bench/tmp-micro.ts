import { createSeededRandom } from '../src/selection/seeded-random.ts';
import { sampleQualityPosterior } from '../src/selection/beta-sample.ts';
import { formatDollars, formatDuration, formatCount } from '../src/selection/selection-format.ts';
const r = createSeededRandom(1);
const means = Array.from({ length: 168 }, (_, i) => 0.3 + (i % 65) / 100);
function time(label: string, fn: () => number, reps = 20000) {
  let s = 0; for (let i = 0; i < 2000; i++) s += fn();
  const t0 = process.hrtime.bigint(); for (let i = 0; i < reps; i++) s += fn(); const t1 = process.hrtime.bigint();
  console.log(label, (Number(t1 - t0) / reps / 1000).toFixed(2), 'us', s > -1 ? '' : 'x');
}
time('168 beta draws', () => { let s = 0; for (const m of means) s += sampleQualityPosterior(r, m, 4); return s; });
time('168 normals', () => { let s = 0; for (const m of means) s += r.nextNormal(); return s; });
time('168 uniforms', () => { let s = 0; for (const m of means) s += r.next(); return s; });
time('168 logs', () => { let s = 0; for (const m of means) s += Math.log(m + r.next()); return s; });
time('168 formatDollars', () => { let s = 0; for (let i = 0; i < 168; i++) s += formatDollars(1234 + i * 37).length; return s; });
time('168 formatDuration', () => { let s = 0; for (let i = 0; i < 168; i++) s += formatDuration(1234.5 + i * 37).length; return s; });
time('168 formatCount', () => { let s = 0; for (let i = 0; i < 168; i++) s += formatCount(1234 + i * 37).length; return s; });
time('168 template', () => { let s = 0; for (let i = 0; i < 168; i++) s += `expected ${i} (first ${i * 2} at p95 + ${i} tokens at ${i} tokens/s) exceeds the x budget`.length; return s; });
