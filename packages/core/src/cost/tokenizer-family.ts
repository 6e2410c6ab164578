import type { ModelSpec } from '../registry/model-spec.ts';

/**
 * Which tokenizer counts a model's prompt. Only `openai` is counted exactly (o200k_base ships with
 * js-tiktoken); the others are approximated, because their tokenizers are either unpublished
 * (Claude) or different for every local model.
 */
export const tokenizerFamilies = ['openai', 'anthropic', 'llama', 'unknown'] as const;

/** One of {@link tokenizerFamilies}. */
export type TokenizerFamily = (typeof tokenizerFamilies)[number];

/** OpenAI's own model names: gpt-*, o1/o3/o4..., chatgpt-*, and fine-tunes of them. */
const openaiModelName = /^(ft:)?(gpt-|chatgpt-|o\d+(-|$)|text-embedding-|davinci|babbage)/;

/**
 * Picks the tokenizer family from what the registry says about a model. The model name wins over
 * the provider, because one provider hosts many families: OpenRouter's `openai/gpt-4o` is OpenAI's
 * tokenizer, `anthropic/claude-3.5-sonnet` Claude's, and an Azure deployment with a name of its own
 * is assumed to be OpenAI's. Anything unrecognised is `unknown`, which is approximated on the high
 * side.
 */
export function tokenizerFamilyFor(model: Pick<ModelSpec, 'provider' | 'providerModel'>): TokenizerFamily {
  const provider = model.provider.toLowerCase();
  const fullName = model.providerModel.toLowerCase();
  const slash = fullName.indexOf('/');
  const vendor = slash === -1 ? undefined : fullName.slice(0, slash);
  const name = slash === -1 ? fullName : fullName.slice(slash + 1);

  if (vendor === 'openai' || openaiModelName.test(name)) return 'openai';
  if (vendor === 'anthropic' || name.includes('claude')) return 'anthropic';
  if (vendor === 'meta-llama' || name.includes('llama')) return 'llama';
  if (vendor !== undefined) return 'unknown';
  if (provider === 'openai' || provider.startsWith('azure')) return 'openai';
  if (provider === 'anthropic') return 'anthropic';
  if (provider === 'ollama') return 'llama';
  return 'unknown';
}
