import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../spec/chat-model-adapter.ts';
import { transcriptForModel } from './transcript-for-model.ts';

const countTokens = (message: ChatMessage): number => 4 + Math.ceil(message.content.length / 4);

function session(turns: number): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are Mira, a gentle guide. '.repeat(4) }];
  for (let turn = 0; turn < turns; turn += 1) {
    messages.push({ role: 'user', content: `I look around, step ${turn}.` });
    messages.push({ role: 'assistant', content: `You see the shore, step ${turn}.` });
  }
  messages.push({ role: 'user', content: 'What now?' });
  return messages;
}

describe('transcriptForModel', () => {
  it('fits and adapts in one call, within the window even after folding the instructions', () => {
    const model = {
      contextWindow: 200,
      capabilities: {
        streaming: true,
        tools: false,
        jsonMode: false,
        systemRole: false,
        assistantPrefill: false,
      },
    };
    const result = transcriptForModel({ messages: session(20) }, model, {
      countTokens,
      reserveOutputTokens: 50,
      alternateRoles: true,
    });
    if (!result.ok) throw new Error(result.reason);
    expect(result.tokens).toBeLessThanOrEqual(150);
    expect(result.tokens).toBe(result.messages.reduce((total, message) => total + countTokens(message), 0));
    expect(result.messages[0]?.role).toBe('user');
    expect(result.messages[0]?.content).toMatch(
      /^Instructions:\nYou are Mira.*\[\d+ earlier turns omitted\]/s,
    );
    expect(result.messages.at(-1)?.content).toBe('What now?');
    const roles = result.messages.map((message) => message.role);
    expect(roles.every((role, index) => index === 0 || role !== roles[index - 1])).toBe(true);
  });

  it('reports, with the reason, when the model is too small for what may not be dropped', () => {
    const model = {
      contextWindow: 40,
      capabilities: {
        streaming: true,
        tools: true,
        jsonMode: false,
        systemRole: true,
        assistantPrefill: true,
      },
    };
    const result = transcriptForModel({ messages: session(3) }, model, {
      countTokens,
      reserveOutputTokens: 10,
    });
    expect(result).toMatchObject({ ok: false, kind: 'required-turns-exceed-window', availableTokens: 30 });
  });
});
