import { defaultRegistrySnapshot } from '../src/registry/default-registry.ts';
import { createOptimizerState, recordOutcome, recordQuality, statsView } from '../src/optimization/index.ts';
import { allHealthy, select, type StatsView } from '../src/selection/index.ts';
import { utilities, bestQualityStrategy } from './routing-strategies.ts';
import { RoutingWorld } from './routing-world.ts';
const world = new RoutingWorld({ snapshot: defaultRegistrySnapshot(), requests: 5000, seed: 20_250_101, meanGapMs: Number(process.env.GAP ?? 1000),
  degradation: { modelId: 'anthropic/claude-haiku-4-5', fromRequest: 2500, qualityDrop: 0.3, latencyFactor: 1.5, extraFailureRate: 0.03 } });
function run(label: string, halfLives: object, wrap: (v: StatsView) => StatsView, signalMode: 'normal' | 'none' | 'truth', feedbackRepeat = 1) {
  const state = createOptimizerState({ halfLives });
  const bq = bestQualityStrategy(world);
  let u = 0, uo = 0, q = 0, qb = 0, cost = 0, costb = 0;
  for (const r of world.requests) {
    const rows = new Map(utilities(world, r).map((row) => [row.modelId, row]));
    const best = Math.max(...[...rows.values()].map((x) => x.utility));
    const view = wrap(statsView(state, world.snapshot, r.at));
    const d = select({ context: r.context, request: r.request, snapshot: world.snapshot, health: allHealthy, stats: view, seed: r.index });
    const m = d.candidates[0]!.modelId;
    const o = world.call(m, r);
    const now = r.at + Math.round(o.totalMs);
    recordOutcome(state, { modelId: m, taskType: r.context.taskType, now, ok: o.ok, errorKind: o.errorKind, timeToFirstTokenMs: o.timeToFirstTokenMs, totalMs: o.ok ? o.totalMs : undefined, outputTokens: o.ok ? o.outputTokens : undefined });
    if (o.signal && signalMode === 'normal') for (let k = 0; k < (o.signal.type === 'feedback' ? feedbackRepeat : 1); k++) recordQuality(state, { modelId: m, taskType: r.context.taskType, now, signal: o.signal });
    if (o.ok && signalMode === 'truth') recordQuality(state, { modelId: m, taskType: r.context.taskType, now, signal: { type: 'feedback', score: world.truthOf(m, r.context.taskType, r.index).quality } });
    u += rows.get(m)!.utility; uo += best; q += rows.get(m)!.quality; cost += o.costMicros;
    const b = bq.choose(r).modelId; qb += rows.get(b)!.quality; costb += world.call(b, r).costMicros;
  }
  console.log(label.padEnd(40), 'util', (u / uo).toFixed(3), 'quality', (q / qb).toFixed(3), 'cost', (cost / costb).toFixed(3));
}
const id = (v: StatsView) => v;
const narrow = (k: number) => (v: StatsView): StatsView => ({ statsOf: (m, t) => { const s = v.statsOf(m, t); return { ...s, qualityObservations: s.qualityObservations * k }; } });
run('default', {}, id, 'normal');
run('obs x4', {}, narrow(4), 'normal');
