import { runAdapterConformanceSuite } from '@switchboard/provider-sim/testing';
import { createOpenAICompatibleAdapter } from './openai-compatible-adapter.ts';
import type { OpenAICompatiblePresetName } from './openai-compatible-presets.ts';

/** A dummy key for every preset that needs one: the fault server accepts any. */
const env = { OPENAI_API_KEY: 'sk-conformance', OPENROUTER_API_KEY: 'sk-or-conformance' };

const presets: OpenAICompatiblePresetName[] = ['openai', 'openrouter', 'ollama'];

for (const preset of presets) {
  runAdapterConformanceSuite({
    name: `openai-compatible (${preset} preset)`,
    createAdapter: ({ server, model }) =>
      createOpenAICompatibleAdapter({ preset, providerModel: model, baseUrl: server.openaiBaseUrl, env }),
    supports: { tools: true, jsonMode: true },
  });
}

// The same contract through an injected `fetch`, the transport for proxies and runtimes without
// `node:http`.
runAdapterConformanceSuite({
  name: 'openai-compatible (openai preset, injected fetch)',
  createAdapter: ({ server, model }) =>
    createOpenAICompatibleAdapter({
      preset: 'openai',
      providerModel: model,
      baseUrl: server.openaiBaseUrl,
      env,
      fetch: (input, init) => globalThis.fetch(input, init),
    }),
  supports: { tools: true, jsonMode: true },
});
