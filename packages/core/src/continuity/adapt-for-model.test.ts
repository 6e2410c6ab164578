import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../spec/chat-model-adapter.ts';
import { adaptForModel } from './adapt-for-model.ts';

const full = { systemRole: true, tools: true };
const noSystem = { systemRole: false, tools: true };
const noTools = { systemRole: true, tools: false };

const toolExchange: ChatMessage[] = [
  { role: 'system', content: 'You narrate a calm forest walk.' },
  { role: 'user', content: 'What is in my bag?' },
  {
    role: 'assistant',
    content: 'Let me look.',
    toolCalls: [
      { id: 'call-1', name: 'inventory', arguments: '{"player":"7"}' },
      { id: 'call-2', name: 'journal', arguments: '{}' },
    ],
  },
  { role: 'tool', toolCallId: 'call-1', content: 'a lantern, a rope' },
  { role: 'tool', toolCallId: 'call-2', content: 'Day 3: slept well' },
  { role: 'assistant', content: 'You carry a lantern and a rope.' },
];

describe('adaptForModel', () => {
  it('leaves a transcript alone for a model that supports everything', () => {
    expect(adaptForModel(toolExchange, full)).toEqual(toolExchange);
  });

  it('folds the system prompt into the first user turn, clearly delimited', () => {
    const adapted = adaptForModel(
      [
        { role: 'system', content: 'Be gentle.' },
        { role: 'user', content: 'I had a rough day.' },
        { role: 'assistant', content: 'I am sorry to hear that.' },
      ],
      noSystem,
    );
    expect(adapted).toEqual([
      { role: 'user', content: 'Instructions:\nBe gentle.\n\n---\n\nI had a rough day.' },
      { role: 'assistant', content: 'I am sorry to hear that.' },
    ]);
  });

  it('keeps instructions before what they govern when an assistant turn comes first', () => {
    const adapted = adaptForModel(
      [
        { role: 'system', content: 'Persona: Mira.' },
        { role: 'assistant', content: 'Welcome, traveller.' },
        { role: 'system', content: '[3 earlier turns omitted]' },
        { role: 'user', content: 'Hello Mira.' },
      ],
      noSystem,
    );
    expect(adapted).toEqual([
      { role: 'user', content: 'Instructions:\nPersona: Mira.' },
      { role: 'assistant', content: 'Welcome, traveller.' },
      { role: 'user', content: 'Instructions:\n[3 earlier turns omitted]\n\n---\n\nHello Mira.' },
    ]);
    expect(adapted.some((message) => message.role === 'system')).toBe(false);
  });

  it('flattens tool turns into text for a tool-less model, keeping every call and result', () => {
    const adapted = adaptForModel(toolExchange, noTools);
    expect(adapted).toEqual([
      toolExchange[0],
      toolExchange[1],
      {
        role: 'assistant',
        content: 'Let me look.\n\n[Tool call: inventory({"player":"7"})]\n\n[Tool call: journal({})]',
      },
      {
        role: 'user',
        content: '[Tool result: inventory]\na lantern, a rope\n\n[Tool result: journal]\nDay 3: slept well',
      },
      toolExchange[5],
    ]);
    expect(adapted.some((message) => message.role === 'tool' || 'toolCalls' in message)).toBe(false);
  });

  it('merges consecutive same-role turns when the provider demands alternation', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Narrate.' },
      { role: 'user', content: 'I open the door.' },
      { role: 'user', content: 'Slowly.' },
      { role: 'assistant', content: 'It creaks.' },
      { role: 'assistant', content: 'Light spills in.' },
      { role: 'user', content: 'I step in.' },
    ];
    expect(adaptForModel(messages, full, { alternateRoles: true })).toEqual([
      { role: 'system', content: 'Narrate.' },
      { role: 'user', content: 'I open the door.\n\nSlowly.' },
      { role: 'assistant', content: 'It creaks.\n\nLight spills in.' },
      { role: 'user', content: 'I step in.' },
    ]);
    expect(adaptForModel(messages, full)).toEqual(messages);
  });

  it('never merges tool results, which each answer their own call', () => {
    const adapted = adaptForModel(toolExchange, full, { alternateRoles: true });
    expect(adapted.filter((message) => message.role === 'tool')).toHaveLength(2);
  });

  it('produces strict alternation for a tool-less model without a system role', () => {
    const adapted = adaptForModel(
      toolExchange,
      { systemRole: false, tools: false },
      { alternateRoles: true },
    );
    const roles = adapted.map((message) => message.role);
    expect(roles).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(adapted[0]?.content).toBe(
      'Instructions:\nYou narrate a calm forest walk.\n\n---\n\nWhat is in my bag?',
    );
  });

  it('does not modify the messages it was given', () => {
    const copy = structuredClone(toolExchange);
    adaptForModel(toolExchange, { systemRole: false, tools: false }, { alternateRoles: true });
    expect(toolExchange).toEqual(copy);
  });
});
