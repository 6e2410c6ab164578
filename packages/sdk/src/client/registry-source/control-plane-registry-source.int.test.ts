import type { RegistrySnapshot } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  labelledSnapshot,
  startControlPlaneStub,
  type ControlPlaneStub,
} from './__fixtures__/control-plane-stub.ts';
import {
  createControlPlaneRegistrySource,
  type ControlPlaneRegistrySource,
  type ControlPlaneRegistrySourceOptions,
} from './control-plane-registry-source.ts';
import type { RegistrySourceProblem } from './registry-source.ts';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stub(initial = labelledSnapshot(1, 'one')): Promise<ControlPlaneStub> {
  const started = await startControlPlaneStub(initial);
  cleanups.push(() => started.close());
  return started;
}

async function source(options: ControlPlaneRegistrySourceOptions): Promise<{
  source: ControlPlaneRegistrySource;
  problems: RegistrySourceProblem[];
  seen: RegistrySnapshot[];
}> {
  const problems: RegistrySourceProblem[] = [];
  const created = await createControlPlaneRegistrySource({
    pollIntervalMs: 60_000,
    onProblem: (problem) => problems.push(problem),
    ...options,
  });
  cleanups.push(() => created.close());
  const seen: RegistrySnapshot[] = [];
  created.subscribe((snapshot) => seen.push(snapshot));
  return { source: created, problems, seen };
}

/** Polls until `condition` holds; the test's own timeout bounds the wait. */
async function eventually(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('createControlPlaneRegistrySource against a loopback control plane', () => {
  it('loads the snapshot, then asks with If-None-Match and treats 304 as unchanged', async () => {
    const server = await stub();
    const { source: live, seen } = await source({ baseUrl: server.baseUrl, apiKey: 'key-1', events: false });
    expect(live.current()).toEqual(labelledSnapshot(1, 'one'));

    expect(await live.refresh()).toBe(false);
    expect(server.snapshotRequests).toEqual([
      { ifNoneMatch: undefined, status: 200, authorization: 'Bearer key-1' },
      { ifNoneMatch: `"${labelledSnapshot(1, 'one').hash}"`, status: 304, authorization: 'Bearer key-1' },
    ]);
    expect(seen).toHaveLength(0);
  });

  it('adopts a change announced on the event stream without waiting for the next poll', async () => {
    const server = await stub();
    const { source: live, seen } = await source({ baseUrl: server.baseUrl });
    await eventually(() => server.openEventStreams() === 1);

    server.publish(labelledSnapshot(2, 'two'));
    await eventually(() => live.current().version === 2);
    expect(live.current().models[0]?.displayName).toBe('two');
    expect(seen.map((snapshot) => snapshot.version)).toEqual([2]);
  });

  it('reconnects a dropped event stream and catches up on changes made while it was down', async () => {
    const server = await stub();
    const { source: live, problems } = await source({ baseUrl: server.baseUrl });
    await eventually(() => server.openEventStreams() === 1);

    server.dropEventStreams();
    server.publish(labelledSnapshot(2, 'two'), false);
    await eventually(() => live.current().version === 2);
    expect(server.eventConnections).toBeGreaterThanOrEqual(2);
    expect(problems.some((problem) => problem.kind === 'events-disconnected')).toBe(true);
  });

  it('picks up changes by polling when events are off', async () => {
    const server = await stub();
    const { source: live } = await source({ baseUrl: server.baseUrl, events: false, pollIntervalMs: 20 });
    server.publish(labelledSnapshot(2, 'two'));
    await eventually(() => live.current().version === 2);
    expect(server.eventConnections).toBe(0);
  });

  it('keeps the last good snapshot through errors, invalid bodies, forged hashes and stale versions', async () => {
    const server = await stub(labelledSnapshot(5, 'five'));
    const { source: live, problems, seen } = await source({ baseUrl: server.baseUrl, events: false });
    const forged = {
      ...labelledSnapshot(6, 'six'),
      hash: labelledSnapshot(5, 'five').hash.replace(/^./, '0'),
    };
    server.overrides.push(
      { kind: 'status', status: 500 },
      { kind: 'body', body: '{"not json' },
      { kind: 'snapshot', snapshot: { ...labelledSnapshot(6, 'six'), models: 'none' } },
      { kind: 'snapshot', snapshot: forged },
      { kind: 'snapshot', snapshot: labelledSnapshot(4, 'four') },
    );
    for (let attempt = 0; attempt < 5; attempt++) expect(await live.refresh()).toBe(false);

    expect(live.current()).toEqual(labelledSnapshot(5, 'five'));
    expect(seen).toHaveLength(0);
    expect(problems.map((problem) => problem.kind)).toEqual([
      'fetch-failed',
      'invalid-snapshot',
      'invalid-snapshot',
      'invalid-snapshot',
    ]);
    expect(problems[0]).toMatchObject({ status: 500 });
    expect(problems[3]?.message).toMatch(/does not match its hash/);

    server.publish(labelledSnapshot(6, 'six'));
    expect(await live.refresh()).toBe(true);
    expect(live.current().version).toBe(6);
  });

  it('fails start-up with advice when the control plane refuses the key and there is no fallback', async () => {
    const server = await stub();
    server.overrides.push({ kind: 'status', status: 401 });
    await expect(
      createControlPlaneRegistrySource({ baseUrl: server.baseUrl, events: false }),
    ).rejects.toThrow(/HTTP 401: check the apiKey/);
  });

  it('starts on the fallback snapshot when the control plane is down, and switches once it answers', async () => {
    const server = await stub(labelledSnapshot(3, 'three'));
    server.overrides.push({ kind: 'status', status: 503 });
    const fallback = labelledSnapshot(1, 'fallback');
    const { source: live, problems } = await source({
      baseUrl: server.baseUrl,
      events: false,
      pollIntervalMs: 20,
      fallbackSnapshot: fallback,
    });
    expect(live.current()).toBe(fallback);
    expect(problems[0]).toMatchObject({ kind: 'fetch-failed', status: 503 });
    await eventually(() => live.current().version === 3);
  });

  it('closes its event stream and stops polling on close()', async () => {
    const server = await stub();
    const live = await createControlPlaneRegistrySource({ baseUrl: server.baseUrl, pollIntervalMs: 10 });
    await eventually(() => server.openEventStreams() === 1);
    await live.close();
    await eventually(() => server.openEventStreams() === 0);
    const requests = server.snapshotRequests.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.snapshotRequests.length).toBe(requests);
    expect(live.current().version).toBe(1);
  });
});
