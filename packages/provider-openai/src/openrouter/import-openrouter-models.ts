import {
  SwitchboardValidationError,
  type ModelCapabilities,
  type ModelPrice,
  type ModelSpecInput,
  usdPerTokenToMicrosPerMillion,
} from '@switchboard/core';
import {
  readArray,
  readCount,
  readRecord,
  readString,
  readStringArray,
  type JsonRecord,
} from '../wire/lenient-json.ts';

/**
 * A registry entry as far as a catalogue can fill it in. Safety tier, quality priors and latency
 * priors are left out on purpose: they are judgements about how a model treats vulnerable players,
 * which a price list cannot make. A person completes the draft before it enters the registry.
 */
export type ModelSpecDraft = Omit<ModelSpecInput, 'safetyTier' | 'qualityPriors' | 'latencyPriors'>;

/** One imported model: its draft (price included) and what the draft could not express. */
export interface OpenRouterImportedModel {
  draft: ModelSpecDraft;
  /** The draft's price, also here for callers that only want prices. `null` when unknown. */
  price: ModelPrice | null;
  /** Facts from the listing the draft cannot carry, such as a per-request fee, in words. */
  notes: string[];
}

/** A listing entry that was not imported, and why. */
export interface OpenRouterSkippedModel {
  /** Position in `data`. */
  index: number;
  /** The entry's id, when it had one. */
  id: string | undefined;
  reason: string;
}

/** Everything one listing produced. */
export interface OpenRouterImport {
  models: OpenRouterImportedModel[];
  skipped: OpenRouterSkippedModel[];
}

/** How the drafts are named and priced. */
export interface OpenRouterImportOptions {
  /** Stamped on every price, so ledger rows can say which list they were billed at. */
  priceVersion: string;
  /** The registry provider id the drafts belong to. Default `openrouter`. */
  providerId?: string | undefined;
  /** Output limit for models whose listing gives none. Default 4096 (capped at the window). */
  defaultMaxOutputTokens?: number | undefined;
}

const pricedFields = new Set([
  'prompt',
  'completion',
  'input_cache_read',
  'input_cache_write',
  'internal_reasoning',
]);

/** A rate that is only set when positive: a `"0"` there means "no separate rate", not "free". */
function positiveRate(value: unknown): number | undefined {
  const micros = usdPerTokenToMicrosPerMillion(value);
  return micros !== undefined && micros > 0 ? micros : undefined;
}

function readPrice(pricing: JsonRecord | undefined, version: string, notes: string[]): ModelPrice | null {
  const input = usdPerTokenToMicrosPerMillion(pricing?.prompt);
  const output = usdPerTokenToMicrosPerMillion(pricing?.completion);
  if (input === undefined || output === undefined) {
    notes.push(
      'the listing gives no fixed token price (routers are priced by the model they pick): price unknown',
    );
    return null;
  }
  const price: ModelPrice = { inputPerMillionMicros: input, outputPerMillionMicros: output, version };
  const cacheRead = positiveRate(pricing?.input_cache_read);
  const cacheWrite = positiveRate(pricing?.input_cache_write);
  const reasoning = positiveRate(pricing?.internal_reasoning);
  if (cacheRead !== undefined) price.cacheReadPerMillionMicros = cacheRead;
  if (cacheWrite !== undefined) price.cacheWritePerMillionMicros = cacheWrite;
  if (reasoning !== undefined) price.reasoningPerMillionMicros = reasoning;
  for (const [field, value] of Object.entries(pricing ?? {})) {
    if (pricedFields.has(field)) continue;
    const micros = usdPerTokenToMicrosPerMillion(value);
    if (micros !== undefined && micros > 0)
      notes.push(`pricing.${field} = ${String(value)} USD is not part of the price`);
  }
  return price;
}

function producesText(architecture: JsonRecord | undefined): boolean {
  const outputs = readStringArray(architecture?.output_modalities);
  if (outputs !== undefined && outputs.length > 0) return outputs.includes('text');
  const modality = readString(architecture?.modality);
  return modality === undefined || (modality.split('->')[1] ?? modality).includes('text');
}

function readCapabilities(parameters: string[]): ModelCapabilities {
  return {
    streaming: true,
    tools: parameters.includes('tools'),
    jsonMode: parameters.includes('response_format') || parameters.includes('structured_outputs'),
    systemRole: true,
    assistantPrefill: false,
  };
}

function importEntry(
  entry: JsonRecord,
  options: OpenRouterImportOptions,
): OpenRouterImportedModel | { reason: string } {
  const id = readString(entry.id);
  if (id === undefined || id === '') return { reason: 'no id' };
  const architecture = readRecord(entry.architecture);
  if (!producesText(architecture)) return { reason: 'does not produce text' };
  const topProvider = readRecord(entry.top_provider);
  const contextWindow = readCount(entry.context_length) ?? readCount(topProvider?.context_length);
  if (contextWindow === undefined || contextWindow === 0) return { reason: 'no context length' };

  const notes: string[] = [];
  const listedMaxOutput = readCount(topProvider?.max_completion_tokens);
  let maxOutputTokens = Math.min(listedMaxOutput ?? options.defaultMaxOutputTokens ?? 4096, contextWindow);
  if (maxOutputTokens === 0) maxOutputTokens = contextWindow;
  if (listedMaxOutput === undefined)
    notes.push(`no max_completion_tokens listed: assumed ${maxOutputTokens}`);
  const price = readPrice(readRecord(entry.pricing), options.priceVersion, notes);
  const providerId = options.providerId ?? 'openrouter';
  const name = readString(entry.name);
  const draft: ModelSpecDraft = {
    id: `${providerId}/${id}`,
    provider: providerId,
    providerModel: id,
    ...(name === undefined ? {} : { displayName: name }),
    contextWindow,
    maxOutputTokens,
    capabilities: readCapabilities(readStringArray(entry.supported_parameters) ?? []),
    price,
    privacy: { local: false, zeroRetention: false },
    tags: ['openrouter'],
  };
  return { draft, price, notes };
}

/**
 * Reads OpenRouter's `GET /api/v1/models` answer into registry drafts with prices. OpenRouter's
 * prices are strings of USD per token; they become integer micro-dollars per million tokens,
 * exactly. Parsing is lenient: each entry is read for the fields we use, and an entry that cannot
 * become a chat model (no id, no window, image output only) is skipped with a reason instead of
 * failing the whole listing. Only a listing without a `data` array is rejected.
 */
export function importOpenRouterModels(listing: unknown, options: OpenRouterImportOptions): OpenRouterImport {
  const data = readArray(readRecord(listing)?.data);
  if (data === undefined) {
    const message = 'expected the body of GET /api/v1/models: an object with a "data" array';
    throw new SwitchboardValidationError(`Invalid OpenRouter listing: data: ${message}`, [
      { path: ['data'], message },
    ]);
  }
  const result: OpenRouterImport = { models: [], skipped: [] };
  data.forEach((value, index) => {
    const entry = readRecord(value);
    const imported = entry === undefined ? { reason: 'not an object' } : importEntry(entry, options);
    if ('draft' in imported) result.models.push(imported);
    else result.skipped.push({ index, id: readString(entry?.id), reason: imported.reason });
  });
  return result;
}
