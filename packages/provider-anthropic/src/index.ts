/**
 * @switchboard/provider-anthropic: the adapter for the Anthropic Messages API, built on the
 * official `@anthropic-ai/sdk` client and implementing core's `ChatModelAdapterV1`.
 */
export {
  createAnthropicAdapter,
  defaultAnthropicBaseUrl,
  type AnthropicAdapterOptions,
} from './anthropic-adapter.ts';
export {
  createAdapterFromProviderSpec,
  type AnthropicProviderSpecOptions,
} from './anthropic-provider-spec.ts';
export { anthropicAdapterCapabilities } from './anthropic-capabilities.ts';
export {
  convertToAnthropicRequest,
  type AnthropicRequestBody,
  type AnthropicRequestSettings,
} from './convert-to-anthropic-request.ts';
export { mapAnthropicResponse } from './map-anthropic-response.ts';
export { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';
export { mapAnthropicUsage } from './map-anthropic-usage.ts';
