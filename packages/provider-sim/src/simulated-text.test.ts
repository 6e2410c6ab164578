import type { ChatRequest } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { continuePrefill, detectTextKind } from './simulated-text.ts';

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
