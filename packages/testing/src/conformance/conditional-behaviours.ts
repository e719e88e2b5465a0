import { PreconditionFailedError, UnsupportedOperationError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { readBytes } from './read-back.js';
import { chunksOf, patternBytes } from './test-bodies.js';

/**
 * `ifNoneMatch: '*'` on write, for providers with `conditionalWrite`; `ifMatch` and
 * `ifUnmodifiedSince` on read, for providers with `conditionalRead`.
 */
export function conditionalBehaviours(h: ConformanceHarness): void {
  const needs = ['write', 'conditionalWrite'] as Array<'write' | 'conditionalWrite'>;
  const readNeeds = ['write', 'conditionalRead'] as Array<'write' | 'conditionalRead'>;
  describe('conditional requests', () => {
    h.behaviour(
      'ifNoneMatch * fails with PreconditionFailedError when the key exists, keeping it',
      { needs },
      async (f) => {
        await f.provider.write(f.at('exists.txt'), 'first');
        await expectStowageError(
          f.provider.write(f.at('exists.txt'), 'second', { ifNoneMatch: '*' }),
          PreconditionFailedError,
          'create-only over an existing key',
        );
        expect((await readBytes(f, 'exists.txt')).toString()).toBe('first');
      },
    );

    h.behaviour('ifNoneMatch * succeeds when the key does not exist', { needs }, async (f) => {
      const result = await f.provider.write(f.at('fresh.txt'), 'created', { ifNoneMatch: '*' });
      expect(result.size).toBe(7);
      expect((await readBytes(f, 'fresh.txt')).toString()).toBe('created');
    });

    h.behaviour('of concurrent create-only writers exactly one wins', { needs }, async (f) => {
      const bodies = [1, 2, 3, 4].map((seed) => patternBytes(128 * 1024, 100 + seed));
      const outcomes = await Promise.allSettled(
        bodies.map((body) =>
          f.provider.write(f.at('race.bin'), chunksOf(body, 16 * 1024), { ifNoneMatch: '*' }),
        ),
      );
      const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      expect(winners.length, 'exactly one create-only write succeeds').toBe(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect((outcome.reason as { code?: string }).code).toBe('PreconditionFailed');
        }
      }
      expect((await readBytes(f, 'race.bin')).equals(bodies[winners[0]!]!)).toBe(true);
    });

    h.behaviour('read with ifMatch of the current etag succeeds', { needs: readNeeds }, async (f) => {
      await f.provider.write(f.at('matched.txt'), 'current');
      const { etag } = await f.provider.stat(f.at('matched.txt'));
      expect((await readBytes(f, 'matched.txt', { ifMatch: etag! })).toString()).toBe('current');
    });

    h.behaviour(
      'read with a stale ifMatch fails with PreconditionFailedError',
      { needs: readNeeds },
      async (f) => {
        await f.provider.write(f.at('stale.txt'), 'before');
        const { etag } = await f.provider.stat(f.at('stale.txt'));
        await f.provider.write(f.at('stale.txt'), 'after!');
        await expectStowageError(
          readBytes(f, 'stale.txt', { ifMatch: etag! }),
          PreconditionFailedError,
          'read with a stale ifMatch',
        );
        await expectStowageError(
          readBytes(f, 'stale.txt', { ifMatch: etag!, range: { start: 1, end: 3 } }),
          PreconditionFailedError,
          'ranged read with a stale ifMatch',
        );
      },
    );

    h.behaviour(
      'read with ifUnmodifiedSince fails once the object changed after that time',
      { needs: readNeeds },
      async (f) => {
        await f.provider.write(f.at('since.txt'), 'before');
        const { lastModified } = await f.provider.stat(f.at('since.txt'));
        expect(lastModified, 'a provider with conditionalRead reports lastModified').toBeDefined();
        const pin = lastModified!;
        expect((await readBytes(f, 'since.txt', { ifUnmodifiedSince: pin })).toString()).toBe('before');
        // Second-granular stores (S3, HTTP dates) need the change to land in a later second.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await f.provider.write(f.at('since.txt'), 'after!');
        await expectStowageError(
          readBytes(f, 'since.txt', { ifUnmodifiedSince: pin }),
          PreconditionFailedError,
          'read with ifUnmodifiedSince before the last change',
        );
      },
    );

    h.behaviour(
      'a provider without conditionalWrite refuses ifNoneMatch with UnsupportedOperationError',
      { needs: ['write'], lacks: ['conditionalWrite'] },
      async (f) => {
        await expectStowageError(
          f.provider.write(f.at('cond.txt'), 'x', { ifNoneMatch: '*' }),
          UnsupportedOperationError,
          'ifNoneMatch without conditionalWrite',
        );
      },
    );
  });
}
