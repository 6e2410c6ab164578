import { runAdapterConformanceSuite } from './testing/index.ts';
import { createSimulatedAdapter } from './simulated-adapter.ts';
import { createVirtualClock } from './simulated-clock.ts';

// The simulator is in process by design (it is the embedded default and must work without any
// network), so `createAdapter` ignores the server: the suite's model name becomes the simulator's
// `behaviour`, and the same fault vocabulary must produce the same observable results.
runAdapterConformanceSuite({
  name: 'simulated',
  transport: 'in-process',
  supports: { tools: true, jsonMode: true },
  createAdapter: ({ model }) =>
    createSimulatedAdapter({
      providerModel: model,
      behaviour: model,
      clock: createVirtualClock(),
    }),
});
