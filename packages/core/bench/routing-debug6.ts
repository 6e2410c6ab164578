import { defaultRegistrySnapshot } from '../src/registry/default-registry.ts';
import { optimiserStrategy } from './routing-strategies.ts';
import { RoutingWorld } from './routing-world.ts';
const world = new RoutingWorld({ snapshot: defaultRegistrySnapshot(), requests: 5000, seed: 20_250_101, meanGapMs: 1000,
  degradation: { modelId: 'anthropic/claude-haiku-4-5', fromRequest: 2500, qualityDrop: 0.3, latencyFactor: Number(process.env.LF ?? 1.5), extraFailureRate: Number(process.env.EF ?? 0.03) } });
const opt = optimiserStrategy(world); let line = '';
for (const r of world.requests) {
  const a = opt.choose(r); opt.observe(r, a.modelId, world.call(a.modelId, r));
  if (r.index >= 2300 && r.context.taskType === 'safety_screening') line += a.modelId === 'anthropic/claude-haiku-4-5' ? 'H' : a.modelId.includes('mini') ? 'm' : '.';
  if (r.index === 2499) line += ' | ';
}
console.log(line);
