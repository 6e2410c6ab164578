import { defaultRegistrySnapshot } from '../src/registry/default-registry.ts';
import { statsView } from '../src/optimization/index.ts';
import { optimiserStrategy, utilities } from './routing-strategies.ts';
import { RoutingWorld } from './routing-world.ts';
const task = (process.env.TASK ?? 'safety_screening') as 'safety_screening';
const world = new RoutingWorld({ snapshot: defaultRegistrySnapshot(), requests: 5000, seed: 20_250_101, meanGapMs: 1000,
  degradation: { modelId: 'anthropic/claude-haiku-4-5', fromRequest: 2500, qualityDrop: 0.3, latencyFactor: 1.5, extraFailureRate: 0.03 } });
const opt = optimiserStrategy(world);
let picks: string[] = [];
for (const r of world.requests) {
  const a = opt.choose(r); opt.observe(r, a.modelId, world.call(a.modelId, r));
  if (r.context.taskType === task && r.index >= 2000) picks.push(a.modelId);
  if (r.index >= 2000 && r.index % 250 === 0) {
    const v = statsView(opt.state, world.snapshot, r.at);
    const fmt = (m: string) => { const s = v.statsOf(m, task); return `${m.split('/').pop()} q${s.qualityMean.toFixed(3)}/${s.qualityObservations.toFixed(0)} p95 ${s.timeToFirstTokenP95Ms.toFixed(0)} err ${s.errorRate.toFixed(3)}`; };
    const counts = new Map<string, number>(); for (const p of picks) counts.set(p, (counts.get(p) ?? 0) + 1); picks = [];
    const rows = utilities(world, r);
    console.log(r.index, [...counts].map(([k, c]) => `${k.split('/').pop()}:${c}`).join(' '));
    console.log('   ', fmt('anthropic/claude-haiku-4-5'), '|', fmt('openai/gpt-4o-mini'), '|', fmt('sim/safety-tuned'));
  }
}
