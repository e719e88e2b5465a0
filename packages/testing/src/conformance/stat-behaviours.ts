import { NotFoundError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';

/** `stat`: missing keys, sizes, validators and timestamps. */
export function statBehaviours(h: ConformanceHarness): void {
  describe('stat', () => {
    h.behaviour(
      'stat of a missing key fails with NotFoundError naming the key and the provider',
      {},
      async (f) => {
        const uri = f.at('missing-object.txt');
        const error = await expectStowageError(f.provider.stat(uri), NotFoundError, 'stat missing');
        expect(error.code).toBe('NotFound');
        expect(error.uri, 'error.uri names the object').toContain('missing-object.txt');
        expect(error.provider, 'error.provider names the provider').toBe(f.provider.name);
        expect(error.message).toContain('missing-object.txt');
      },
    );

    h.behaviour('stat under a missing "directory" fails with NotFoundError', {}, async (f) => {
      await expectStowageError(
        f.provider.stat(f.at('no/such/dir/file.bin')),
        NotFoundError,
        'stat deep missing',
      );
    });

    h.behaviour(
      'stat of a bare prefix (only children exist) fails with NotFoundError',
      { needs: ['write'] },
      async (f) => {
        await f.provider.write(f.at('dir/child.txt'), 'x');
        await expectStowageError(f.provider.stat(f.at('dir')), NotFoundError, 'stat of the prefix "dir"');
      },
    );

    h.behaviour('stat reports size, an etag and a recent lastModified', { needs: ['write'] }, async (f) => {
      const before = Date.now();
      await f.provider.write(f.at('sized.bin'), Buffer.alloc(1234, 7));
      const info = await f.provider.stat(f.at('sized.bin'));
      expect(info.size).toBe(1234);
      expect(typeof info.etag === 'string' && info.etag.length > 0, 'etag is a non-empty string').toBe(true);
      expect(info.lastModified).toBeInstanceOf(Date);
      // Generous bounds: a remote store's clock and second-granular timestamps may differ from ours.
      expect(info.lastModified!.getTime()).toBeGreaterThan(before - 120_000);
      expect(info.lastModified!.getTime()).toBeLessThan(Date.now() + 120_000);
      expect(info.uri.key).toBe(f.at('sized.bin').key);
    });

    h.behaviour('the write result agrees with stat on size and etag', { needs: ['write'] }, async (f) => {
      const result = await f.provider.write(f.at('agree.txt'), 'twelve bytes');
      const info = await f.provider.stat(f.at('agree.txt'));
      expect(result.size).toBe(12);
      expect(info.size).toBe(12);
      if (result.etag !== undefined) expect(result.etag).toBe(info.etag);
      expect(result.uri.key).toBe(f.at('agree.txt').key);
    });

    h.behaviour(
      'the etag changes when the content changes, even at the same size',
      { needs: ['write'] },
      async (f) => {
        await f.provider.write(f.at('changing.txt'), 'version-1');
        const first = await f.provider.stat(f.at('changing.txt'));
        await f.provider.write(f.at('changing.txt'), 'version-2');
        const second = await f.provider.stat(f.at('changing.txt'));
        expect(second.size).toBe(first.size);
        expect(second.etag).not.toBe(first.etag);
      },
    );
  });
}
