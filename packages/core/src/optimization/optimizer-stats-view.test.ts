import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../selection/seeded-random.ts';
import { testModel, testSnapshot } from '../selection/testing/test-registry.ts';
import { createOptimizerState } from './optimizer-state.ts';
import { statsView } from './optimizer-stats-view.ts';
import { recordOutcome } from './record-outcome.ts';
import { recordQuality } from './record-quality.ts';

const snapshot = testSnapshot({
  models: [
    testModel('known', {
      qualityPriors: { default: 0.6, byTask: { narrative_generation: 0.9 } },
      latencyPriors: { timeToFirstTokenP50Ms: 400, timeToFirstTokenP95Ms: 1_200, outputTokensPerSecond: 80 },
    }),
  ],
});
const hour = 3_600_000;

describe('statsView', () => {
  it('reads the registry priors for pairs nothing was recorded for', () => {
    const view = statsView(createOptimizerState(), snapshot, 0);
    expect(view.statsOf('known', 'narrative_generation')).toEqual({
      qualityMean: 0.9,
      qualityObservations: 4,
      timeToFirstTokenP50Ms: 400,
      timeToFirstTokenP95Ms: 1_200,
      outputTokensPerSecond: 80,
      errorRate: 0,
    });
    expect(view.statsOf('known', 'dialogue_generation').qualityMean).toBe(0.6);
  });

  it('refuses a model the snapshot does not hold, as the priors view does', () => {
    expect(() => statsView(createOptimizerState(), snapshot, 0).statsOf('ghost', 'general_chat')).toThrow(
      /build the stats view from the snapshot you select against/,
    );
  });

  it('combines the prior and the evidence into one Beta posterior', () => {
    const state = createOptimizerState();
    for (let index = 0; index < 6; index++) {
      recordQuality(state, {
        modelId: 'known',
        taskType: 'dialogue_generation',
        now: 0,
        signal: { type: 'feedback', score: 1 },
      });
    }
    const stats = statsView(state, snapshot, 0).statsOf('known', 'dialogue_generation');
    // Prior 0.6 worth 4: Beta(2.4, 1.6), plus 6 successes: Beta(8.4, 1.6).
    expect(stats.qualityMean).toBeCloseTo(0.84, 12);
    expect(stats.qualityObservations).toBeCloseTo(10, 12);
  });

  it('grows less sure of an unused model, but no more optimistic about it', () => {
    const state = createOptimizerState();
    for (let index = 0; index < 40; index++) {
      recordQuality(state, {
        modelId: 'known',
        taskType: 'dialogue_generation',
        now: 0,
        signal: { type: 'regenerated' },
      });
    }
    const now = statsView(state, snapshot, 0).statsOf('known', 'dialogue_generation');
    const later = statsView(state, snapshot, 3 * hour).statsOf('known', 'dialogue_generation');
    expect(later.qualityMean).toBe(now.qualityMean);
    expect(now.qualityObservations).toBeCloseTo(34, 9);
    expect(later.qualityObservations).toBeCloseTo(4 + 30 / 8, 9);
  });

  it('notices within minutes when a model’s answers get worse, instead of waiting out an hour of praise', () => {
    const state = createOptimizerState();
    const minute = 60_000;
    const rate = (now: number, score: number) =>
      recordQuality(state, {
        modelId: 'known',
        taskType: 'dialogue_generation',
        now,
        signal: { type: 'feedback', score },
      });
    // An hour of steady praise (scores 0.8 and 1 in turn), one answer every 20 seconds.
    for (let now = 0; now < hour; now += 20_000) rate(now, now % 40_000 === 0 ? 0.8 : 1);
    const before = statsView(state, snapshot, hour).statsOf('known', 'dialogue_generation');
    expect(before.qualityMean).toBeGreaterThan(0.85);
    // The provider swaps the model: ten minutes of poor answers.
    for (let now = hour; now < hour + 10 * minute; now += 20_000) rate(now, 0.3);
    const after = statsView(state, snapshot, hour + 10 * minute).statsOf('known', 'dialogue_generation');
    // The long memory alone would still say about 0.8; the recent evidence says what changed.
    expect(after.qualityMean).toBeLessThan(0.65);
    // And it is judged on the recent evidence only, so it is held less surely than before.
    expect(after.qualityObservations).toBeLessThan(before.qualityObservations / 2);
  });

  it('notices a change sooner from all of a model’s tasks together than from any one of them', () => {
    const tasks = ['dialogue_generation', 'narrative_generation', 'safety_screening'] as const;
    const everyTask = createOptimizerState();
    const oneTask = createOptimizerState();
    const swapped = hour;
    const end = swapped + 5 * 60_000;
    // An hour of praise on three tasks, one answer per task every 30 seconds, then five minutes of
    // poor answers on all three: the provider swapped the deployment behind the name.
    for (let now = 0; now < end; now += 30_000) {
      tasks.forEach((taskType, index) => {
        const score = now >= swapped ? 0.4 : (now / 30_000 + index) % 2 === 0 ? 0.8 : 1;
        const observation = { modelId: 'known', taskType, now, signal: { type: 'feedback', score } } as const;
        recordQuality(everyTask, observation);
        if (index === 0) recordQuality(oneTask, observation);
      });
    }
    const dialogue = (state: typeof everyTask) =>
      statsView(state, snapshot, end).statsOf('known', 'dialogue_generation').qualityMean;
    // Dialogue's own evidence is still too little to call it (the long memory says about 0.84) ...
    expect(dialogue(oneTask)).toBeGreaterThan(0.82);
    // ... but with the other two tasks' evidence, the change is called on every task.
    expect(dialogue(everyTask)).toBeLessThan(0.76);
    for (const taskType of tasks) {
      // Each from what it believed before (praise: about 0.9) moved by the shift, and its recent evidence.
      expect(statsView(everyTask, snapshot, end).statsOf('known', taskType).qualityMean).toBeLessThan(0.78);
    }
  });

  it('after a change seen on a model’s other tasks, believes a quiet task worse, not back at the registry’s guess', () => {
    const state = createOptimizerState();
    const minute = 60_000;
    const swapped = hour;
    const end = swapped + 10 * minute;
    type Task = 'dialogue_generation' | 'safety_screening' | 'narrative_generation';
    const rate = (taskType: Task, now: number, score: number) =>
      recordQuality(state, { modelId: 'known', taskType, now, signal: { type: 'feedback', score } });
    const rateOthers = (from: number, to: number, score: (now: number) => number) => {
      for (let now = from; now < to; now += 20_000) {
        rate('dialogue_generation', now, score(now));
        rate('safety_screening', now, score(now));
      }
    };
    // Narration: the registry guesses 0.9, but its first half hour of ratings say about 0.6; then
    // the game stops asking this model for narration.
    for (let now = 0; now < hour / 2; now += 20_000)
      rate('narrative_generation', now, now % 40_000 === 0 ? 0.5 : 0.7);
    // Dialogue and screening: an hour of praise ...
    rateOthers(0, swapped, (now) => (now % 40_000 === 0 ? 0.8 : 1));
    const narration = (at: number) => statsView(state, snapshot, at).statsOf('known', 'narrative_generation');
    const summaries = (at: number) => statsView(state, snapshot, at).statsOf('known', 'summarization');
    const before = narration(swapped);
    expect(before.qualityMean).toBeLessThan(0.66);
    expect(summaries(swapped).qualityMean).toBe(0.6);
    // ... then ten minutes of poor answers: the provider swapped the deployment behind the name.
    rateOthers(swapped, end, () => 0.3);
    // The swap is called from the other tasks, and narration, whose own evidence is quiet and old,
    // moves with them. Rebuilt from the registry's guess it would read about 0.9 and hand the
    // swapped model narration again.
    const after = narration(end).qualityMean;
    expect(after).toBeLessThan(before.qualityMean - 0.1);
    expect(after).toBeLessThan(0.5);
    // A task never used moves with the model too, from its prior.
    expect(summaries(end).qualityMean).toBeLessThan(0.45);
  });

  it('rarely mistakes the ups and downs of a steady model for a change', () => {
    const state = createOptimizerState();
    const random = createSeededRandom(7);
    const tasks = ['dialogue_generation', 'safety_screening'] as const;
    // Four hours of thumbs up (seven in ten) or down on two tasks, one every 10 seconds: noisy,
    // but the same model throughout.
    let changedReads = 0;
    let reads = 0;
    for (let index = 0; index < 1_440; index++) {
      const now = index * 10_000;
      for (const taskType of tasks) {
        const score = random.next() < 0.7 ? 1 : 0;
        recordQuality(state, { modelId: 'known', taskType, now, signal: { type: 'feedback', score } });
      }
      if (index < 360) continue;
      reads++;
      // Judged on the short memory alone, it would be held by far fewer observations.
      if (statsView(state, snapshot, now).statsOf('known', 'dialogue_generation').qualityObservations < 150)
        changedReads++;
    }
    expect(changedReads / reads).toBeLessThan(0.03);
  });

  it('notices a drop told only by what players did next, not only by their ratings', () => {
    const state = createOptimizerState();
    const minute = 60_000;
    // What players did after each answer, in a repeating pattern of 100 answers: mostly carrying
    // on, with a few rewrites and scenes left.
    const reactions = (rewrites: number, leaves: number) => (index: number) => {
      const place = index % 100;
      if (place < rewrites) return { type: 'regenerated' } as const;
      if (place < rewrites + leaves) return { type: 'abandoned' } as const;
      return { type: 'continued' } as const;
    };
    const good = reactions(1, 3);
    const poor = reactions(9, 5);
    const react = (now: number, signal: ReturnType<typeof good>) =>
      recordQuality(state, { modelId: 'known', taskType: 'dialogue_generation', now, signal });
    // An hour of a good model, one answer every 5 seconds.
    let index = 0;
    for (let now = 0; now < hour; now += 5_000) react(now, good(index++));
    const before = statsView(state, snapshot, hour).statsOf('known', 'dialogue_generation');
    // The provider swaps the model: ten minutes in which players rewrite nine answers in a
    // hundred instead of one. Read as independent observations, the quarter-weight `continued`
    // signals looked four times noisier than they are and such a drop was never called.
    for (let now = hour; now < hour + 10 * minute; now += 5_000) react(now, poor(index++));
    const after = statsView(state, snapshot, hour + 10 * minute).statsOf('known', 'dialogue_generation');
    expect(after.qualityObservations).toBeLessThan(before.qualityObservations / 2);
    expect(after.qualityMean).toBeLessThan(before.qualityMean - 0.1);
  });

  it('rarely mistakes the ups and downs of players’ reactions to a steady model for a change', () => {
    const state = createOptimizerState();
    const random = createSeededRandom(11);
    let changedReads = 0;
    let reads = 0;
    // Four hours of one model, an answer every 5 seconds; players rewrite 5 % of its answers,
    // leave after 4 %, rate one in eight (a score around 0.8) and carry on otherwise.
    for (let index = 0; index < 2_880; index++) {
      const now = index * 5_000;
      const draw = random.next();
      const signal =
        draw < 0.125
          ? ({
              type: 'feedback',
              score: Math.min(1, Math.max(0, 0.8 + 0.3 * (random.next() - 0.5))),
            } as const)
          : draw < 0.175
            ? ({ type: 'regenerated' } as const)
            : draw < 0.215
              ? ({ type: 'abandoned' } as const)
              : ({ type: 'continued' } as const);
      recordQuality(state, { modelId: 'known', taskType: 'dialogue_generation', now, signal });
      if (index < 720) continue;
      reads++;
      // Judged on the short memory alone, it would be held by far fewer observations.
      if (statsView(state, snapshot, now).statsOf('known', 'dialogue_generation').qualityObservations < 100)
        changedReads++;
    }
    expect(changedReads / reads).toBeLessThan(0.03);
  });

  it('learns the median first-token time from a few answers but the tail only from dozens', () => {
    const state = createOptimizerState();
    const answer = (now: number, firstToken: number) =>
      recordOutcome(state, {
        modelId: 'known',
        taskType: 'general_chat',
        now,
        ok: true,
        timeToFirstTokenMs: firstToken,
        totalMs: firstToken + 1_000,
        outputTokens: 100,
      });
    for (const firstToken of [800, 800, 800, 800, 800, 800, 800, 800, 800, 5_000]) answer(0, firstToken);
    const few = statsView(state, snapshot, 0).statsOf('known', 'general_chat');
    // Median: (400 × 4 + ~800 × 10) ÷ 14; the lone slow answer barely moves the prior's tail ratio of 3.
    expect(few.timeToFirstTokenP50Ms).toBeGreaterThan(650);
    expect(few.timeToFirstTokenP50Ms).toBeLessThan(720);
    expect(few.timeToFirstTokenP95Ms / few.timeToFirstTokenP50Ms).toBeLessThan(4.8);
    expect(few.outputTokensPerSecond).toBeCloseTo((80 * 4 + 100 * 10) / 14, 6);
    for (let index = 0; index < 200; index++) answer(0, index % 20 === 19 ? 4_000 : 800);
    const many = statsView(state, snapshot, 0).statsOf('known', 'general_chat');
    expect(many.timeToFirstTokenP95Ms).toBeGreaterThan(2_500);
  });
});
