import { createOpenAIClient } from '../src/openai-client.ts';
const stubFetch = async () => new Response('data: [DONE]\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } });
const client = createOpenAIClient({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'x', headers: {}, fetch: stubFetch as typeof fetch });
const body = { model: 'healthy', messages: [{ role: 'user' as const, content: 'hi' }], stream: true as const };
async function viaClient() { await client.chat.completions.create(body).asResponse(); }
async function viaStub() { await stubFetch(); JSON.stringify(body); }
for (const [name, fn] of [['stub', viaStub], ['client', viaClient], ['stub', viaStub], ['client', viaClient]] as const) {
  for (let i = 0; i < 2000; i++) await fn();
  const s = performance.now(); for (let i = 0; i < 20000; i++) await fn(); console.log(name, ((performance.now() - s) / 20000 * 1000).toFixed(1), 'µs/call');
}
