import type { IncomingHttpHeaders } from 'node:http';
import type { ChatMessage, ToolCall, ToolChoice, ToolDefinition } from '@switchboard/core';
import {
  mergeRouting,
  readRoutingHeaders,
  readRoutingObject,
  type RoutingInput,
} from '../decisions/routing-input.ts';
import type { ApiIssue } from '../errors/api-error.ts';
import { OpenAiError } from './openai-error.ts';

/**
 * A `POST /v1/chat/completions` body, read into core's provider-neutral shapes.
 *
 * What the gateway does with each OpenAI field:
 * - Honoured: `model`, `messages` (system, developer (read as system), user, assistant with
 *   `tool_calls`, tool results; content as a string or text parts), `tools` (functions),
 *   `tool_choice`, `response_format` `text` / `json_object`, `max_completion_tokens` (or the older
 *   `max_tokens`; the first wins when both are sent), `temperature` and `top_p` (they override the
 *   decision's; a temperature above the risk level's ceiling is lowered to it and the response says
 *   so in `x-switchboard-temperature-clamped`), `stop`, `seed`, `stream`,
 *   `stream_options.include_usage`; and ours, `switchboard`.
 * - Accepted and ignored, because they change nothing about the answer or are hints only:
 *   `user`, `metadata`, `store`, `service_tier`, `safety_identifier`, `prompt_cache_key`,
 *   `parallel_tool_calls`, `prediction`, `reasoning_effort`, `verbosity`, `n: 1`, `logprobs: false`,
 *   zero penalties, an empty `logit_bias`, `modalities: ["text"]`, and any field OpenAI may add
 *   later (the body is read leniently, like a provider's response).
 * - Refused with a 400 naming the field, because the answer would silently differ from what the
 *   caller asked for: `n` above 1, `logprobs: true` / `top_logprobs`, a non-empty `logit_bias`,
 *   non-zero `frequency_penalty` / `presence_penalty`, `functions` / `function_call` (use tools),
 *   `audio` and non-text `modalities`, `web_search_options`, `response_format` `json_schema`
 *   (use `json_object`), non-text content parts (images, audio, files), the `function` role.
 */
export interface ChatCompletionRequest {
  /** As sent; resolved against the registry by the routing step. */
  model: string;
  messages: ChatMessage[];
  tools: ToolDefinition[] | undefined;
  toolChoice: ToolChoice | undefined;
  /** `json` for `response_format: {"type": "json_object"}`. */
  responseFormat: 'json' | undefined;
  maxOutputTokens: number | undefined;
  temperature: number | undefined;
  topP: number | undefined;
  stop: string[] | undefined;
  seed: number | undefined;
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with `usage` and no choices. */
  includeUsage: boolean;
  /**
   * The therapeutic context, policy and failover switch from the `switchboard` field and the
   * `x-switchboard-*` headers (the body wins where both say something).
   */
  routing: RoutingInput;
  /** Where the policy came from, so an error about it names what the caller wrote. */
  policyPath: 'switchboard.policy' | 'x-switchboard-policy';
}

/** Largest output allowance accepted; no model comes near it. */
const maxTokensLimit = 10_000_000;

type Body = Record<string, unknown>;

/**
 * Reads a chat completion body and its routing headers. Throws an `OpenAiError` 400 naming every
 * field (or header) at fault, the first as the error's `param`, and never anything else, whatever
 * the body holds.
 */
export function parseChatCompletionRequest(
  body: unknown,
  headers: IncomingHttpHeaders,
): ChatCompletionRequest {
  const issues: ApiIssue[] = [];
  if (!isRecord(body)) {
    throw OpenAiError.invalidRequest([
      {
        path: '(root)',
        message:
          body === undefined
            ? 'no JSON body: send a JSON object with the header Content-Type: application/json'
            : 'expected a JSON object such as {"model":"switchboard/auto","messages":[…]}',
      },
    ]);
  }
  const fail = (path: string, message: string): undefined => {
    issues.push({ path, message });
    return undefined;
  };

  const model = readModel(body.model, fail);
  const tools = readTools(body.tools, fail);
  const messages = readMessages(body.messages, 'messages', fail);
  const toolChoice = readToolChoice(body.tool_choice, tools, fail);
  const responseFormat = readResponseFormat(body.response_format, fail);
  const maxOutputTokens =
    readMaxTokens(body.max_completion_tokens, 'max_completion_tokens', fail) ??
    readMaxTokens(body.max_tokens, 'max_tokens', fail);
  const temperature = readNumberIn(body.temperature, 'temperature', 0, 2, fail);
  const topP = readNumberIn(body.top_p, 'top_p', 0, 1, fail);
  const stop = readStop(body.stop, fail);
  const seed = readSeed(body.seed, fail);
  const stream = readBoolean(body.stream, 'stream', fail) ?? false;
  const includeUsage = readStreamOptions(body.stream_options, fail);
  refuseUnsupported(body, fail);
  const fromBody = readRoutingObject(body.switchboard, 'switchboard');
  const fromHeaders = readRoutingHeaders(headers);
  issues.push(...fromBody.issues, ...fromHeaders.issues);

  if (issues.length > 0 || model === undefined || messages === undefined) {
    throw OpenAiError.invalidRequest(issues);
  }
  return {
    model,
    messages,
    tools,
    toolChoice,
    responseFormat,
    maxOutputTokens,
    temperature,
    topP,
    stop,
    seed,
    stream,
    includeUsage,
    routing: mergeRouting(fromBody.routing, fromHeaders.routing),
    policyPath: fromBody.routing.policy !== undefined ? 'switchboard.policy' : 'x-switchboard-policy',
  };
}

type Fail = (path: string, message: string) => undefined;

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function readModel(value: unknown, fail: Fail): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    return fail(
      'model',
      'required: send "switchboard/auto", "switchboard/<policy>" or a registry model id (GET /v1/models lists them)',
    );
  }
  if (value.length > 300) return fail('model', 'expected at most 300 characters');
  return value;
}

// --- messages --------------------------------------------------------------------------------

const roles = 'system, developer, user, assistant, tool';

/**
 * Reads OpenAI chat messages (at `path` of the body) into core's `ChatMessage`s, for any route that
 * takes a conversation (`/v1/select` too). Issues name each message field at fault.
 */
export function parseChatMessages(
  value: unknown,
  path: string,
): { messages: ChatMessage[] | undefined; issues: ApiIssue[] } {
  const issues: ApiIssue[] = [];
  const messages = readMessages(value, path, (issuePath, message) => {
    issues.push({ path: issuePath, message });
    return undefined;
  });
  return { messages, issues };
}

function readMessages(value: unknown, path: string, fail: Fail): ChatMessage[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    return fail(path, 'required: a non-empty array of messages such as [{"role":"user","content":"Hello"}]');
  }
  const messages: ChatMessage[] = [];
  const toolCallIds = new Set<string>();
  let valid = true;
  value.forEach((item: unknown, index) => {
    const message = readMessage(item, `${path}.${index}`, toolCallIds, fail);
    if (message === undefined) valid = false;
    else messages.push(message);
  });
  return valid ? messages : undefined;
}

function readMessage(
  value: unknown,
  path: string,
  toolCallIds: Set<string>,
  fail: Fail,
): ChatMessage | undefined {
  if (!isRecord(value))
    return fail(path, 'expected a message object such as {"role":"user","content":"Hello"}');
  const role = value.role;
  switch (role) {
    case 'system':
    case 'developer': {
      const content = readText(value.content, `${path}.content`, false, fail);
      return content === undefined ? undefined : { role: 'system', content };
    }
    case 'user': {
      const content = readText(value.content, `${path}.content`, false, fail);
      return content === undefined ? undefined : { role: 'user', content };
    }
    case 'assistant':
      return readAssistantMessage(value, path, toolCallIds, fail);
    case 'tool': {
      const toolCallId = value.tool_call_id;
      const content = readText(value.content, `${path}.content`, false, fail);
      if (typeof toolCallId !== 'string' || toolCallId === '') {
        return fail(`${path}.tool_call_id`, 'required: the id of the tool call this message answers');
      }
      if (!toolCallIds.has(toolCallId)) {
        return fail(
          `${path}.tool_call_id`,
          `"${toolCallId}" answers no tool call of an earlier assistant message (its tool_calls[].id)`,
        );
      }
      return content === undefined ? undefined : { role: 'tool', toolCallId, content };
    }
    case 'function':
      return fail(
        `${path}.role`,
        'the deprecated "function" role is not supported: send tool results as {"role":"tool","tool_call_id":…,"content":…}',
      );
    default:
      return fail(`${path}.role`, `expected one of ${roles}`);
  }
}

function readAssistantMessage(
  value: Body,
  path: string,
  toolCallIds: Set<string>,
  fail: Fail,
): ChatMessage | undefined {
  if (!isAbsent(value.function_call)) {
    return fail(`${path}.function_call`, 'the deprecated function_call is not supported: send tool_calls');
  }
  const rawCalls = value.tool_calls;
  let toolCalls: ToolCall[] | undefined;
  if (!isAbsent(rawCalls)) {
    if (!Array.isArray(rawCalls)) return fail(`${path}.tool_calls`, 'expected an array of tool calls');
    toolCalls = [];
    for (const [index, call] of rawCalls.entries()) {
      const toolCall = readToolCall(call, `${path}.tool_calls.${index}`, fail);
      if (toolCall === undefined) return undefined;
      toolCalls.push(toolCall);
      toolCallIds.add(toolCall.id);
    }
  }
  const hasCalls = toolCalls !== undefined && toolCalls.length > 0;
  const content = readText(value.content, `${path}.content`, hasCalls || value.content === null, fail);
  if (content === undefined) return undefined;
  return hasCalls ? { role: 'assistant', content, toolCalls } : { role: 'assistant', content };
}

function readToolCall(value: unknown, path: string, fail: Fail): ToolCall | undefined {
  const example = '{"id":"call_1","type":"function","function":{"name":"look","arguments":"{}"}}';
  if (!isRecord(value)) return fail(path, `expected a tool call such as ${example}`);
  if (value.type !== undefined && value.type !== 'function') {
    return fail(`${path}.type`, 'only "function" tool calls are supported');
  }
  const id = value.id;
  if (typeof id !== 'string' || id === '') return fail(`${path}.id`, 'required: the tool call id (a string)');
  const call = value.function;
  if (!isRecord(call) || typeof call.name !== 'string' || call.name === '') {
    return fail(`${path}.function.name`, 'required: the name of the function called');
  }
  if (typeof call.arguments !== 'string') {
    return fail(`${path}.function.arguments`, 'required: the arguments as JSON text (a string)');
  }
  return { id, name: call.name, arguments: call.arguments };
}

/**
 * A message's content as one string: a string as it is, text parts concatenated. `null` (or no
 * content) is an empty text where `nullable` (an assistant turn with tool calls).
 */
function readText(value: unknown, path: string, nullable: boolean, fail: Fail): string | undefined {
  if (typeof value === 'string') return value;
  if (isAbsent(value)) {
    return nullable ? '' : fail(path, 'required: the message text, as a string or an array of text parts');
  }
  if (!Array.isArray(value)) return fail(path, 'expected a string or an array of text parts');
  let text = '';
  for (const [index, part] of value.entries()) {
    const partPath = `${path}.${index}`;
    if (!isRecord(part)) return fail(partPath, 'expected a content part such as {"type":"text","text":"…"}');
    if (part.type === 'text' && typeof part.text === 'string') text += part.text;
    else if (part.type === 'refusal' && typeof part.refusal === 'string') text += part.refusal;
    else if (part.type === 'text') return fail(`${partPath}.text`, 'required: the text (a string)');
    else {
      return fail(
        `${partPath}.type`,
        `${typeof part.type === 'string' ? `"${part.type}"` : 'this'} content is not supported: the gateway's models take text only; send {"type":"text","text":"…"} parts`,
      );
    }
  }
  return text;
}

// --- tools -----------------------------------------------------------------------------------

const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

function readTools(value: unknown, fail: Fail): ToolDefinition[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) return fail('tools', 'expected an array of {"type":"function","function":{…}}');
  const tools: ToolDefinition[] = [];
  const names = new Set<string>();
  for (const [index, tool] of value.entries()) {
    const path = `tools.${index}`;
    if (!isRecord(tool))
      return fail(path, 'expected {"type":"function","function":{"name":…,"parameters":{…}}}');
    if (tool.type !== 'function') return fail(`${path}.type`, 'only "function" tools are supported');
    const definition = tool.function;
    if (!isRecord(definition)) return fail(`${path}.function`, 'required: {"name":…,"parameters":{…}}');
    const { name, description, parameters } = definition;
    if (typeof name !== 'string' || !toolNamePattern.test(name)) {
      return fail(`${path}.function.name`, 'expected 1 to 64 letters, digits, _ or -');
    }
    if (names.has(name))
      return fail(`${path}.function.name`, `"${name}" is defined twice; tool names must be unique`);
    names.add(name);
    if (!isAbsent(description) && typeof description !== 'string') {
      return fail(`${path}.function.description`, 'expected a string');
    }
    if (!isAbsent(parameters) && !isRecord(parameters)) {
      return fail(`${path}.function.parameters`, 'expected a JSON Schema object');
    }
    tools.push({
      name,
      ...(typeof description === 'string' ? { description } : {}),
      parameters: isRecord(parameters) ? parameters : { type: 'object', properties: {} },
    });
  }
  return tools.length === 0 ? undefined : tools;
}

function readToolChoice(
  value: unknown,
  tools: ToolDefinition[] | undefined,
  fail: Fail,
): ToolChoice | undefined {
  if (isAbsent(value)) return undefined;
  const names = tools?.map((tool) => tool.name) ?? [];
  if (value === 'none' || value === 'auto') return value;
  if (value === 'required') {
    return names.length > 0
      ? value
      : fail('tool_choice', '"required" needs tools: send the tools the model may call');
  }
  if (isRecord(value) && value.type === 'function' && isRecord(value.function)) {
    const name = value.function.name;
    if (typeof name === 'string' && names.includes(name)) return { name };
    return fail(
      'tool_choice.function.name',
      names.length === 0
        ? 'names a tool, but no tools were sent'
        : `expected one of the tools sent: ${names.join(', ')}`,
    );
  }
  return fail(
    'tool_choice',
    'expected "none", "auto", "required" or {"type":"function","function":{"name":…}}',
  );
}

function readResponseFormat(value: unknown, fail: Fail): 'json' | undefined {
  if (isAbsent(value)) return undefined;
  const type = isRecord(value) ? value.type : undefined;
  if (type === 'text') return undefined;
  if (type === 'json_object') return 'json';
  if (type === 'json_schema') {
    return fail(
      'response_format.type',
      '"json_schema" is not supported: send {"type":"json_object"} and describe the schema in the prompt',
    );
  }
  return fail('response_format', 'expected {"type":"text"} or {"type":"json_object"}');
}

// --- scalars ---------------------------------------------------------------------------------

function readMaxTokens(value: unknown, path: string, fail: Fail): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxTokensLimit) {
    return fail(path, `expected a whole number of tokens from 1 to ${maxTokensLimit}`);
  }
  return value;
}

function readNumberIn(
  value: unknown,
  path: string,
  low: number,
  high: number,
  fail: Fail,
): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high) {
    return fail(path, `expected a number from ${low} to ${high}`);
  }
  return value;
}

function readBoolean(value: unknown, path: string, fail: Fail): boolean | undefined {
  if (isAbsent(value)) return undefined;
  return typeof value === 'boolean' ? value : fail(path, 'expected true or false');
}

function readStop(value: unknown, fail: Fail): string[] | undefined {
  if (isAbsent(value)) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length > 4 ||
    !list.every((item) => typeof item === 'string' && item !== '' && item.length <= 1000)
  ) {
    return fail('stop', 'expected a string or an array of up to 4 non-empty strings');
  }
  return list.length === 0 ? undefined : (list as string[]);
}

function readSeed(value: unknown, fail: Fail): number | undefined {
  if (isAbsent(value)) return undefined;
  return typeof value === 'number' && Number.isSafeInteger(value)
    ? value
    : fail('seed', 'expected a whole number');
}

function readStreamOptions(value: unknown, fail: Fail): boolean {
  if (isAbsent(value)) return false;
  if (!isRecord(value))
    return fail('stream_options', 'expected an object such as {"include_usage":true}') ?? false;
  return readBoolean(value.include_usage, 'stream_options.include_usage', fail) ?? false;
}

/** Fields OpenAI accepts whose effect the gateway cannot deliver; their neutral values pass. */
function refuseUnsupported(body: Body, fail: Fail): void {
  const { n, logprobs, top_logprobs, logit_bias, frequency_penalty, presence_penalty } = body;
  if (!isAbsent(n) && n !== 1) {
    fail('n', 'the gateway returns one choice: send n: 1 (or leave it out) and make one request per answer');
  }
  if (!isAbsent(logprobs) && logprobs !== false) fail('logprobs', 'log probabilities are not available here');
  if (!isAbsent(top_logprobs) && top_logprobs !== 0)
    fail('top_logprobs', 'log probabilities are not available here');
  if (!isAbsent(logit_bias) && !(isRecord(logit_bias) && Object.keys(logit_bias).length === 0)) {
    fail('logit_bias', 'token biases are not forwarded to the selected models: leave it out');
  }
  for (const [field, value] of [
    ['frequency_penalty', frequency_penalty],
    ['presence_penalty', presence_penalty],
  ] as const) {
    if (!isAbsent(value) && value !== 0)
      fail(field, 'penalties are not forwarded to the selected models: leave it out');
  }
  if (!isAbsent(body.functions)) fail('functions', 'the deprecated functions are not supported: send tools');
  if (!isAbsent(body.function_call))
    fail('function_call', 'the deprecated function_call is not supported: send tool_choice');
  if (!isAbsent(body.audio)) fail('audio', 'audio output is not available here: the gateway answers in text');
  const modalities = body.modalities;
  if (!isAbsent(modalities) && !(Array.isArray(modalities) && modalities.every((item) => item === 'text'))) {
    fail('modalities', 'only ["text"] is available here');
  }
  if (!isAbsent(body.web_search_options)) fail('web_search_options', 'web search is not available here');
}
