import { fitToWindow } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { appendTurn, createSession, pinTurn, sessionTranscript, setSessionSummary } from './session.ts';

const start = createSession('session-1', { systemPrompt: 'You are Mira, a gentle guide.', now: 1000 });

describe('session helpers', () => {
  it('append the player message and the answer, remembering which model answered', () => {
    const once = appendTurn(
      start,
      { user: 'Hello', assistant: 'Welcome back.', answeredBy: 'sim/fast-small' },
      2000,
    );
    const twice = appendTurn(once, { user: 'Where am I?', assistant: 'In the garden.' }, 3000);
    expect(twice.messages).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Welcome back.' },
      { role: 'user', content: 'Where am I?' },
      { role: 'assistant', content: 'In the garden.' },
    ]);
    expect(twice.lastModelId).toBe('sim/fast-small');
    expect(twice.updatedAt).toBe(3000);
    expect(start.messages).toHaveLength(0);
  });

  it('keep tool rounds between the message and the answer', () => {
    const session = appendTurn(
      start,
      {
        user: 'Roll for me',
        intermediate: [
          { role: 'assistant', content: '', toolCalls: [{ id: 'call-1', name: 'roll', arguments: '{}' }] },
          { role: 'tool', toolCallId: 'call-1', content: '4' },
        ],
        assistant: 'You rolled a four.',
      },
      2000,
    );
    expect(session.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
  });

  it('pin turns by index or from the end, once each, and refuse indices outside the conversation', () => {
    let session = appendTurn(
      start,
      { user: 'I feel unsafe at home', assistant: 'Thank you for telling me.' },
      2000,
    );
    session = appendTurn(session, { user: 'Can we go on?', assistant: 'Of course.', pinUser: true }, 3000);
    session = pinTurn(session, -4, 4000);
    session = pinTurn(session, 0, 5000);
    expect(session.pinnedIndices).toEqual([0, 2]);
    expect(() => pinTurn(session, 4, 6000)).toThrow(/has 4 messages/);
    expect(() => pinTurn(session, -5, 6000)).toThrow(RangeError);
  });

  it('give a transcript whose pinned disclosure and system prompt survive a tight window', () => {
    let session = appendTurn(
      start,
      { user: 'I feel unsafe at home', assistant: 'Thank you for telling me.' },
      2000,
    );
    session = pinTurn(session, 0, 2000);
    for (let index = 0; index < 20; index++) {
      session = appendTurn(session, { user: `turn ${index}`, assistant: `answer ${index}` }, 3000 + index);
    }
    session = setSessionSummary(session, 'They walked through the garden.', 9000);
    const transcript = sessionTranscript(session, [{ role: 'user', content: 'What now?' }]);
    const fitted = fitToWindow(transcript, {
      windowTokens: 60,
      reserveOutputTokens: 10,
      countTokens: () => 5,
    });
    expect(fitted.ok).toBe(true);
    if (!fitted.ok) return;
    const texts = fitted.messages.map((message) => message.content);
    expect(texts[0]).toBe('You are Mira, a gentle guide.');
    expect(texts).toContain('I feel unsafe at home');
    expect(texts.some((text) => text.includes('They walked through the garden.'))).toBe(true);
    expect(texts.at(-1)).toBe('What now?');
  });
});
