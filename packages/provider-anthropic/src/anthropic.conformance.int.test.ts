import { runAdapterConformanceSuite } from '@switchboard/provider-sim/testing';
import { createAnthropicAdapter } from './anthropic-adapter.ts';
import { anthropicAdapterCapabilities } from './anthropic-capabilities.ts';

/**
 * The shared adapter conformance suite, run through real HTTP against the fault server's
 * Anthropic route (`POST /anthropic/v1/messages`; the SDK appends `/v1/messages` to the base URL).
 */
runAdapterConformanceSuite({
  name: 'provider-anthropic',
  createAdapter: ({ server, model }) =>
    createAnthropicAdapter({
      model,
      baseURL: server.anthropicBaseUrl,
      env: { ANTHROPIC_API_KEY: 'sk-ant-conformance-test' },
    }),
  supports: { tools: anthropicAdapterCapabilities.tools, jsonMode: anthropicAdapterCapabilities.jsonMode },
});
