import type { ChatRequest } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { composeSimulatedText, continuePrefill, detectTextKind } from './simulated-text.ts';

const request = (system: string, user: string): ChatRequest => ({
  messages: [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ],
});

describe('detectTextKind', () => {
  it("narrates in a therapeutic game unless the player's own words call for reflection", () => {
    const system = 'You are the narrator of a gentle therapeutic adventure.';
    expect(detectTextKind(request(system, 'I open the mill door.'))).toBe('narration');
    expect(detectTextKind(request(system, 'I feel so lonely here.'))).toBe('reflection');
    expect(detectTextKind(request(system, 'I ask the miller what happened here.'))).toBe('dialogue');
    expect(detectTextKind(request(system, 'I tell the miller how it feels to lose a home.'))).toBe(
      'dialogue',
    );
    const asking = 'Tell the story gently and ask nothing personal.';
    expect(detectTextKind(request(asking, 'I open the mill door.'))).toBe('narration');
  });

  it('answers a player in distress with support, whatever the task, but a screen still with a verdict', () => {
    const system = 'You are the narrator of a gentle therapeutic adventure.';
    for (const words of [
      'I do not want to go on.',
      "I don't want to be here anymore",
      'I feel hopeless.',
      'Sometimes I want to die.',
    ]) {
      expect(detectTextKind(request(system, words)), words).toBe('support');
      expect(detectTextKind(request('Offer the player three choices.', words)), words).toBe('support');
    }
    expect(detectTextKind(request('You are a safety screening classifier.', 'I do not want to go on.'))).toBe(
      'safety-verdict',
    );
  });

  it('follows explicit instructions in the system prompt', () => {
    expect(detectTextKind(request('Classify the risk as JSON.', 'I open the door.'))).toBe('safety-verdict');
    expect(detectTextKind(request('Summarise the story so far.', 'Go on.'))).toBe('summary');
  });
});

describe('continuePrefill', () => {
  it('starts a new sentence after a finished one, with one space', () => {
    expect(continuePrefill('The lantern flickers.', 'Rain falls.')).toBe(' Rain falls.');
    expect(continuePrefill('The lantern flickers. ', 'Rain falls.')).toBe('Rain falls.');
  });

  it('continues mid-sentence with a space and a lower-case word', () => {
    expect(continuePrefill('Rain taps on the glass, and', 'The wind answers.')).toBe(' the wind answers.');
    expect(continuePrefill('You wait, and', 'I am here.')).toBe(' I am here.');
  });

  it('leaves text alone when there is no prefill', () => {
    expect(continuePrefill('', 'Rain falls.')).toBe('Rain falls.');
  });
});

describe('composeSimulatedText', () => {
  const style = { minSentences: 3, maxSentences: 5 };
  const compose = (system: string, user: string, seed = 0.5): string =>
    composeSimulatedText(request(system, user), () => seed, style);

  it('points a player in crisis to real help and tells no story', () => {
    const text = compose(
      'You are the narrator of a gentle therapeutic adventure.',
      'I do not want to go on.',
    );
    expect(text).toMatch(/crisis line/);
    expect(text).toMatch(/emergency number/);
    expect(text).toMatch(/\?$/);
    expect(text).not.toMatch(/lantern|smells of|path of smooth stones/);
  });

  it('never describes the same sound twice in one paragraph', () => {
    const narrator = 'You are the narrator of a gentle therapeutic adventure.';
    for (let draw = 0; draw < 200; draw += 1) {
      let state = draw * 7919 + 1;
      const random = (): number => {
        state = (state * 48_271) % 2_147_483_647;
        return state / 2_147_483_647;
      };
      const text = composeSimulatedText(request(narrator, 'I walk on.'), random, {
        minSentences: 8,
        maxSentences: 8,
      });
      const sounds = [...text.matchAll(/(?:quiet except for|you hear) ([^.]+)\./g)].map((match) => match[1]);
      expect(sounds).toHaveLength(2);
      expect(sounds[0], text).not.toBe(sounds[1]);
    }
  });

  it("reuses the player's noun phrase, adjective included, and never a pronoun as a noun", () => {
    const choices = 'Offer the player three choices.';
    expect(compose(choices, 'I wade into the flooded mill.')).toMatch(/^You pause by the flooded mill\./);
    expect(compose(choices, 'I sit down by my old chair.')).toMatch(/^You pause by your old chair\./);
    for (const seed of [0, 0.3, 0.6, 0.9]) {
      const text = compose(choices, 'What can I do now that they are gone?', seed);
      expect(text).not.toMatch(/\bthe (?:they|are)\b/);
      expect(text).toMatch(/^You pause by the \p{L}+\./u);
    }
  });
});
