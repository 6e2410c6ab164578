import { startFaultServer } from '@switchboard/provider-sim/testing';
import { readOpenAIStream } from '../src/openai-stream-reader.ts';
import { createOpenAIClient } from '../src/openai-client.ts';

const server = await startFaultServer({ tokenDelayMs: 0 });
const body = { model: 'healthy', messages: [{ role: 'user' as const, content: 'hi' }], stream: true as const, stream_options: { include_usage: true } };
const rawBody = JSON.stringify(body);
const client = createOpenAIClient({ baseUrl: server.openaiBaseUrl, apiKey: 'x', headers: {} });

async function rawFetch() {
  const r = await fetch(`${server.openaiBaseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: rawBody });
  const reader = r.body!.getReader();
  for (;;) { const { done } = await reader.read(); if (done) break; }
}
async function fetchPlusReader(drain: number) {
  const r = await fetch(`${server.openaiBaseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: rawBody });
  for await (const _ of readOpenAIStream(r.body!, { provider: 'p', modelId: 'm', expectUsage: true, usageGraceMs: 1000, drainWindowMs: drain, diagnostics: { malformedChunksSkipped: 0 }, signal: undefined })) { /* */ }
}
async function clientRaw() {
  const r = await client.chat.completions.create(body).asResponse();
  const reader = r.body!.getReader();
  for (;;) { const { done } = await reader.read(); if (done) break; }
}
async function clientPlusReader() {
  const r = await client.chat.completions.create(body).asResponse();
  for await (const _ of readOpenAIStream(r.body!, { provider: 'p', modelId: 'm', expectUsage: true, usageGraceMs: 1000, drainWindowMs: 250, diagnostics: { malformedChunksSkipped: 0 }, signal: undefined })) { /* */ }
}
async function clientPlusReaderNoUsage() {
  const r = await client.chat.completions.create(body).asResponse();
  for await (const _ of readOpenAIStream(r.body!, { provider: 'p', modelId: 'm', expectUsage: true, usageGraceMs: 1000, drainWindowMs: 250, diagnostics: { malformedChunksSkipped: 0 }, signal: undefined })) { /* */ }
}
async function measure(name: string, fn: () => Promise<void>) {
  for (let i = 0; i < 50; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < 300; i++) { const s = performance.now(); await fn(); t.push(performance.now() - s); }
  t.sort((a, b) => a - b);
  console.log(name.padEnd(24), t[150]!.toFixed(3), t[285]!.toFixed(3));
}
for (let k = 0; k < 2; k++) {
  await measure('raw', rawFetch);
  await measure('fetch+reader', () => fetchPlusReader(250));
  await measure('client raw', clientRaw);
  await measure('client+reader', clientPlusReader);
}
void clientPlusReaderNoUsage;
await server.close();
