import type { ChatMessage, ToolCall } from '../spec/chat-model-adapter.ts';
import type { ModelCapabilities } from '../registry/model-spec.ts';

/** Provider rules that are not model capabilities. */
export interface AdaptForModelOptions {
  /**
   * Merge consecutive turns of the same role into one (texts joined by a blank line, tool calls
   * concatenated). Anthropic's Messages API and the chat templates of many local models (Mistral,
   * Llama 2) reject two user or two assistant turns in a row; a fitted transcript can produce them
   * when a turn between them was dropped, and folding or flattening can produce them too.
   * Tool messages are never merged: each answers its own call. Default `false`.
   */
  alternateRoles?: boolean | undefined;
}

/** Separates folded instructions from the player's own words in a user turn. */
export const instructionsSeparator = '\n\n---\n\n';

/**
 * Reshapes a transcript for what the target model accepts, so switching models never loses what
 * the previous one was told or found out. Message order and texts are kept verbatim otherwise, and
 * the input is not modified.
 *
 * - Without tool support, an assistant's tool calls become text in its turn
 *   (`[Tool call: name({"arguments":…})]`) and tool results become a user turn
 *   (`[Tool result: name]` + the result); results of one round share one turn. The user role
 *   keeps assistant and user alternating, which strict chat templates require.
 * - Without a system role, each system message is folded into the user turn that follows it as
 *   `Instructions:\n<system text>\n\n---\n\n<user text>`; where no user turn follows directly, it
 *   becomes a user turn of its own, so instructions always come before what they govern.
 * - With `alternateRoles`, consecutive same-role turns are merged (see the option).
 */
export function adaptForModel(
  messages: readonly ChatMessage[],
  capabilities: Pick<ModelCapabilities, 'systemRole' | 'tools'>,
  options: AdaptForModelOptions = {},
): ChatMessage[] {
  let adapted: ChatMessage[] = [...messages];
  if (!capabilities.tools) adapted = flattenToolTurns(adapted);
  if (!capabilities.systemRole) adapted = foldSystemMessages(adapted);
  if (options.alternateRoles === true) adapted = mergeSameRoleTurns(adapted);
  return adapted;
}

function flattenToolTurns(messages: readonly ChatMessage[]): ChatMessage[] {
  const toolNames = new Map<string, string>();
  const output: ChatMessage[] = [];
  let previousWasToolResult = false;
  for (const message of messages) {
    if (message.role === 'assistant' && message.toolCalls !== undefined) {
      for (const call of message.toolCalls) toolNames.set(call.id, call.name);
      const content = joinTexts([message.content, ...message.toolCalls.map(describeToolCall)]);
      output.push({ role: 'assistant', content });
      previousWasToolResult = false;
      continue;
    }
    if (message.role === 'tool') {
      const name = toolNames.get(message.toolCallId) ?? message.toolCallId;
      const text = `[Tool result: ${name}]\n${message.content}`;
      const last = output.at(-1);
      if (previousWasToolResult && last !== undefined) {
        output[output.length - 1] = { role: 'user', content: joinTexts([last.content, text]) };
      } else {
        output.push({ role: 'user', content: text });
      }
      previousWasToolResult = true;
      continue;
    }
    output.push(message);
    previousWasToolResult = false;
  }
  return output;
}

function describeToolCall(call: ToolCall): string {
  return `[Tool call: ${call.name}(${call.arguments})]`;
}

function foldSystemMessages(messages: readonly ChatMessage[]): ChatMessage[] {
  const output: ChatMessage[] = [];
  let pending: string[] = [];
  const flushInstructions = (): string => {
    const instructions = `Instructions:\n${joinTexts(pending)}`;
    pending = [];
    return instructions;
  };
  for (const message of messages) {
    if (message.role === 'system') {
      pending.push(message.content);
      continue;
    }
    if (pending.length > 0 && message.role === 'user') {
      output.push({
        role: 'user',
        content: `${flushInstructions()}${instructionsSeparator}${message.content}`,
      });
      continue;
    }
    if (pending.length > 0) output.push({ role: 'user', content: flushInstructions() });
    output.push(message);
  }
  if (pending.length > 0) output.push({ role: 'user', content: flushInstructions() });
  return output;
}

function mergeSameRoleTurns(messages: readonly ChatMessage[]): ChatMessage[] {
  const output: ChatMessage[] = [];
  for (const message of messages) {
    const last = output.at(-1);
    const merged = last === undefined ? undefined : mergeTurns(last, message);
    if (merged === undefined) output.push(message);
    else output[output.length - 1] = merged;
  }
  return output;
}

/** The two turns as one, or `undefined` when they may not be merged. */
function mergeTurns(first: ChatMessage, second: ChatMessage): ChatMessage | undefined {
  if (first.role === 'assistant' && second.role === 'assistant') {
    const toolCalls = [...(first.toolCalls ?? []), ...(second.toolCalls ?? [])];
    const content = joinTexts([first.content, second.content]);
    return toolCalls.length > 0 ? { role: 'assistant', content, toolCalls } : { role: 'assistant', content };
  }
  if (first.role === 'user' && second.role === 'user') {
    return { role: 'user', content: joinTexts([first.content, second.content]) };
  }
  if (first.role === 'system' && second.role === 'system') {
    return { role: 'system', content: joinTexts([first.content, second.content]) };
  }
  return undefined;
}

/** Joins non-empty texts with a blank line, so merged turns stay readable as separate parts. */
function joinTexts(texts: readonly string[]): string {
  return texts.filter((text) => text !== '').join('\n\n');
}
