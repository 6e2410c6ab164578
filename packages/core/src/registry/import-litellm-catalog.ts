import { z } from 'zod';
import { usdPerTokenToMicrosPerMillion } from '../cost/usd-per-token.ts';
import type { ModelCapabilities, ModelPrice, ModelSpec } from './model-spec.ts';

/**
 * A model as far as a price catalog can describe it. Safety tier, priors and privacy are judgements
 * a catalog cannot make, so a draft is completed by a person (or merged into an existing model)
 * before it enters the registry. `contextWindow` and `maxOutputTokens` are absent when the catalog
 * does not give them.
 */
export type CatalogModelDraft = Pick<ModelSpec, 'id' | 'provider' | 'providerModel' | 'capabilities'> &
  Partial<Pick<ModelSpec, 'contextWindow' | 'maxOutputTokens'>> & { price: ModelPrice };

/** A catalog entry that was wanted but not imported, and why, so an operator can check the list. */
export interface CatalogSkip {
  /** The entry's key in the catalog. */
  key: string;
  reason: string;
}

/** What {@link importLiteLlmCatalog} found. */
export interface CatalogImport {
  /**
   * Prices keyed by the provider's model name (the catalog key without a `provider/` prefix), which
   * is what {@link applyCatalogPrices} matches registry models on.
   */
  prices: Map<string, ModelPrice>;
  /** One draft per imported entry, in catalog order. */
  models: CatalogModelDraft[];
  skipped: CatalogSkip[];
}

/** Which entries to import and how to label their prices. */
export interface CatalogImportOptions {
  /** Stamped on every price, so each ledger row can say which list it was billed at (`litellm-2026-07-24`). */
  priceVersion: string;
  /** Only entries whose `litellm_provider` is this (`openai`, `anthropic`, ...). Others are left out silently. */
  provider?: string | undefined;
  /**
   * Only these entries, by catalog key or provider model name. Others are left out silently; a
   * name not found in the catalog is reported in `skipped`.
   */
  only?: readonly string[] | undefined;
}

const dollarsPerToken = z.number().nonnegative();
const tokenCount = z.number().int().positive();

/**
 * The fields of a LiteLLM entry that Switchboard reads. Lenient: every other field (and LiteLLM
 * adds new ones often) is ignored, and each read field is optional so the reason for a skip can be
 * specific.
 */
const catalogEntrySchema = z.object({
  mode: z.string().optional(),
  litellm_provider: z.string().min(1).optional(),
  input_cost_per_token: dollarsPerToken.optional(),
  output_cost_per_token: dollarsPerToken.optional(),
  cache_read_input_token_cost: dollarsPerToken.optional(),
  cache_creation_input_token_cost: dollarsPerToken.optional(),
  output_cost_per_reasoning_token: dollarsPerToken.optional(),
  max_input_tokens: tokenCount.optional(),
  max_output_tokens: tokenCount.optional(),
  supports_function_calling: z.boolean().optional(),
  supports_response_schema: z.boolean().optional(),
  supports_system_messages: z.boolean().optional(),
  supports_assistant_prefill: z.boolean().optional(),
  supports_native_streaming: z.boolean().optional(),
});
type CatalogEntry = z.output<typeof catalogEntrySchema>;

/**
 * Reads a LiteLLM-format price catalog (`model_prices_and_context_window.json`) into prices and
 * model drafts. Only `mode: chat` entries with an input and an output price are imported; every
 * other entry that was wanted is listed in `skipped` with the reason.
 *
 * Context window: LiteLLM's `max_input_tokens` is the provider's advertised context window (128,000
 * for gpt-4o, 200,000 for Claude), which prompt and answer share; `max_output_tokens` is how much of
 * it one answer may take. `ModelSpec.contextWindow` means prompt and output together, so it is
 * `max_input_tokens`, not the sum: the sum would overstate gpt-4o's window as 144,384 and selection
 * would send prompts the provider rejects. For the few providers whose prompt limit excludes the
 * output this errs on the safe side. `maxOutputTokens` is capped at the window.
 *
 * Capabilities: tools from `supports_function_calling`, JSON mode from `supports_response_schema`,
 * assistant prefill from `supports_assistant_prefill` (absent: no), system role from
 * `supports_system_messages` (absent: yes, since LiteLLM leaves it out for providers such as
 * Anthropic that do accept a system prompt; only an explicit `false` turns it off), streaming
 * unless `supports_native_streaming` is explicitly `false`.
 */
export function importLiteLlmCatalog(catalog: unknown, options: CatalogImportOptions): CatalogImport {
  const result: CatalogImport = { prices: new Map(), models: [], skipped: [] };
  const entries = z.record(z.string(), z.unknown()).safeParse(catalog);
  if (!entries.success) {
    result.skipped.push({ key: '(root)', reason: 'the catalog is not a JSON object of model entries' });
    return result;
  }
  const wanted = options.only === undefined ? undefined : new Set(options.only);
  const found = new Set<string>();
  const sourceOf = new Map<string, string>();

  for (const [key, raw] of Object.entries(entries.data)) {
    if (key === 'sample_spec') continue; // LiteLLM's documentation of the format, not a model.
    const provider =
      isRecord(raw) && typeof raw.litellm_provider === 'string' ? raw.litellm_provider : undefined;
    const providerModel =
      provider !== undefined && key.startsWith(`${provider}/`) ? key.slice(provider.length + 1) : key;
    if (options.provider !== undefined && provider !== options.provider) continue;
    if (wanted !== undefined) {
      if (!wanted.has(key) && !wanted.has(providerModel)) continue;
      found.add(key).add(providerModel);
    }
    const outcome = readEntry(raw, providerModel, options.priceVersion);
    if (typeof outcome === 'string') {
      result.skipped.push({ key, reason: outcome });
      continue;
    }
    const earlier = sourceOf.get(providerModel);
    if (earlier !== undefined) {
      // LiteLLM repeats models under resellers (`azure/gpt-4o`): the unprefixed first-party row wins,
      // otherwise the first one.
      const keepEarlier = earlier === providerModel || key !== providerModel;
      const [kept, dropped] = keepEarlier ? [earlier, key] : [key, earlier];
      result.skipped.push({
        key: dropped,
        reason: `same model name as "${kept}", which is kept; import with the provider option to choose`,
      });
      if (keepEarlier) continue;
      result.models = result.models.filter((model) => model.providerModel !== providerModel);
    }
    sourceOf.set(providerModel, key);
    result.prices.set(providerModel, outcome.price);
    result.models.push(outcome);
  }
  for (const name of wanted ?? []) {
    if (found.has(name)) continue;
    const scope = options.provider === undefined ? '' : ` for provider "${options.provider}"`;
    result.skipped.push({ key: name, reason: `not in the catalog${scope}` });
  }
  return result;
}

/** A draft, or the reason the entry cannot become one. */
function readEntry(raw: unknown, providerModel: string, priceVersion: string): CatalogModelDraft | string {
  if (!isRecord(raw)) return 'not an object';
  const parsed = catalogEntrySchema.safeParse(raw);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  }
  const entry = parsed.data;
  if (entry.mode !== 'chat') {
    return entry.mode === undefined
      ? 'no mode; only chat models are imported'
      : `mode "${entry.mode}" is not chat`;
  }
  if (entry.litellm_provider === undefined) return 'no litellm_provider, so the provider is unknown';
  const price = readPrice(entry, priceVersion);
  if (typeof price === 'string') return price;

  const draft: CatalogModelDraft = {
    id: `${entry.litellm_provider}/${providerModel}`,
    provider: entry.litellm_provider,
    providerModel,
    capabilities: readCapabilities(entry),
    price,
  };
  if (entry.max_input_tokens !== undefined) draft.contextWindow = entry.max_input_tokens;
  if (entry.max_output_tokens !== undefined) {
    draft.maxOutputTokens = Math.min(
      entry.max_output_tokens,
      entry.max_input_tokens ?? entry.max_output_tokens,
    );
  }
  return draft;
}

function readPrice(entry: CatalogEntry, version: string): ModelPrice | string {
  if (entry.input_cost_per_token === undefined || entry.output_cost_per_token === undefined) {
    return 'no price: input_cost_per_token and output_cost_per_token are both needed';
  }
  if (entry.input_cost_per_token === 0 && entry.output_cost_per_token === 0) {
    // A hosted model is not free; a zero in a catalog means nobody filled it in. Local models get
    // their zero price in the registry, where it is a decision rather than a gap.
    return 'price is zero for both input and output, which Switchboard treats as unknown rather than free';
  }
  const input = usdPerTokenToMicrosPerMillion(entry.input_cost_per_token);
  const output = usdPerTokenToMicrosPerMillion(entry.output_cost_per_token);
  if (input === undefined || output === undefined) return 'price too large to hold in micro-dollars';
  const price: ModelPrice = { inputPerMillionMicros: input, outputPerMillionMicros: output, version };
  const cacheRead = usdPerTokenToMicrosPerMillion(entry.cache_read_input_token_cost);
  if (cacheRead !== undefined) price.cacheReadPerMillionMicros = cacheRead;
  const cacheWrite = usdPerTokenToMicrosPerMillion(entry.cache_creation_input_token_cost);
  if (cacheWrite !== undefined) price.cacheWritePerMillionMicros = cacheWrite;
  const reasoning = usdPerTokenToMicrosPerMillion(entry.output_cost_per_reasoning_token);
  if (reasoning !== undefined) price.reasoningPerMillionMicros = reasoning;
  return price;
}

function readCapabilities(entry: CatalogEntry): ModelCapabilities {
  return {
    streaming: entry.supports_native_streaming !== false,
    tools: entry.supports_function_calling === true,
    jsonMode: entry.supports_response_schema === true,
    systemRole: entry.supports_system_messages !== false,
    assistantPrefill: entry.supports_assistant_prefill === true,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
