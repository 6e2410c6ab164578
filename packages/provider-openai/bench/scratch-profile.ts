import { startFaultServer } from '@switchboard/provider-sim/testing';
import { readOpenAIStream } from '../src/openai-stream-reader.ts';
import { createOpenAIClient } from '../src/openai-client.ts';

const server = await startFaultServer({ tokenDelayMs: 0 });
const body = { model: 'healthy', messages: [{ role: 'user' as const, content: 'hi' }], stream: true as const, stream_options: { include_usage: true } };
const rawBody = JSON.stringify(body);
const client = createOpenAIClient({ baseUrl: server.openaiBaseUrl, apiKey: 'x', headers: {} });
const opts = (drain: number) => ({ provider: 'p', modelId: 'm', expectUsage: true, usageGraceMs: 1000, drainWindowMs: drain, diagnostics: { malformedChunksSkipped: 0 }, signal: undefined });

const variants: Record<string, () => Promise<void>> = {
  raw: async () => {
    const r = await fetch(`${server.openaiBaseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: rawBody });
    const reader = r.body!.getReader();
    for (;;) { const { done } = await reader.read(); if (done) break; }
  },
  fetchReader: async () => {
    const r = await fetch(`${server.openaiBaseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: rawBody });
    for await (const _ of readOpenAIStream(r.body!, opts(250))) { /* */ }
  },
  clientRaw: async () => {
    const r = await client.chat.completions.create(body).asResponse();
    const reader = r.body!.getReader();
    for (;;) { const { done } = await reader.read(); if (done) break; }
  },
  clientReader: async () => {
    const r = await client.chat.completions.create(body).asResponse();
    for await (const _ of readOpenAIStream(r.body!, opts(250))) { /* */ }
  },
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const fn of Object.values(variants)) for (let i = 0; i < 30; i++) await fn();
for (let round = 0; round < 40; round++) {
  const names = Object.keys(variants);
  if (round % 2) names.reverse();
  for (const name of names) {
    for (let i = 0; i < 10; i++) { const s = performance.now(); await variants[name]!(); samples[name]!.push(performance.now() - s); }
  }
}
for (const [name, t] of Object.entries(samples)) { t.sort((a, b) => a - b); console.log(name.padEnd(14), t[Math.floor(t.length / 2)]!.toFixed(3), t[Math.floor(t.length * 0.25)]!.toFixed(3)); }
await server.close();
