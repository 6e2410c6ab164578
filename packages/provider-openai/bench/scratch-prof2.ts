import { createServer } from 'node:http';
import { readOpenAIStream } from '../src/openai-stream-reader.ts';
import { readFileSync } from 'node:fs';
import { createOpenAIClient } from '../src/openai-client.ts';
// Serve a fixed SSE body from a separate process-free server to remove fault-server noise.
const tokens = Array.from({ length: 60 }, (_, i) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: ` tok${i}` }, finish_reason: null }], usage: null })}\n\n`);
const tail = [`data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null })}\n\n`, `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 5, completion_tokens: 60 } })}\n\n`, 'data: [DONE]\n\n'];
void readFileSync;
const server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'text/event-stream' }); for (const t of tokens) res.write(t); for (const t of tail) res.write(t); res.end(); }); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
let mode = process.argv[2];
const stainless = { accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'OpenAI/JS 6.49.0', 'x-stainless-retry-count': '0', 'x-stainless-timeout': '86400', 'x-stainless-lang': 'js', 'x-stainless-package-version': '6.49.0', 'x-stainless-os': 'Linux', 'x-stainless-arch': 'x64', 'x-stainless-runtime': 'node', 'x-stainless-runtime-version': 'v20.20.2', authorization: 'Bearer x' };
const client = createOpenAIClient({ baseUrl: url, apiKey: 'x', headers: {} });
const body = { model: 'healthy', messages: [{ role: 'user' as const, content: 'hi' }], stream: true as const };
async function one() {
  if (mode === 'rawHeaders') { const r = await fetch(url, { method: 'POST', body: '{}', headers: stainless, signal: new AbortController().signal }); const reader = r.body!.getReader(); const d = new TextDecoder(); for (;;) { const { done, value } = await reader.read(); if (done) break; const s = d.decode(value, { stream: true }); for (const line of s.split('\n')) if (line.startsWith('data: {')) JSON.parse(line.slice(6)); } return; }
  const r = mode === 'client' || mode === 'clientReader' ? await client.chat.completions.create(body).asResponse() : await fetch(url, { method: 'POST', body: '{}' });
  if (mode === 'client') { const reader = r.body!.getReader(); const d = new TextDecoder(); for (;;) { const { done, value } = await reader.read(); if (done) break; const s = d.decode(value, { stream: true }); for (const line of s.split('\n')) if (line.startsWith('data: {')) JSON.parse(line.slice(6)); } return; }
  if (mode === 'raw') { const reader = r.body!.getReader(); const d = new TextDecoder(); for (;;) { const { done, value } = await reader.read(); if (done) break; const s = d.decode(value, { stream: true }); for (const line of s.split('\n')) if (line.startsWith('data: {')) JSON.parse(line.slice(6)); } return; }
  for await (const _ of readOpenAIStream(r.body!, { provider: 'p', modelId: 'm', expectUsage: true, usageGraceMs: 1000, drainWindowMs: 250, diagnostics: { malformedChunksSkipped: 0 }, signal: undefined })) { /* */ }
}
const modes = process.argv.slice(2);
const samples: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
for (const m of modes) { mode = m; for (let i = 0; i < 100; i++) await one(); }
for (let round = 0; round < 100; round++) {
  const order = round % 2 ? [...modes].reverse() : modes;
  for (const m of order) { mode = m; for (let i = 0; i < 10; i++) { const st = performance.now(); await one(); samples[m]!.push(performance.now() - st); } }
}
for (const m of modes) { const t = samples[m]!.sort((a, b) => a - b); console.log(m.padEnd(14), t[t.length >> 1]!.toFixed(3), t[t.length >> 2]!.toFixed(3)); }
server.close(); server.closeAllConnections();
