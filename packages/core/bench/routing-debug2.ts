import { defaultRegistrySnapshot, defaultRegistryContent, buildRegistrySnapshot } from '../src/registry/index.ts';
import { informedSelectStrategy, utilities, bestQualityStrategy } from './routing-strategies.ts';
import { RoutingWorld } from './routing-world.ts';
for (const rate of [undefined, 0, 0.02]) {
  const content = defaultRegistryContent();
  if (rate !== undefined) for (const p of content.policies) p.explorationRate = rate;
  const snapshot = buildRegistrySnapshot(content, { version: 1, createdAt: 'x' });
  const world = new RoutingWorld({ snapshot, requests: 5000, seed: 20_250_101, meanGapMs: 1000,
    degradation: { modelId: 'anthropic/claude-haiku-4-5', fromRequest: 2500, qualityDrop: 0.3, latencyFactor: 1.5, extraFailureRate: 0.03 } });
  const inf = informedSelectStrategy(world); const bq = bestQualityStrategy(world);
  let u = 0, uo = 0, q = 0, qb = 0, qo = 0;
  for (const r of world.requests) {
    const rows = utilities(world, r); const map = new Map(rows.map((x) => [x.modelId, x]));
    const best = rows.reduce((a, b) => (b.utility > a.utility ? b : a));
    const m = inf.choose(r).modelId; u += map.get(m)!.utility; uo += best.utility; q += map.get(m)!.quality; qo += best.quality;
    qb += map.get(bq.choose(r).modelId)!.quality;
  }
  console.log('rate', rate, 'informed util', (u / uo).toFixed(3), 'quality vs bq', (q / qb).toFixed(3), 'oracle quality vs bq', (qo / qb).toFixed(3));
}
