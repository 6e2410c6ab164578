import { defaultRegistrySnapshot } from '../src/registry/default-registry.ts';
import { optimiserStrategy, informedSelectStrategy, utilities } from './routing-strategies.ts';
import { RoutingWorld } from './routing-world.ts';
const world = new RoutingWorld({ snapshot: defaultRegistrySnapshot(), requests: 5000, seed: 20_250_101, meanGapMs: 1000,
  degradation: { modelId: 'anthropic/claude-haiku-4-5', fromRequest: 2500, qualityDrop: 0.3, latencyFactor: 1.5, extraFailureRate: 0.03 } });
const opt = optimiserStrategy(world); const inf = informedSelectStrategy(world);
const seg = (i: number) => (i < 1000 ? 0 : i < 2500 ? 1 : i < 3500 ? 2 : 3);
const reg = [0, 0, 0, 0], regInf = [0, 0, 0, 0], n = [0, 0, 0, 0], expl = [0, 0, 0, 0], regExpl = [0, 0, 0, 0];
const perTask = new Map<string, number[]>();
for (const r of world.requests) {
  const rows = new Map(utilities(world, r).map((row) => [row.modelId, row.utility]));
  const best = Math.max(...rows.values());
  const a = opt.choose(r); opt.observe(r, a.modelId, world.call(a.modelId, r));
  const c = inf.choose(r);
  const s = seg(r.index); n[s]++; reg[s] += best - rows.get(a.modelId)!; regInf[s] += best - rows.get(c.modelId)!;
  if (a.explored) { expl[s]++; regExpl[s] += best - rows.get(a.modelId)!; }
  const t = perTask.get(r.context.taskType) ?? [0, 0, 0, 0]; t[s] += best - rows.get(a.modelId)!; perTask.set(r.context.taskType, t);
}
console.log('segments 0-1k,1k-2.5k,2.5k-3.5k,3.5k-5k');
console.log('opt regret/req', reg.map((x, i) => (x / n[i]!).toFixed(3)).join(' '));
console.log('inf regret/req', regInf.map((x, i) => (x / n[i]!).toFixed(3)).join(' '));
console.log('opt explored regret share', regExpl.map((x, i) => (x / reg[i]!).toFixed(2)).join(' '), 'explored', expl.join(' '));
for (const [t, v] of perTask) console.log(t.padEnd(24), v.map((x) => x.toFixed(1)).join(' '));
