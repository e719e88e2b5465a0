import { NotFoundError, type StorageUri, UnsupportedOperationError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { expectObjects, listLines } from './read-back.js';

const DELETES = ['write', 'delete'] as const;

/** `delete` and `deleteMany`: idempotent, precise, one outcome per key. */
export function deleteBehaviours(h: ConformanceHarness): void {
  const needs = [...DELETES];
  describe('delete', () => {
    h.behaviour('delete removes an existing object', { needs }, async (f) => {
      await f.provider.write(f.at('doomed.txt'), 'bye');
      await f.provider.delete(f.at('doomed.txt'));
      await expectStowageError(f.provider.stat(f.at('doomed.txt')), NotFoundError, 'stat after delete');
      await expectStowageError(f.provider.read(f.at('doomed.txt')), NotFoundError, 'read after delete');
    });

    h.behaviour('delete of a missing key succeeds (as on S3)', { needs: ['delete'] }, async (f) => {
      await expect(f.provider.delete(f.at('never-existed.txt'))).resolves.toBeUndefined();
      await expect(f.provider.delete(f.at('no/such/dir/file'))).resolves.toBeUndefined();
    });

    h.behaviour(
      'delete removes only that key, not siblings sharing its name as a prefix',
      { needs },
      async (f) => {
        for (const key of ['n/1', 'n/10', 'n/1x', 'n/2']) await f.provider.write(f.at(key), key);
        await f.provider.delete(f.at('n/1'));
        await expectObjects(f, ['n/10', 'n/1x', 'n/2'], 'after deleting n/1');
      },
    );

    h.behaviour(
      'deleting the last object under a prefix makes the prefix vanish from listings',
      { needs: [...needs, 'list'] },
      async (f) => {
        await f.provider.write(f.at('gone/only.txt'), 'x');
        await f.provider.write(f.at('kept.txt'), 'y');
        expect(await listLines(f, '')).toEqual(['prefix:gone/', 'object:kept.txt']);
        await f.provider.delete(f.at('gone/only.txt'));
        expect(await listLines(f, '')).toEqual(['object:kept.txt']);
      },
    );

    h.behaviour('deleteMany yields one outcome per key, missing keys without error', { needs }, async (f) => {
      const present = ['m/a', 'm/b', 'm/c/d'];
      for (const key of present) await f.provider.write(f.at(key), key);
      const asked = [...present, 'm/missing'];
      const outcomes: Array<{ key: string; error?: Error }> = [];
      for await (const outcome of f.provider.deleteMany(asked.map((k) => f.at(k)))) {
        outcomes.push({
          key: f.relative(outcome.uri.key),
          ...(outcome.error ? { error: outcome.error } : {}),
        });
      }
      expect(outcomes.map((o) => o.key).sort()).toEqual([...asked].sort());
      expect(outcomes.filter((o) => o.error).map((o) => `${o.key}: ${o.error?.message}`)).toEqual([]);
      await expectObjects(f, [], 'after deleteMany');
    });

    h.behaviour('deleteMany accepts an async iterable of URIs', { needs }, async (f) => {
      const keys = Array.from({ length: 25 }, (_, i) => `batch/${String(i).padStart(2, '0')}`);
      for (const key of keys) await f.provider.write(f.at(key), key);
      async function* uris(): AsyncIterable<StorageUri> {
        for (const key of keys) yield f.at(key);
      }
      let count = 0;
      for await (const outcome of f.provider.deleteMany(uris())) {
        expect(outcome.error).toBeUndefined();
        count++;
      }
      expect(count).toBe(keys.length);
      await expectObjects(f, [], 'after deleteMany of an async iterable');
    });

    h.behaviour(
      'a provider without delete refuses it with UnsupportedOperationError',
      { lacks: ['delete'] },
      async (f) => {
        await expectStowageError(
          f.provider.delete(f.at('any')),
          UnsupportedOperationError,
          'delete without the capability',
        );
      },
    );
  });
}
