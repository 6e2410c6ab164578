import {
  estimateTokens,
  type ChatMessage,
  type TokenizerFamily,
  type ToolDefinition,
} from '@switchboard/core';

/**
 * Counts the prompt tokens of messages with core's `estimateTokens`, remembering each message's
 * count per tokenizer family. A session's messages are the same objects from one request to the
 * next, so a long conversation is counted once, not once per request and candidate.
 */
export class MessageTokenCounter {
  readonly #counts = new Map<TokenizerFamily, WeakMap<ChatMessage, number>>();
  readonly #priming = new Map<TokenizerFamily, number>();

  /** Tokens of one message in a prompt, framing included (without the reply priming). */
  count(message: ChatMessage, family: TokenizerFamily): number {
    let counts = this.#counts.get(family);
    if (counts === undefined) {
      counts = new WeakMap();
      this.#counts.set(family, counts);
    }
    let tokens = counts.get(message);
    if (tokens === undefined) {
      tokens = estimateTokens([message], { family }) - this.#primingOf(family);
      counts.set(message, tokens);
    }
    return tokens;
  }

  /** Tokens of a whole prompt: the messages, the reply priming and the tool definitions. */
  countPrompt(
    messages: readonly ChatMessage[],
    family: TokenizerFamily,
    tools?: ToolDefinition[] | undefined,
  ): number {
    let total = estimateTokens([], { family, tools });
    for (const message of messages) total += this.count(message, family);
    return total;
  }

  #primingOf(family: TokenizerFamily): number {
    let priming = this.#priming.get(family);
    if (priming === undefined) {
      priming = estimateTokens([], { family });
      this.#priming.set(family, priming);
    }
    return priming;
  }
}
