import type { SimulatedTextStyle } from './simulated-text.ts';

/** The names of the simulated models the embedded default registry offers. */
export type SimulatedProfileName = 'fast-small' | 'creative-large' | 'safety-tuned' | 'local';

/**
 * A simulated model's character: how fast it answers and how much it writes. Latencies are
 * plausible figures for the kind of model each name stands for, so selection and hedging behave in
 * a demo as they would against real providers.
 */
export interface SimulatedProfile {
  /** The provider model name the profile answers to. */
  providerModel: SimulatedProfileName;
  /** What kind of real model it imitates. */
  description: string;
  /** Median time to first token, ms. */
  timeToFirstTokenMs: number;
  /** 95th percentile time to first token, ms: the spread of the simulated latency. */
  timeToFirstTokenP95Ms: number;
  /** Output speed once streaming. */
  outputTokensPerSecond: number;
  /** How many sentences it writes. */
  style: SimulatedTextStyle;
}

/** The four simulated models of the embedded default. */
export const simulatedProfiles: Readonly<Record<SimulatedProfileName, SimulatedProfile>> = Object.freeze({
  'fast-small': {
    providerModel: 'fast-small',
    description: 'a small hosted model: quick, terse',
    timeToFirstTokenMs: 150,
    timeToFirstTokenP95Ms: 400,
    outputTokensPerSecond: 120,
    style: { minSentences: 2, maxSentences: 3 },
  },
  'creative-large': {
    providerModel: 'creative-large',
    description: 'a large frontier model: slow to start, rich prose',
    timeToFirstTokenMs: 700,
    timeToFirstTokenP95Ms: 1800,
    outputTokensPerSecond: 40,
    style: { minSentences: 4, maxSentences: 6 },
  },
  'safety-tuned': {
    providerModel: 'safety-tuned',
    description: 'a model tuned for mental-health conversations: careful, measured',
    timeToFirstTokenMs: 350,
    timeToFirstTokenP95Ms: 900,
    outputTokensPerSecond: 60,
    style: { minSentences: 3, maxSentences: 4 },
  },
  local: {
    providerModel: 'local',
    description: 'a model on the studio’s own hardware: private, slower output',
    timeToFirstTokenMs: 250,
    timeToFirstTokenP95Ms: 600,
    outputTokensPerSecond: 30,
    style: { minSentences: 2, maxSentences: 4 },
  },
});

/** True when `name` is one of the four profiles. */
export function isSimulatedProfileName(name: string): name is SimulatedProfileName {
  return Object.hasOwn(simulatedProfiles, name);
}
