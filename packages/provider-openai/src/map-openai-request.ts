import type { ChatMessage, ChatRequest, ToolChoice, ToolDefinition } from '@switchboard/core';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';

/**
 * Which body field carries the output limit. OpenAI deprecated `max_tokens` for
 * `max_completion_tokens`, and its reasoning models reject `max_tokens`; most other
 * OpenAI-compatible servers (Ollama, LM Studio, vLLM, Groq, Together, many OpenRouter upstreams)
 * have read `max_tokens` for longer. So the `openai` preset sends `max_completion_tokens` and every
 * other preset sends `max_tokens`; a provider entry can override either way.
 */
export type MaxTokensParameter = 'max_tokens' | 'max_completion_tokens';

/** What the request mapping needs besides the request itself. */
export interface RequestMappingOptions {
  /** The provider's model name, sent as `model`. */
  providerModel: string;
  maxTokensParameter: MaxTokensParameter;
}

function mapMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant': {
      const toolCalls = message.toolCalls ?? [];
      if (toolCalls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // OpenAI's own examples send `null` beside tool calls; an empty string is not the same turn.
        content: message.content === '' ? null : message.content,
        tool_calls: toolCalls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
  }
}

function mapTool(tool: ToolDefinition): ChatCompletionTool {
  return {
    type: 'function',
    function: {
      name: tool.name,
      parameters: tool.parameters,
      ...(tool.description === undefined ? {} : { description: tool.description }),
    },
  };
}

function mapToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/**
 * Translates our provider-neutral request into a `chat.completions` body (without the streaming
 * fields, which the adapter adds). Unset sampling fields are left out rather than sent as `null`,
 * because several compatible servers reject explicit nulls.
 */
export function mapChatRequest(
  request: ChatRequest,
  options: RequestMappingOptions,
): ChatCompletionCreateParamsNonStreaming {
  const params: ChatCompletionCreateParamsNonStreaming = {
    model: options.providerModel,
    messages: request.messages.map(mapMessage),
  };
  if (request.maxOutputTokens !== undefined) params[options.maxTokensParameter] = request.maxOutputTokens;
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) params.stop = request.stop;
  if (request.seed !== undefined) params.seed = request.seed;
  if (request.tools !== undefined && request.tools.length > 0) params.tools = request.tools.map(mapTool);
  if (request.toolChoice !== undefined) params.tool_choice = mapToolChoice(request.toolChoice);
  if (request.responseFormat === 'json') params.response_format = { type: 'json_object' };
  return params;
}
