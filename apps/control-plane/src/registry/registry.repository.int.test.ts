import {
  buildRegistrySnapshot,
  defaultRegistryContent,
  hashRegistryContent,
  type RegistryContent,
} from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets, type TestDatabase } from '../database/__fixtures__/test-databases.ts';
import { openDatabase, type OpenedDatabase } from '../database/open-database.ts';
import { RegistryRepository, type RegistryUnitOfWork } from './registry.repository.ts';

const content = defaultRegistryContent();
const stamp = (version: number) => ({
  version,
  createdAt: `2026-07-24T12:00:${String(version % 60).padStart(2, '0')}.000Z`,
});

/** Seeds `content` as one change, the way the service does on first start. */
async function writeAll(unit: RegistryUnitOfWork, registry: RegistryContent): Promise<void> {
  const snapshot = buildRegistrySnapshot(registry, stamp(unit.state.version + 1));
  for (const provider of snapshot.providers) {
    await unit.insert(
      'providers',
      { id: provider.id, spec: provider, enabled: provider.enabled },
      snapshot.createdAt,
    );
  }
  for (const model of snapshot.models) {
    await unit.insert('models', { id: model.id, spec: model, enabled: model.enabled }, snapshot.createdAt);
  }
  for (const policy of snapshot.policies) {
    await unit.insert('policies', { id: policy.name, spec: policy, enabled: true }, snapshot.createdAt);
  }
  await unit.recordSnapshot(snapshot);
}

/** One change that bumps the version and touches one model, as an admin write does. */
async function bumpModel(unit: RegistryUnitOfWork, displayName: string): Promise<number> {
  const stored = await unit.readStored();
  const model = { ...stored.models[0]!.spec, displayName };
  const next = {
    providers: stored.providers.map((entry) => entry.spec),
    models: [model, ...stored.models.slice(1).map((entry) => entry.spec)],
    policies: stored.policies.map((entry) => entry.spec),
  };
  const snapshot = buildRegistrySnapshot(next, stamp(unit.state.version + 1));
  await unit.update('models', { id: model.id, spec: model, enabled: model.enabled }, snapshot.createdAt);
  await unit.recordSnapshot(snapshot);
  return snapshot.version;
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`RegistryRepository on ${target.name}`, () => {
    let testDatabase: TestDatabase;
    let opened: OpenedDatabase;
    let sut: RegistryRepository;

    beforeAll(async () => {
      testDatabase = await target.create();
      opened = await openDatabase(testDatabase.settings);
      sut = new RegistryRepository(opened.database);
    });

    afterAll(async () => {
      await opened?.database.destroy();
      await testDatabase?.dispose();
    });

    it('starts at version 0 with nothing stored and no snapshot', async () => {
      expect(await sut.readState()).toEqual({ version: 0, hash: '' });
      expect(await sut.readSnapshot(1)).toBeUndefined();
      expect(await sut.readStored()).toEqual({ providers: [], models: [], policies: [] });
    });

    it('stores nothing from a change that throws', async () => {
      await expect(
        sut.change(async (unit) => {
          await writeAll(unit, content);
          throw new Error('rejected after writing');
        }),
      ).rejects.toThrow('rejected after writing');
      expect(await sut.readState()).toEqual({ version: 0, hash: '' });
      expect((await sut.readStored()).models).toEqual([]);
      expect(await sut.readSnapshot(1)).toBeUndefined();
    });

    it('commits entries and the snapshot together, and reads them back exactly (hash included)', async () => {
      await sut.change((unit) => writeAll(unit, content));
      const state = await sut.readState();
      expect(state.version).toBe(1);
      const snapshot = await sut.readSnapshot(1);
      expect(snapshot?.hash).toBe(state.hash);
      // jsonb reorders keys; the canonical hash of what comes back must still match.
      expect(
        hashRegistryContent({
          providers: snapshot!.providers,
          models: snapshot!.models,
          policies: snapshot!.policies,
        }),
      ).toBe(state.hash);
      expect(snapshot!.createdAt).toBe(stamp(1).createdAt);

      const stored = await sut.readStored();
      expect(stored.models.map((entry) => entry.id)).toEqual(content.models.map((model) => model.id));
      expect(stored.policies.map((entry) => entry.id)).toEqual(content.policies.map((policy) => policy.name));
      expect(stored.models[0]!.spec).toEqual(content.models[0]);
      expect(stored.models[0]).toMatchObject({
        enabled: true,
        createdAt: stamp(1).createdAt,
        updatedAt: stamp(1).createdAt,
      });
    });

    it('keeps creation order through updates', async () => {
      await sut.change((unit) => bumpModel(unit, 'renamed'));
      const stored = await sut.readStored();
      expect(stored.models.map((entry) => entry.id)).toEqual(content.models.map((model) => model.id));
      expect(stored.models[0]!.spec.displayName).toBe('renamed');
      expect(stored.models[0]!.createdAt).toBe(stamp(1).createdAt);
      expect(stored.models[0]!.updatedAt).toBe(stamp(2).createdAt);
    });

    it('gives concurrent changes consecutive versions, each exactly once', async () => {
      const before = (await sut.readState()).version;
      // On PostgreSQL a second connection pool stands for a second instance; PGlite has one connection per process.
      const second = target.name === 'PostgreSQL' ? await openDatabase(testDatabase.settings) : undefined;
      const other = second === undefined ? sut : new RegistryRepository(second.database);
      try {
        const versions = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            (index % 2 === 0 ? sut : other).change((unit) => bumpModel(unit, `writer ${index}`)),
          ),
        );
        expect([...versions].sort((a, b) => a - b)).toEqual(
          Array.from({ length: 8 }, (_, index) => before + 1 + index),
        );
        expect((await sut.readState()).version).toBe(before + 8);
        for (const version of versions) expect((await sut.readSnapshot(version))?.version).toBe(version);
      } finally {
        await second?.database.destroy();
      }
    });

    it('keeps everything across a restart, and migrating again changes nothing', async () => {
      const before = await sut.readState();
      await opened.database.destroy();
      opened = await openDatabase(testDatabase.settings);
      sut = new RegistryRepository(opened.database);
      expect(await sut.readState()).toEqual(before);
      expect((await sut.readStored()).models).toHaveLength(content.models.length);
    });
  });
}
