import { InvalidArgumentError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { listLines, readBytes } from './read-back.js';

/** Keys keep their exact bytes: unicode, spaces, punctuation, depth, `a//b`, trailing `/`. */
export function keyBehaviours(h: ConformanceHarness): void {
  const { preservesEmptySegments, trailingSlashObjects, supportsDirectoryMarkers, keyAndPrefixCoexist } =
    h.options;

  describe('keys', () => {
    h.behaviour(
      'unicode keys (accents, CJK, astral emoji) round-trip and list under their exact key',
      { needs: ['write'] },
      async (f) => {
        const keys = ['café/naïve.txt', '日本語/ファイル.txt', 'emoji-🚀.bin'];
        for (const key of keys) await f.provider.write(f.at(key), `content of ${key}`);
        for (const key of keys) expect((await readBytes(f, key)).toString()).toBe(`content of ${key}`);
        if (f.provider.capabilities.list) {
          const listed = await listLines(f, '', { recursive: true });
          expect([...listed].sort()).toEqual(keys.map((k) => `object:${k}`).sort());
        }
      },
    );

    h.behaviour(
      'keys with spaces and URL-significant punctuation round-trip unescaped',
      { needs: ['write'] },
      async (f) => {
        const keys = [
          'with space.txt',
          'plus+sign',
          'percent%20literal',
          'question?mark',
          'hash#tag',
          "quote'&amp;=,;",
        ];
        for (const key of keys) await f.provider.write(f.at(key), key);
        for (const key of keys) {
          expect((await readBytes(f, key)).toString()).toBe(key);
          expect((await f.provider.stat(f.at(key))).size).toBe(Buffer.byteLength(key));
        }
        if (f.provider.capabilities.list) {
          const listed = await listLines(f, '', { recursive: true });
          expect([...listed].sort()).toEqual(keys.map((k) => `object:${k}`).sort());
        }
      },
    );

    h.behaviour('deep keys round-trip without creating anything first', { needs: ['write'] }, async (f) => {
      const key = 'a/b/c/d/e/f/g/h/i/j/deep.txt';
      await f.provider.write(f.at(key), 'deep');
      expect((await readBytes(f, key)).toString()).toBe('deep');
    });

    h.behaviour(
      'a key with an empty segment (a//b) round-trips',
      { needs: ['write'], when: preservesEmptySegments },
      async (f) => {
        await f.provider.write(f.at('x//y'), 'double');
        expect((await readBytes(f, 'x//y')).toString()).toBe('double');
      },
    );

    h.behaviour(
      'a//b is its own key, distinct from a/b, and lists as a//b',
      { needs: ['write', 'list'], when: preservesEmptySegments },
      async (f) => {
        await f.provider.write(f.at('a//b'), 'double slash');
        await f.provider.write(f.at('a/b'), 'single slash');
        expect((await readBytes(f, 'a//b')).toString()).toBe('double slash');
        expect((await readBytes(f, 'a/b')).toString()).toBe('single slash');
        expect(await listLines(f, '', { recursive: true })).toEqual(['object:a//b', 'object:a/b']);
        expect(await listLines(f, 'a/')).toEqual(['prefix:a//', 'object:a/b']);
      },
    );

    h.behaviour(
      'a key ending in / is an ordinary object holding bytes',
      { needs: ['write'], when: trailingSlashObjects },
      async (f) => {
        await f.provider.write(f.at('folder/'), 'marker with data');
        expect((await f.provider.stat(f.at('folder/'))).size).toBe(16);
        expect((await readBytes(f, 'folder/')).toString()).toBe('marker with data');
      },
    );

    h.behaviour(
      'data written to a key ending in / is refused with InvalidArgumentError, not dropped',
      { needs: ['write'], when: !trailingSlashObjects },
      async (f) => {
        await expectStowageError(
          f.provider.write(f.at('folder/'), 'data'),
          InvalidArgumentError,
          'write data to a trailing-slash key',
        );
      },
    );

    h.behaviour(
      'an empty dir/ marker coexists with objects under dir/',
      { needs: ['write'], when: supportsDirectoryMarkers },
      async (f) => {
        await f.provider.write(f.at('marked/'), new Uint8Array(0));
        await f.provider.write(f.at('marked/child.txt'), 'child');
        expect((await readBytes(f, 'marked/child.txt')).toString()).toBe('child');
        if (f.provider.capabilities.delete) {
          await f.provider.delete(f.at('marked/'));
          expect((await readBytes(f, 'marked/child.txt')).toString()).toBe('child');
        }
      },
    );

    h.behaviour(
      'x and x/y may both be objects',
      { needs: ['write', 'list'], when: keyAndPrefixCoexist },
      async (f) => {
        await f.provider.write(f.at('x'), 'file');
        await f.provider.write(f.at('x/y'), 'child');
        expect((await readBytes(f, 'x')).toString()).toBe('file');
        expect((await readBytes(f, 'x/y')).toString()).toBe('child');
        expect(await listLines(f, '')).toEqual(['object:x', 'prefix:x/']);
      },
    );
  });
}
