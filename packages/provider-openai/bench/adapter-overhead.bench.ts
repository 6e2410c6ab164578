/**
 * How much the adapter costs on top of the wire: 1,000 streamed completions of the fault server's
 * `healthy` model through `createOpenAICompatibleAdapter`, and 1,000 through a bare `fetch` with a
 * minimal SSE parse, interleaved in rounds (the order alternating) so machine noise hits both alike.
 * Prints a table for people and, last, one line of JSON for machines.
 */
import type { ChatRequest } from '@switchboard/core';
import { CANONICAL_ANSWER, startFaultServer } from '@switchboard/provider-sim/testing';
import { createOpenAICompatibleAdapter } from '../src/index.ts';

const callsPerVariant = 1000;
const rounds = 100;
const warmUpCalls = 200;

const request: ChatRequest = {
  messages: [
    { role: 'system', content: 'You are the narrator of a gentle text adventure.' },
    { role: 'user', content: 'I step into the greenhouse.' },
  ],
  maxOutputTokens: 256,
};

const server = await startFaultServer({ tokenDelayMs: 0 });
const adapter = createOpenAICompatibleAdapter({
  preset: 'openai',
  providerModel: 'healthy',
  baseUrl: server.openaiBaseUrl,
  env: { OPENAI_API_KEY: 'sk-bench' },
});

async function throughAdapter(): Promise<string> {
  const { stream } = await adapter.doStream(request);
  let text = '';
  for await (const part of stream) if (part.type === 'text-delta') text += part.delta;
  return text;
}

const rawBody = JSON.stringify({
  model: 'healthy',
  messages: request.messages,
  max_completion_tokens: 256,
  stream: true,
  stream_options: { include_usage: true },
});

/** What a hand-written client does: fetch, split lines, parse each `data:` line, read to the end. */
async function throughRawFetch(): Promise<string> {
  const response = await fetch(`${server.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: rawBody,
  });
  if (response.body === null) throw new Error('no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.startsWith('data: ') && line !== 'data: [DONE]') {
        const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
        text += chunk.choices?.[0]?.delta?.content ?? '';
      }
      newline = pending.indexOf('\n');
    }
  }
  return text;
}

async function timeCalls(call: () => Promise<string>, count: number, into: number[]): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const text = await call();
    into.push(performance.now() - started);
    if (text !== CANONICAL_ANSWER) throw new Error('a benchmark call returned the wrong text');
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summarise(samples: number[]) {
  const sorted = [...samples].sort((left, right) => left - right);
  return {
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    total: samples.reduce((sum, value) => sum + value, 0),
  };
}

try {
  await timeCalls(throughAdapter, warmUpCalls, []);
  await timeCalls(throughRawFetch, warmUpCalls, []);
  const adapterSamples: number[] = [];
  const rawSamples: number[] = [];
  const perRound = callsPerVariant / rounds;
  for (let round = 0; round < rounds; round += 1) {
    server.reset();
    if (round % 2 === 0) {
      await timeCalls(throughAdapter, perRound, adapterSamples);
      await timeCalls(throughRawFetch, perRound, rawSamples);
    } else {
      await timeCalls(throughRawFetch, perRound, rawSamples);
      await timeCalls(throughAdapter, perRound, adapterSamples);
    }
  }
  const adapterStats = summarise(adapterSamples);
  const rawStats = summarise(rawSamples);
  const ratio = adapterStats.median / rawStats.median;
  const format = (value: number) => value.toFixed(3).padStart(10);
  console.log(`adapter overhead: ${callsPerVariant} streamed completions each, ${rounds} interleaved rounds`);
  console.log(
    `${'variant'.padEnd(10)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(10)} ${'total ms'.padStart(10)}`,
  );
  for (const [name, stats] of [
    ['adapter', adapterStats],
    ['raw fetch', rawStats],
  ] as const) {
    console.log(`${name.padEnd(10)} ${format(stats.median)} ${format(stats.p95)} ${format(stats.total)}`);
  }
  console.log(`ratio adapter/raw (medians): ${ratio.toFixed(3)} (target <= 1.3)`);
  console.log(JSON.stringify({ bench: 'adapter-overhead', ratio: Number(ratio.toFixed(3)) }));
} finally {
  await server.close();
}
