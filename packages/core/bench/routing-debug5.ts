import { defaultRegistrySnapshot } from '../src/registry/default-registry.ts';
import { createOptimizerState } from '../src/optimization/index.ts';
import { optimiserStrategy, utilities } from './routing-strategies.ts';
import { RoutingWorld } from './routing-world.ts';
const combos = JSON.parse(process.env.COMBOS ?? '[[30,15,5]]') as number[][];
const seeds = [20_250_101, 1, 2];
const worlds = seeds.map((seed) => new RoutingWorld({ snapshot: defaultRegistrySnapshot(), requests: 5000, seed, meanGapMs: 1000,
  degradation: { modelId: 'anthropic/claude-haiku-4-5', fromRequest: 2500, qualityDrop: 0.3, latencyFactor: 1.5, extraFailureRate: 0.03 } }));
for (const [q, l, r] of combos) {
  const out: string[] = [];
  for (const world of worlds) {
    const opt = optimiserStrategy(world, createOptimizerState({ halfLives: { qualityMs: q! * 60000, latencyMs: l! * 60000, reliabilityMs: r! * 60000 } }));
    let u = 0, uo = 0; const picks: string[] = [];
    for (const req of world.requests) {
      const rows = new Map(utilities(world, req).map((x) => [x.modelId, x.utility]));
      const a = opt.choose(req); opt.observe(req, a.modelId, world.call(a.modelId, req));
      u += rows.get(a.modelId)!; uo += Math.max(...rows.values()); picks[req.index] = a.modelId;
    }
    // relearn
    const { modelId, fromRequest } = world.degradation;
    const counts = new Map<string, [number, number]>();
    for (const req of world.requests.slice(fromRequest - 1000, fromRequest)) { const e = counts.get(req.context.taskType) ?? [0, 0]; e[1]++; if (picks[req.index] === modelId) e[0]++; counts.set(req.context.taskType, e); }
    const [task, e] = [...counts].sort((a, b) => b[1][0] - a[1][0])[0]!;
    const window: boolean[] = []; let rl: number | string = 'never';
    for (const req of world.requests.filter((x) => x.index >= fromRequest && x.context.taskType === task)) {
      window.push(picks[req.index] === modelId); if (window.length > 10) window.shift();
      if (window.length === 10 && window.filter(Boolean).length <= 5) { rl = req.index - fromRequest + 1; break; }
    }
    out.push(`u ${(u / uo).toFixed(3)} rl ${rl} (${task.slice(0, 6)} ${(e[0] / e[1]).toFixed(2)})`);
  }
  console.log(`${q}/${l}/${r}`.padEnd(10), out.join(' | '));
}
