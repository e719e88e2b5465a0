import { NotFoundError, PreconditionFailedError, UnsupportedOperationError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { readBytes } from './read-back.js';
import { patternBytes } from './test-bodies.js';

/** Server-side `copy`, for providers with `serverSideCopy`. */
export function copyBehaviours(h: ConformanceHarness): void {
  const needs = ['write', 'serverSideCopy'] as Array<'write' | 'serverSideCopy'>;
  describe('server-side copy', () => {
    h.behaviour('copy duplicates the bytes and leaves the source intact', { needs }, async (f) => {
      const data = patternBytes(200_000, 90);
      await f.provider.write(f.at('src/original.bin'), data);
      const result = await f.provider.copy!(f.at('src/original.bin'), f.at('dst/deep/copy.bin'));
      expect(result.size).toBe(data.length);
      expect(result.uri.key).toBe(f.at('dst/deep/copy.bin').key);
      expect((await readBytes(f, 'dst/deep/copy.bin')).equals(data)).toBe(true);
      expect((await readBytes(f, 'src/original.bin')).equals(data)).toBe(true);
    });

    h.behaviour('copy onto an existing key replaces it', { needs }, async (f) => {
      await f.provider.write(f.at('from.txt'), 'new');
      await f.provider.write(f.at('to.txt'), 'old and longer');
      await f.provider.copy!(f.at('from.txt'), f.at('to.txt'));
      expect((await readBytes(f, 'to.txt')).toString()).toBe('new');
    });

    h.behaviour(
      'copy of a missing source fails with NotFoundError and creates nothing',
      { needs },
      async (f) => {
        await expectStowageError(
          f.provider.copy!(f.at('nope.txt'), f.at('copy.txt')),
          NotFoundError,
          'copy missing',
        );
        await expectStowageError(f.provider.stat(f.at('copy.txt')), NotFoundError, 'stat of the copy target');
      },
    );

    h.behaviour(
      'copy with a stale ifMatch fails with PreconditionFailedError',
      { needs: [...needs, 'conditionalWrite'] },
      async (f) => {
        await f.provider.write(f.at('moving.txt'), 'v1');
        const { etag } = await f.provider.stat(f.at('moving.txt'));
        await f.provider.write(f.at('moving.txt'), 'v22');
        await expectStowageError(
          f.provider.copy!(f.at('moving.txt'), f.at('copied.txt'), { ifMatch: etag! }),
          PreconditionFailedError,
          'copy with a stale ifMatch',
        );
      },
    );

    h.behaviour('copy keeps content type and metadata', { needs: [...needs, 'metadata'] }, async (f) => {
      await f.provider.write(f.at('typed.csv'), 'a,b', {
        contentType: 'text/csv',
        metadata: { origin: 'lab' },
      });
      await f.provider.copy!(f.at('typed.csv'), f.at('typed-copy.csv'));
      const info = await f.provider.stat(f.at('typed-copy.csv'));
      expect(info.contentType).toBe('text/csv');
      expect(info.metadata).toEqual({ origin: 'lab' });
    });

    h.behaviour(
      'a provider without serverSideCopy has no copy or refuses it with UnsupportedOperationError',
      { needs: ['write'], lacks: ['serverSideCopy'] },
      async (f) => {
        if (!f.provider.copy) return;
        await f.provider.write(f.at('a.txt'), 'a');
        await expectStowageError(
          f.provider.copy(f.at('a.txt'), f.at('b.txt')),
          UnsupportedOperationError,
          'copy without the capability',
        );
      },
    );
  });
}
