import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../spec/chat-model-adapter.ts';
import type { FitToWindowResult, Transcript } from './fit-to-window.ts';
import { fitToWindow } from './fit-to-window.ts';

/** A stand-in tokenizer: four characters a token plus four tokens of per-message overhead. */
function countTokens(message: ChatMessage): number {
  const toolText =
    message.role === 'assistant'
      ? (message.toolCalls ?? []).map((call) => call.name + call.arguments).join('')
      : message.role === 'tool'
        ? message.toolCallId
        : '';
  return 4 + Math.ceil((message.content.length + toolText.length) / 4);
}

const system = (content: string): ChatMessage => ({ role: 'system', content });
const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
const words = (count: number): string =>
  Array.from({ length: count }, (_unused, index) => `w${index}`).join(' ');

function expectOk(result: FitToWindowResult): Extract<FitToWindowResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a fit, got ${result.kind}: ${result.reason}`);
  return result;
}

/** A twelve-turn session: persona, then alternating player and narrator turns of 10 tokens each. */
function session(): ChatMessage[] {
  const messages: ChatMessage[] = [system('You are a gentle narrator.')];
  for (let turn = 0; turn < 6; turn += 1) {
    messages.push(user(`player ${turn} ${'x'.repeat(14)}`), assistant(`narrator ${turn} ${'y'.repeat(12)}`));
  }
  return messages;
}

describe('fitToWindow', () => {
  it('returns the transcript unchanged when it fits', () => {
    const messages = session();
    const result = expectOk(
      fitToWindow({ messages }, { windowTokens: 1000, reserveOutputTokens: 100, countTokens }),
    );
    expect(result.messages).toEqual(messages);
    expect(result.droppedCount).toBe(0);
    expect(result.marker).toBeUndefined();
  });

  it('drops the oldest turns, keeps the persona and says how many turns are missing', () => {
    const messages = [...session(), user('what now?')];
    const result = expectOk(
      fitToWindow({ messages }, { windowTokens: 100, reserveOutputTokens: 40, countTokens }),
    );
    expect(result.messages[0]).toBe(messages[0]);
    // 18 tokens required, 10 per turn, 11 for the marker: three turns fit beside it.
    expect(result.messages[1]).toEqual({ role: 'system', content: '[9 earlier turns omitted]' });
    expect(result.messages.slice(2)).toEqual(messages.slice(10));
    expect(result.droppedCount).toBe(9);
    expect(result.tokens).toBeLessThanOrEqual(60);
  });

  it('keeps a pinned disclosure however old it is, with the marker where the dropped turns were', () => {
    const messages = session();
    messages[1] = user('I have been thinking about hurting myself.');
    const result = expectOk(
      fitToWindow(
        { messages, pinned: new Set([1]) },
        { windowTokens: 80, reserveOutputTokens: 20, countTokens },
      ),
    );
    expect(result.messages).toContain(messages[1]);
    expect(result.messages[1]).toBe(messages[1]);
    expect(result.messages[2]?.content).toMatch(/^\[\d+ earlier turns omitted\]$/);
    expect(result.messages.at(-1)).toBe(messages.at(-1));
  });

  it('replaces dropped turns with the summary of exactly those turns', () => {
    const messages = [...session(), user('and then?')];
    const summarised: ChatMessage[][] = [];
    const result = expectOk(
      fitToWindow(
        { messages },
        {
          windowTokens: 100,
          reserveOutputTokens: 30,
          countTokens,
          summarise: (dropped) => {
            summarised.push(dropped);
            return 'The player crossed the bridge.';
          },
        },
      ),
    );
    expect(result.marker).toEqual({
      role: 'system',
      content: '[Earlier conversation summarised: The player crossed the bridge.]',
    });
    const last = summarised.at(-1)!;
    expect(last).toEqual(messages.slice(1, 1 + result.droppedCount));
    expect(result.messages.filter((message) => !last.includes(message))).toEqual(result.messages);
  });

  it('uses the running summary when no summariser is given', () => {
    const messages = [...session(), user('and then?')];
    const result = expectOk(
      fitToWindow(
        { messages, summary: 'They met the ferryman.' },
        { windowTokens: 100, reserveOutputTokens: 30, countTokens },
      ),
    );
    expect(result.marker?.content).toBe('[Earlier conversation summarised: They met the ferryman.]');
  });

  it('falls back to the omission count when the summary can never fit', () => {
    const messages = [...session(), user('and then?')];
    const result = expectOk(
      fitToWindow(
        { messages, summary: 'long '.repeat(200) },
        { windowTokens: 100, reserveOutputTokens: 30, countTokens },
      ),
    );
    expect(result.marker?.content).toMatch(/^\[\d+ earlier turns omitted\]$/);
  });

  it('drops more verbatim turns to make room for a summary', () => {
    const messages = [...session(), user('and then?')];
    const withCount = expectOk(
      fitToWindow({ messages }, { windowTokens: 100, reserveOutputTokens: 30, countTokens }),
    );
    const withSummary = expectOk(
      fitToWindow(
        { messages, summary: 's'.repeat(60) },
        { windowTokens: 100, reserveOutputTokens: 30, countTokens },
      ),
    );
    expect(withSummary.marker?.content.startsWith('[Earlier conversation summarised:')).toBe(true);
    expect(withSummary.droppedCount).toBeGreaterThan(withCount.droppedCount);
    expect(withSummary.tokens).toBeLessThanOrEqual(70);
  });

  it('drops a tool call together with its results', () => {
    const call: ChatMessage = {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call-1', name: 'inventory', arguments: '{"player":"7"}' }],
    };
    const result1: ChatMessage = { role: 'tool', toolCallId: 'call-1', content: 'a lantern, a rope' };
    const messages: ChatMessage[] = [
      system('Narrate.'),
      user('what do I carry?'),
      call,
      result1,
      assistant('You carry a lantern and a rope.'),
      user(words(8)),
      assistant(words(8)),
      user('I light the lantern.'),
    ];
    for (let windowTokens = 20; windowTokens <= 120; windowTokens += 1) {
      const result = fitToWindow({ messages }, { windowTokens, reserveOutputTokens: 0, countTokens });
      if (!result.ok) continue;
      expect(result.messages.includes(call)).toBe(result.messages.includes(result1));
    }
  });

  it('keeps the whole current exchange: the question and the tool round that answers it', () => {
    const call: ChatMessage = {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call-9', name: 'map', arguments: '{}' }],
    };
    const answer: ChatMessage = { role: 'tool', toolCallId: 'call-9', content: 'north: forest' };
    const messages: ChatMessage[] = [
      system('Narrate.'),
      user(words(20)),
      assistant(words(20)),
      user('where can I go?'),
      call,
      answer,
    ];
    const result = expectOk(
      fitToWindow({ messages }, { windowTokens: 50, reserveOutputTokens: 0, countTokens }),
    );
    expect(result.messages.slice(-3)).toEqual([messages[3], call, answer]);
  });

  it('refuses, with the figures, when the persona, pins and current turn alone overflow', () => {
    const messages = [system('p'.repeat(400)), user(words(4)), assistant(words(4)), user('hello')];
    const result = fitToWindow({ messages }, { windowTokens: 100, reserveOutputTokens: 20, countTokens });
    expect(result).toMatchObject({ ok: false, kind: 'required-turns-exceed-window', availableTokens: 80 });
    if (result.ok) return;
    expect(result.requiredTokens).toBe(countTokens(messages[0]!) + countTokens(messages[3]!));
    expect(result.reason).toContain('larger context window');
    expect(result.reason).not.toContain('hello');
  });

  it('refuses a window that the reserve uses up', () => {
    const result = fitToWindow(
      { messages: session() },
      { windowTokens: 100, reserveOutputTokens: 100, countTokens },
    );
    expect(result).toMatchObject({ ok: false, kind: 'invalid-window' });
  });

  it('refuses rather than drop turns silently when the marker itself does not fit', () => {
    const messages = [system('s'.repeat(40)), user('x'.repeat(40)), user('y'.repeat(40))];
    // Required: 14 + 14 = 28 tokens; the marker "[1 earlier turn omitted]" takes 10 more.
    const result = fitToWindow({ messages }, { windowTokens: 30, reserveOutputTokens: 0, countTokens });
    expect(result).toMatchObject({ ok: false, kind: 'no-room-for-marker' });
  });
});

// ---- properties over random transcripts ----

type Piece =
  | { kind: 'system' | 'user' | 'assistant'; length: number }
  | { kind: 'tool-round'; length: number; results: number }
  | { kind: 'orphan-tool'; length: number };

const piece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('user' as const), length: fc.nat(120) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('assistant' as const), length: fc.nat(120) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('system' as const), length: fc.nat(60) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tool-round' as const),
      length: fc.nat(80),
      results: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('orphan-tool' as const), length: fc.nat(40) }) },
);

function expand(pieces: readonly Piece[], withPersona: boolean): ChatMessage[] {
  const messages: ChatMessage[] = withPersona ? [system('persona '.repeat(5))] : [];
  pieces.forEach((item, position) => {
    const text = 'z'.repeat(item.length);
    if (item.kind === 'tool-round') {
      const calls = Array.from({ length: item.results }, (_unused, index) => ({
        id: `call-${position}-${index}`,
        name: 'lookup',
        arguments: '{}',
      }));
      messages.push({ role: 'assistant', content: '', toolCalls: calls });
      for (const call of calls) messages.push({ role: 'tool', toolCallId: call.id, content: text });
    } else if (item.kind === 'orphan-tool') {
      messages.push({ role: 'tool', toolCallId: `lost-${position}`, content: text });
    } else {
      messages.push({ role: item.kind, content: text });
    }
  });
  return messages;
}

const transcriptCase = fc
  .record({
    pieces: fc.array(piece, { minLength: 1, maxLength: 30 }),
    withPersona: fc.boolean(),
    pinSeeds: fc.array(fc.nat(), { maxLength: 3 }),
    // The prompt budget as a share of the transcript's size, so most cases must drop something.
    budgetPercent: fc.oneof(fc.integer({ min: 0, max: 110 }), fc.integer({ min: 50, max: 100 })),
    reserveOutputTokens: fc.nat(200),
    summary: fc.option(fc.nat(200), { nil: undefined }),
  })
  .map((input) => {
    const messages = expand(input.pieces, input.withPersona);
    const pinned = new Set(input.pinSeeds.map((seed) => seed % messages.length));
    const transcript: Transcript =
      input.summary === undefined
        ? { messages, pinned }
        : { messages, pinned, summary: 'q'.repeat(input.summary) };
    const total = messages.reduce((sum, message) => sum + countTokens(message), 0);
    const budget = Math.floor((total * input.budgetPercent) / 100);
    return {
      transcript,
      windowTokens: input.reserveOutputTokens + budget,
      reserveOutputTokens: input.reserveOutputTokens,
    };
  });

/** The tool group (call plus results) a message belongs to, as indices; a lone message otherwise. */
function toolGroupOf(messages: readonly ChatMessage[], index: number): number[] {
  let start = index;
  while (messages[start]?.role === 'tool' && start > 0 && messages[start - 1]?.role === 'tool') start -= 1;
  const opener = messages[start - 1];
  if (
    messages[start]?.role === 'tool' &&
    opener?.role === 'assistant' &&
    (opener.toolCalls?.length ?? 0) > 0
  ) {
    start -= 1;
  }
  let end = index + 1;
  const first = messages[start];
  const opensGroup =
    first?.role === 'tool' || (first?.role === 'assistant' && (first.toolCalls?.length ?? 0) > 0);
  if (opensGroup) {
    end = start + 1;
    while (messages[end]?.role === 'tool') end += 1;
  }
  return Array.from({ length: end - start }, (_unused, offset) => start + offset);
}

/** What may never be dropped, worked out independently of the implementation. */
function requiredIndices(transcript: Transcript): Set<number> {
  const messages = transcript.messages;
  const seeds = new Set<number>(transcript.pinned ?? []);
  const systemIndex = messages.findIndex((message) => message.role === 'system');
  if (systemIndex >= 0) seeds.add(systemIndex);
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  for (let index = lastUser >= 0 ? lastUser : messages.length - 1; index < messages.length; index += 1) {
    seeds.add(index);
  }
  return new Set([...seeds].flatMap((index) => toolGroupOf(messages, index)));
}

describe('fitToWindow properties', () => {
  it('never overflows, keeps what must stay, keeps order and marks every omission', () => {
    fc.assert(
      fc.property(transcriptCase, ({ transcript, windowTokens, reserveOutputTokens }) => {
        const messages = transcript.messages;
        const budget = windowTokens - reserveOutputTokens;
        const result = fitToWindow(transcript, { windowTokens, reserveOutputTokens, countTokens });
        const required = requiredIndices(transcript);
        const requiredTokens = [...required].reduce(
          (total, index) => total + countTokens(messages[index]!),
          0,
        );
        if (!result.ok) {
          if (result.kind === 'invalid-window') {
            expect(budget).toBeLessThanOrEqual(0);
            return;
          }
          expect(result.requiredTokens).toBeGreaterThan(result.availableTokens);
          if (result.kind === 'required-turns-exceed-window') expect(requiredTokens).toBeGreaterThan(budget);
          else expect(requiredTokens).toBeLessThanOrEqual(budget);
          return;
        }
        // Never over the window, and `tokens` is what was sent.
        const sent = result.messages.reduce((total, message) => total + countTokens(message), 0);
        expect(result.tokens).toBe(sent);
        expect(sent).toBeLessThanOrEqual(budget);
        // Order preserved: kept messages are the transcript's, ascending, plus at most the marker.
        expect(result.keptIndices).toEqual([...result.keptIndices].sort((left, right) => left - right));
        expect(result.messages.filter((message) => message !== result.marker)).toEqual(
          result.keptIndices.map((index) => messages[index]),
        );
        // Persona, pins, the current exchange and the newest turn are kept.
        for (const index of required) expect(result.keptIndices).toContain(index);
        expect(result.messages.at(-1)).toBe(messages.at(-1));
        // Tool calls and their results go or stay together.
        for (const index of result.keptIndices) {
          for (const member of toolGroupOf(messages, index)) expect(result.keptIndices).toContain(member);
        }
        // A marker exactly when something was dropped, in place of the oldest dropped turn.
        expect(result.droppedCount).toBe(messages.length - result.keptIndices.length);
        expect(result.marker !== undefined).toBe(result.droppedCount > 0);
        expect(result.messages.length).toBe(
          result.keptIndices.length + (result.marker === undefined ? 0 : 1),
        );
        if (result.marker !== undefined) {
          const oldestDropped = messages.findIndex((_message, index) => !result.keptIndices.includes(index));
          const keptBefore = result.keptIndices.filter((index) => index < oldestDropped).length;
          expect(result.messages.indexOf(result.marker)).toBe(keptBefore);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps as many of the newest turns as fit beside the omission marker', () => {
    fc.assert(
      fc.property(transcriptCase, ({ transcript, windowTokens, reserveOutputTokens }) => {
        const plain: Transcript = { messages: transcript.messages, pinned: transcript.pinned ?? new Set() };
        const result = fitToWindow(plain, { windowTokens, reserveOutputTokens, countTokens });
        if (!result.ok || result.marker === undefined) return;
        const kept = new Set(result.keptIndices);
        const newestDropped = Math.max(
          ...plain.messages.map((_message, index) => index).filter((i) => !kept.has(i)),
        );
        const group = toolGroupOf(plain.messages, newestDropped);
        const groupTokens = group.reduce((total, index) => total + countTokens(plain.messages[index]!), 0);
        const remaining = result.droppedCount - group.length;
        const markerTokens =
          remaining === 0
            ? 0
            : countTokens(system(`[${remaining} earlier ${remaining === 1 ? 'turn' : 'turns'} omitted]`));
        const withOneMore = result.tokens - countTokens(result.marker) + groupTokens + markerTokens;
        expect(withOneMore).toBeGreaterThan(windowTokens - reserveOutputTokens);
      }),
      { numRuns: 500 },
    );
  });
});
