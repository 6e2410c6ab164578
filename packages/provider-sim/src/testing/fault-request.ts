/** What the fault server reads from a chat request body, whichever wire format it came in. */
export interface FaultWireRequest {
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: send a usage chunk before `[DONE]`. */
  includeUsage: boolean;
  /** Messages in the body (Anthropic's top-level `system` is not a message). */
  messageCount: number;
  lastMessageRole: string | undefined;
  /** Text of the last message when it is an assistant turn (a prefill). */
  prefillText: string | undefined;
  /** Characters of every message and system prompt, for the prompt token estimate. */
  promptCharacters: number;
  toolNames: string[];
  /** The request forbids tool calls. */
  toolChoiceNone: boolean;
  /** The request asked for JSON output (`response_format` or Anthropic's `output_format`). */
  jsonMode: boolean;
  maxTokens: number | undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Text of a message content: a string, or text blocks (other blocks counted by their JSON size). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((block) => {
      const record = asRecord(block);
      if (typeof record?.text === 'string') return record.text;
      if (typeof record?.content === 'string' || Array.isArray(record?.content))
        return contentText(record.content);
      return JSON.stringify(block ?? '');
    })
    .join('');
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function readCommon(body: unknown): { record: Record<string, unknown>; messages: unknown[] } | string {
  const record = asRecord(body);
  if (record === undefined) return 'The request body must be a JSON object.';
  if (typeof record.model !== 'string' || record.model === '') return 'The request must name a `model`.';
  if (!Array.isArray(record.messages)) return 'The request must have a `messages` array.';
  return { record, messages: record.messages };
}

function conversationFacts(
  messages: unknown[],
): Pick<FaultWireRequest, 'messageCount' | 'lastMessageRole' | 'prefillText'> & { characters: number } {
  const last = asRecord(messages.at(-1));
  const lastMessageRole = typeof last?.role === 'string' ? last.role : undefined;
  const characters = messages.reduce<number>((sum, message) => {
    const record = asRecord(message);
    const toolCalls = asArray(record?.tool_calls).map((call) => JSON.stringify(call).length);
    return (
      sum + contentText(record?.content ?? '').length + toolCalls.reduce((inner, size) => inner + size, 0)
    );
  }, 0);
  return {
    messageCount: messages.length,
    lastMessageRole,
    prefillText: lastMessageRole === 'assistant' ? contentText(last?.content ?? '') : undefined,
    characters,
  };
}

/** Reads an OpenAI chat completion request, or says what is wrong with it. */
export function readOpenAiRequest(body: unknown): FaultWireRequest | string {
  const common = readCommon(body);
  if (typeof common === 'string') return common;
  const { record, messages } = common;
  const conversation = conversationFacts(messages);
  const responseFormat = asRecord(record.response_format)?.type;
  return {
    model: record.model as string,
    stream: record.stream === true,
    includeUsage: asRecord(record.stream_options)?.include_usage === true,
    messageCount: conversation.messageCount,
    lastMessageRole: conversation.lastMessageRole,
    prefillText: conversation.prefillText,
    promptCharacters: conversation.characters,
    toolNames: asArray(record.tools)
      .map((tool) => asRecord(asRecord(tool)?.function)?.name)
      .filter((name): name is string => typeof name === 'string'),
    toolChoiceNone: record.tool_choice === 'none',
    jsonMode: responseFormat === 'json_object' || responseFormat === 'json_schema',
    maxTokens: positiveInteger(record.max_completion_tokens) ?? positiveInteger(record.max_tokens),
  };
}

/** Reads an Anthropic Messages request, or says what is wrong with it. */
export function readAnthropicRequest(body: unknown): FaultWireRequest | string {
  const common = readCommon(body);
  if (typeof common === 'string') return common;
  const { record, messages } = common;
  const conversation = conversationFacts(messages);
  return {
    model: record.model as string,
    stream: record.stream === true,
    includeUsage: true,
    messageCount: conversation.messageCount,
    lastMessageRole: conversation.lastMessageRole,
    prefillText: conversation.prefillText,
    promptCharacters: conversation.characters + contentText(record.system ?? '').length,
    toolNames: asArray(record.tools)
      .map((tool) => asRecord(tool)?.name)
      .filter((name): name is string => typeof name === 'string'),
    toolChoiceNone: asRecord(record.tool_choice)?.type === 'none',
    jsonMode: asRecord(record.output_format) !== undefined,
    maxTokens: positiveInteger(record.max_tokens),
  };
}
