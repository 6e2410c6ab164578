import type {
  ContentBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  Tool,
  ToolChoice as AnthropicToolChoice,
} from '@anthropic-ai/sdk/resources/messages';
import type { ChatMessage, ChatRequest, ToolCall, ToolChoice, ToolDefinition } from '@switchboard/core';
import { adapterError, type AnthropicErrorContext } from './map-anthropic-error.ts';
import { asRecord } from './read-json.ts';

/**
 * The Messages API body the adapter sends (without `stream`). `temperature` and `top_p` are not in
 * the SDK's types any more: API version 2026-10-21, which `@anthropic-ai/sdk` 1.x sends, rejects
 * every sampling parameter with a 400, so they are only added when the caller opts in.
 */
export type AnthropicRequestBody = MessageCreateParamsBase & { temperature?: number; top_p?: number };

/** What the conversion needs besides the request itself. */
export interface AnthropicRequestSettings {
  /** The provider's model name, sent as `model`. */
  model: string;
  /** `max_tokens` when the request names none (Anthropic requires the field). */
  defaultMaxOutputTokens: number;
  /** Send `temperature` (clamped to Anthropic's 0..1) and `top_p`; see the adapter options. */
  sendSamplingParameters: boolean;
  /** Names the model in the errors a malformed transcript raises. */
  context: AnthropicErrorContext;
}

interface Turn {
  role: 'user' | 'assistant';
  blocks: ContentBlockParam[];
}

/**
 * Translates our provider-neutral request into a Messages API body:
 * - system messages, wherever they are, become the top-level `system` (joined by blank lines);
 * - consecutive turns of one role are merged, because Anthropic expects user and assistant turns
 *   to alternate;
 * - assistant tool calls become `tool_use` blocks and our `tool` messages become `tool_result`
 *   blocks in a user turn (consecutive results share one turn, ahead of any text in it);
 * - a trailing assistant message is sent as a prefill, which Anthropic continues natively; its
 *   trailing whitespace is removed because the API rejects a prefill that ends in whitespace;
 * - `seed` is dropped (Anthropic has none) and `responseFormat: 'json'` has no native flag (see
 *   {@link anthropicAdapterCapabilities}).
 */
export function convertToAnthropicRequest(
  request: ChatRequest,
  settings: AnthropicRequestSettings,
): AnthropicRequestBody {
  const systemParts: string[] = [];
  const turns: Turn[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      if (message.content.trim() !== '') systemParts.push(message.content);
      continue;
    }
    appendTurn(
      turns,
      message.role === 'assistant' ? 'assistant' : 'user',
      toBlocks(message, settings.context),
    );
  }
  trimPrefill(turns);

  const body: AnthropicRequestBody = {
    model: settings.model,
    max_tokens: request.maxOutputTokens ?? settings.defaultMaxOutputTokens,
    messages: turns.map(toMessageParam),
  };
  if (systemParts.length > 0) body.system = systemParts.join('\n\n');
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map(toAnthropicTool);
    if (request.toolChoice !== undefined) body.tool_choice = toAnthropicToolChoice(request.toolChoice);
  }
  if (settings.sendSamplingParameters) {
    if (request.temperature !== undefined) body.temperature = clampUnit(request.temperature);
    if (request.topP !== undefined) body.top_p = clampUnit(request.topP);
  }
  return body;
}

function toBlocks(message: Exclude<ChatMessage, { role: 'system' }>, context: AnthropicErrorContext) {
  const blocks: ContentBlockParam[] = [];
  if (message.role === 'tool') {
    blocks.push({
      type: 'tool_result',
      tool_use_id: message.toolCallId,
      ...(message.content === '' ? {} : { content: message.content }),
    });
    return blocks;
  }
  // Anthropic rejects empty text blocks; an empty turn simply disappears.
  if (message.content !== '') blocks.push({ type: 'text', text: message.content });
  if (message.role === 'assistant') {
    for (const toolCall of message.toolCalls ?? []) {
      blocks.push({
        type: 'tool_use',
        id: toolCall.id,
        name: toolCall.name,
        input: parseToolInput(toolCall, context),
      });
    }
  }
  return blocks;
}

function appendTurn(turns: Turn[], role: Turn['role'], blocks: ContentBlockParam[]): void {
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last?.role === role) last.blocks.push(...blocks);
  else turns.push({ role, blocks });
}

/** The final assistant turn is a prefill: the API refuses one that ends in whitespace. */
function trimPrefill(turns: Turn[]): void {
  const last = turns.at(-1);
  if (last?.role !== 'assistant') return;
  const lastBlock = last.blocks.at(-1);
  if (lastBlock?.type !== 'text') return;
  const trimmed = lastBlock.text.trimEnd();
  if (trimmed !== '') {
    last.blocks[last.blocks.length - 1] = { type: 'text', text: trimmed };
    return;
  }
  last.blocks.pop();
  if (last.blocks.length === 0) turns.pop();
}

function toMessageParam(turn: Turn): MessageParam {
  // Tool results must open the user turn that answers the tool calls.
  const blocks =
    turn.role === 'user'
      ? [...turn.blocks.filter(isToolResult), ...turn.blocks.filter((block) => !isToolResult(block))]
      : turn.blocks;
  const only = blocks.length === 1 ? blocks[0] : undefined;
  return { role: turn.role, content: only?.type === 'text' ? only.text : blocks };
}

function isToolResult(block: ContentBlockParam): boolean {
  return block.type === 'tool_result';
}

function parseToolInput(toolCall: ToolCall, context: AnthropicErrorContext): Record<string, unknown> {
  if (toolCall.arguments.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(toolCall.arguments);
  } catch (error) {
    throw invalidToolArguments(toolCall, context, error);
  }
  const input = asRecord(parsed);
  if (input === undefined) throw invalidToolArguments(toolCall, context);
  return input;
}

function invalidToolArguments(toolCall: ToolCall, context: AnthropicErrorContext, cause?: unknown) {
  return adapterError(
    'bad_request',
    `Tool call ${toolCall.id} (${toolCall.name}) in the transcript has arguments that are not a JSON object, which Anthropic requires as tool input`,
    context,
    cause,
  );
}

function toAnthropicTool(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    // Tool input is always an object on Anthropic, whatever the schema says at its root.
    input_schema: { ...tool.parameters, type: 'object' },
  };
}

function toAnthropicToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}

/** Anthropic's temperature and top_p range is 0..1 (OpenAI's temperature goes to 2). */
function clampUnit(value: number): number {
  return Math.min(1, Math.max(0, value));
}
