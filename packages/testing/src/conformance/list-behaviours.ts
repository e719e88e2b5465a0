import { compareKeys } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { bigListingKeys, expectedListing, forEachBounded } from './listing-oracle.js';
import { listEntries, listLines } from './read-back.js';

const LISTS = ['write', 'list'] as const;

/** `list`: S3 semantics over thousands of keys, pages hidden, byte-wise key order. */
export function listBehaviours(h: ConformanceHarness): void {
  const keys = bigListingKeys(h.options.maxListKeys);
  const needs = [...LISTS];

  describe('list', () => {
    h.sharedGroup(
      `over ${keys.length} keys`,
      { needs, slow: true },
      (f) => forEachBounded(keys, 16, (key) => f.provider.write(f.at(key), key)),
      (group) => {
        group.behaviour(
          'a recursive listing in small pages returns every key once, in byte-wise order',
          { slow: true },
          async (f) => {
            const lines = await listLines(f, '', { recursive: true, pageSize: 250 });
            expect(lines.length).toBe(keys.length);
            expect(lines).toEqual(expectedListing(keys, '', true));
          },
        );

        group.behaviour(
          'a recursive listing with the default page size matches',
          { slow: true },
          async (f) => {
            expect(await listLines(f, '', { recursive: true })).toEqual(expectedListing(keys, '', true));
          },
        );

        group.behaviour(
          'a delimited listing yields direct objects and one prefix entry per sub-directory, in order',
          { slow: true },
          async (f) => {
            const lines = await listLines(f, '', { pageSize: 100 });
            expect(lines).toEqual(expectedListing(keys, '', false));
            expect(lines).toContain('prefix:dir-3/');
            expect(lines.filter((l) => l === 'prefix:dir-3/').length).toBe(1);
          },
        );

        group.behaviour(
          'a delimited listing inside a sub-directory groups its nested directories',
          { slow: true },
          async (f) => {
            const lines = await listLines(f, 'dir-3/', { pageSize: 7 });
            expect(lines).toEqual(expectedListing(keys, 'dir-3/', false));
            expect(lines.some((l) => l.startsWith('prefix:dir-3/nested-'))).toBe(true);
          },
        );

        group.behaviour('a recursive listing of a nested prefix returns exactly its keys', {}, async (f) => {
          expect(await listLines(f, 'dir-3/nested-1/', { recursive: true, pageSize: 10 })).toEqual(
            expectedListing(keys, 'dir-3/nested-1/', true),
          );
        });

        group.behaviour(
          'a prefix without / matches partial names (dir-1 → dir-1-extra/, dir-1.txt, dir-1/)',
          {},
          async (f) => {
            expect(await listLines(f, 'dir-1')).toEqual([
              'prefix:dir-1-extra/',
              'object:dir-1.txt',
              'prefix:dir-1/',
            ]);
          },
        );

        group.behaviour('object entries carry their size and a uri that stat accepts', {}, async (f) => {
          const entries = await listEntries(f, 'dir-5/', { recursive: true });
          expect(entries.length).toBeGreaterThan(0);
          for (const entry of entries.slice(0, 5)) {
            expect(entry.type).toBe('object');
            if (entry.type !== 'object') continue;
            expect(entry.uri.key).toBe(entry.key);
            expect(entry.size).toBe(Buffer.byteLength(f.relative(entry.key)));
            expect((await f.provider.stat(entry.uri)).size).toBe(entry.size);
          }
        });
      },
    );

    h.behaviour('a partial-name prefix matches file1 and fig/ but not other', { needs }, async (f) => {
      for (const key of ['file1', 'file2.txt', 'fig/plot.png', 'other', 'f'])
        await f.provider.write(f.at(key), key);
      expect(await listLines(f, 'fi')).toEqual(['prefix:fig/', 'object:file1', 'object:file2.txt']);
      expect(await listLines(f, 'fi', { recursive: true })).toEqual([
        'object:fig/plot.png',
        'object:file1',
        'object:file2.txt',
      ]);
    });

    h.behaviour('listing an empty prefix yields nothing', { needs: ['list'] }, async (f) => {
      expect(await listEntries(f, '', { recursive: true })).toEqual([]);
      expect(await listEntries(f, '')).toEqual([]);
    });

    h.behaviour('listing a missing prefix or partial name yields nothing', { needs }, async (f) => {
      await f.provider.write(f.at('present/x'), 'x');
      expect(await listEntries(f, 'absent/', { recursive: true })).toEqual([]);
      expect(await listEntries(f, 'absent/')).toEqual([]);
      expect(await listEntries(f, 'presentX')).toEqual([]);
      expect(await listEntries(f, 'present/x/')).toEqual([]);
    });

    h.behaviour(
      'keys list in UTF-8 byte order (a-b before a/x, astral characters above U+FFFF last)',
      { needs },
      async (f) => {
        const expected = ['B', 'a-b', 'a.c', 'a/x', 'a0', 'a~', 'aé', 'a\uff5e', 'a😀'];
        expect([...expected].sort(compareKeys), 'the suite’s own expectation').toEqual(expected);
        for (const key of [...expected].reverse()) await f.provider.write(f.at(key), key);
        expect(await listLines(f, '', { recursive: true })).toEqual(expected.map((k) => `object:${k}`));
        expect(await listLines(f, '')).toEqual(
          expected.map((k) => (k === 'a/x' ? 'prefix:a/' : `object:${k}`)),
        );
      },
    );

    h.behaviour('a page size of 1 still lists everything once', { needs }, async (f) => {
      const small = ['p/1', 'p/2', 'p/3/x', 'p/3/y', 'p/4'];
      for (const key of small) await f.provider.write(f.at(key), key);
      expect(await listLines(f, 'p/', { recursive: true, pageSize: 1 })).toEqual(
        small.map((k) => `object:${k}`),
      );
      expect(await listLines(f, 'p/', { pageSize: 1 })).toEqual([
        'object:p/1',
        'object:p/2',
        'prefix:p/3/',
        'object:p/4',
      ]);
    });

    h.behaviour('an overwrite does not duplicate the key in a listing', { needs }, async (f) => {
      await f.provider.write(f.at('once'), 'v1');
      await f.provider.write(f.at('once'), 'v22');
      const entries = await listEntries(f, '', { recursive: true });
      expect(entries.map((e) => f.relative(e.key))).toEqual(['once']);
      expect(entries[0]?.type === 'object' && entries[0].size).toBe(3);
    });
  });
}
