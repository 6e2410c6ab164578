import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import type { ChatMessage, ToolDefinition } from '../spec/chat-model-adapter.ts';
import type { TokenizerFamily } from './tokenizer-family.ts';

/** What {@link estimateTokens} needs besides the messages. */
export interface EstimateTokensOptions {
  /** Whose tokenizer counts; see `tokenizerFamilyFor`. */
  family: TokenizerFamily;
  /** Tool definitions sent with the request: providers render them into the prompt, so they cost tokens. */
  tools?: ToolDefinition[] | undefined;
}

/**
 * Estimates the prompt tokens of a request before it is sent, so admission can check the context
 * window and reserve budget. For the `openai` family it is exact for message text (o200k_base,
 * plus the 3 tokens per message, the role, and 3 for priming the reply, as in OpenAI's cookbook
 * `num_tokens_from_messages`); tool definitions and tool calls are counted from their JSON, which
 * is longer than the form OpenAI renders, so those parts err high. Other families use
 * {@link estimateTextTokens}'s approximation, which errs high on purpose: over-reserving is
 * released at settlement, under-reserving lets a call overspend or overflow the window.
 */
export function estimateTokens(messages: readonly ChatMessage[], options: EstimateTokensOptions): number {
  const { family } = options;
  const shape = family === 'openai' ? openaiShape : approximateShape;
  let total = shape.replyPriming;
  for (const message of messages) {
    total += shape.perMessage + countText(message.role, family) + countText(message.content, family);
    if (message.role === 'assistant') {
      for (const toolCall of message.toolCalls ?? []) {
        total += shape.perToolCall + countText(toolCall.id, family);
        total += countText(toolCall.name, family) + countText(toolCall.arguments, family);
      }
    }
    if (message.role === 'tool') total += countText(message.toolCallId, family);
  }
  return total + estimateToolTokens(options.tools ?? [], family);
}

/**
 * Tokens of one piece of text, without any message framing.
 *
 * `openai`: the exact o200k_base count (GPT-4o, GPT-4.1, o-series, GPT-5; older GPT-4 / 3.5 used
 * cl100k_base, which is within a few percent on English and higher on other languages).
 *
 * Other families: a weighted character count, rounded up. Per character: ASCII letters, digits and
 * whitespace 1/3.5 of a token, ASCII punctuation 4/7, other characters by UTF-8 length (2 bytes,
 * e.g. accented Latin, Cyrillic, Greek, Arabic: 5/7; 3 bytes, e.g. CJK, Indic, curly quotes: 3/2;
 * 4 bytes, e.g. emoji: 5/2). `anthropic` adds 15% on top, because Claude's tokenizer is not
 * published and is reported to need more tokens than o200k_base for the same English text.
 *
 * Measured on `__fixtures__/token-samples.ts` (estimate / real count, against o200k_base and
 * cl100k_base, the latter standing in for Llama 3, whose vocabulary extends it): English prose
 * 1.36 / 1.34, player chat 1.30 / 1.25, pretty-printed JSON 1.04 / 1.05, compact JSON 1.18 / 1.34,
 * TypeScript 1.25 / 1.25, French 1.26 / 1.13, German 1.15 / 1.03, Spanish 1.23 / 1.05, Russian
 * 2.00 / 1.22, Chinese 1.58 / 1.07, Japanese 1.68 / 1.31, chat with emoji 1.46 / 1.27: never below
 * either real count on that sample. Tokenizers with small vocabularies (Llama 2, Mistral 7B: 32k
 * entries) need more tokens than these, above all outside English, and may exceed the estimate.
 */
export function estimateTextTokens(text: string, family: TokenizerFamily): number {
  return countText(text, family);
}

/** Framing tokens a chat format adds around the content. */
interface ChatShape {
  /** Added for every message, besides its role and content. */
  perMessage: number;
  /** Added once: the tokens that open the assistant's reply. */
  replyPriming: number;
  /** Added for every tool call inside an assistant message, besides its id, name and arguments. */
  perToolCall: number;
}

/** OpenAI's cookbook: `<|start|>{role}<|message|>{content}<|end|>` and `<|start|>assistant<|message|>`. */
const openaiShape: ChatShape = { perMessage: 3, replyPriming: 3, perToolCall: 3 };

/**
 * Llama 3's template, the most expensive of the open ones: `<|start_header_id|>`, role,
 * `<|end_header_id|>`, `\n\n`, content, `<|eot_id|>` is 4 tokens besides role and content, and the
 * reply opens with 5 (`<|begin_of_text|>` and an assistant header). The role's approximate count
 * (2 or 3) is added on top, so each message errs high by a token or two. Claude's format is not
 * published; the same allowance is used.
 */
const approximateShape: ChatShape = { perMessage: 4, replyPriming: 5, perToolCall: 5 };

/** OpenAI's cookbook counts 7 tokens around each function and 12 to close the tool list. */
const toolFraming = { perTool: 7, perList: 12 };

/**
 * Claude adds a tool-use system prompt of its own when tools are present; Anthropic's documentation
 * lists 264 to 530 tokens depending on the model and tool choice, 346 for current models.
 */
const anthropicToolSystemPromptTokens = 400;

function estimateToolTokens(tools: readonly ToolDefinition[], family: TokenizerFamily): number {
  if (tools.length === 0) return 0;
  let total = toolFraming.perList + (family === 'anthropic' ? anthropicToolSystemPromptTokens : 0);
  for (const tool of tools) {
    total += toolFraming.perTool + countText(tool.name, family) + countText(tool.description ?? '', family);
    total += countText(JSON.stringify(tool.parameters), family);
  }
  return total;
}

function countText(text: string, family: TokenizerFamily): number {
  if (text.length === 0) return 0;
  return family === 'openai' ? countO200k(text) : approximateCount(text, family);
}

// ---------------------------------------------------------------------------------------------
// Exact count for the OpenAI family.

let o200kEncoder: Tiktoken | undefined;

/** Building the encoder parses 200k ranks (about 0.7 s), so it is built on first use and kept. */
function o200k(): Tiktoken {
  o200kEncoder ??= new Tiktoken(o200kBase);
  return o200kEncoder;
}

/**
 * js-tiktoken's byte-pair merge is quadratic in the length of one pre-tokenised piece, so a long run
 * without whitespace (`aaaa...`, a pasted blob) takes seconds: 4,000 letters took 1.3 s, 16,000
 * took 19 s. Runs longer than this many characters are cut into pieces of this size and counted
 * apart, which keeps the worst case near the speed of ordinary CJK text and adds about 1% to the
 * count of such runs (a merge cannot span a cut). Ordinary prose never has such runs.
 */
const longestRunCounted = 32;
const longRun = new RegExp(`\\S{${longestRunCounted + 1},}|\\s{${longestRunCounted + 1},}`, 'gu');

function countO200k(text: string): number {
  const encoder = o200k();
  let total = 0;
  let start = 0;
  for (const match of text.matchAll(longRun)) {
    total += encodedLength(encoder, text.slice(start, match.index));
    const characters = Array.from(match[0]);
    for (let index = 0; index < characters.length; index += longestRunCounted) {
      total += encodedLength(encoder, characters.slice(index, index + longestRunCounted).join(''));
    }
    start = match.index + match[0].length;
  }
  return total + encodedLength(encoder, text.slice(start));
}

/**
 * Special-token text such as `<|endoftext|>` in a player's message is counted as ordinary text (as
 * the API does) instead of throwing, which js-tiktoken does by default.
 */
function encodedLength(encoder: Tiktoken, text: string): number {
  return text.length === 0 ? 0 : encoder.encode(text, [], []).length;
}

// ---------------------------------------------------------------------------------------------
// Approximation for every other family, in fourteenths of a token so the sum stays an integer.

const unitsPerToken = 14;
const asciiWordUnits = 4; // 1/3.5 of a token
const asciiPunctuationUnits = 8; // 4/7
const twoByteUnits = 10; // 5/7
const threeByteUnits = 21; // 3/2
const fourByteUnits = 35; // 5/2
/** Claude's margin over the generic approximation, in percent. */
const familyPercent: Record<Exclude<TokenizerFamily, 'openai'>, number> = {
  anthropic: 115,
  llama: 100,
  unknown: 100,
};

function approximateCount(text: string, family: Exclude<TokenizerFamily, 'openai'>): number {
  let units = 0;
  for (const character of text) {
    units += characterUnits(character.codePointAt(0) ?? 0);
  }
  return Math.ceil((units * familyPercent[family]) / (unitsPerToken * 100));
}

function characterUnits(codePoint: number): number {
  if (codePoint < 0x80) return isAsciiWordOrSpace(codePoint) ? asciiWordUnits : asciiPunctuationUnits;
  if (codePoint < 0x800) return twoByteUnits;
  if (codePoint < 0x10000) return threeByteUnits;
  return fourByteUnits;
}

function isAsciiWordOrSpace(codePoint: number): boolean {
  return (
    (codePoint >= 0x30 && codePoint <= 0x39) || // 0-9
    (codePoint >= 0x41 && codePoint <= 0x5a) || // A-Z
    (codePoint >= 0x61 && codePoint <= 0x7a) || // a-z
    codePoint === 0x20 ||
    (codePoint >= 0x09 && codePoint <= 0x0d) // tab, newlines
  );
}
