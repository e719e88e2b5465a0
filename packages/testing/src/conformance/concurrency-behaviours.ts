import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectObjects, readBytes } from './read-back.js';
import { deferred, gatedBody, patternBytes } from './test-bodies.js';

/** An async iterable that yields to the event loop between chunks, so concurrent writers interleave. */
async function* interleaved(data: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    yield data.subarray(offset, offset + chunkSize);
    await nextTurn();
  }
}

/** Writers racing on one key, readers during a write: atomic replacement, never a mix. */
export function concurrencyBehaviours(h: ConformanceHarness): void {
  describe('concurrency', () => {
    h.behaviour(
      'concurrent writers to one key end with exactly one complete input, byte-identical',
      { needs: ['write'], when: h.options.atomicWrites },
      async (f) => {
        const inputs = [1, 2, 3, 4, 5].map((seed) => patternBytes(512 * 1024 + seed, 60 + seed));
        const results = await Promise.allSettled(
          inputs.map((data) => f.provider.write(f.at('contended.bin'), interleaved(data, 16 * 1024))),
        );
        for (const r of results)
          expect(r.status, r.status === 'rejected' ? String(r.reason) : '').toBe('fulfilled');
        const final = await readBytes(f, 'contended.bin');
        const matches = inputs.filter((data) => data.equals(final));
        expect(matches.length, `the final ${final.length} bytes equal one input`).toBe(1);
        expect((await f.provider.stat(f.at('contended.bin'))).size).toBe(final.length);
        await expectObjects(f, ['contended.bin'], 'after concurrent writers');
      },
    );

    h.behaviour(
      'while a write is half done, readers still see the previous content whole',
      { needs: ['write'] },
      async (f) => {
        const old = patternBytes(100_000, 70);
        await f.provider.write(f.at('swap.bin'), old);
        const next = patternBytes(300_000, 71);
        const gate = deferred();
        const held = deferred();
        const writing = f.provider.write(
          f.at('swap.bin'),
          gatedBody(next.subarray(0, 150_000), next.subarray(150_000), gate.promise, () => held.resolve()),
        );
        // Handled here so a failure of the checks below does not also surface as an unhandled rejection.
        writing.catch(() => undefined);
        try {
          await held.promise;
          await nextTurn();
          expect((await f.provider.stat(f.at('swap.bin'))).size, 'stat mid-write').toBe(old.length);
          expect((await readBytes(f, 'swap.bin')).equals(old), 'read mid-write sees the old bytes').toBe(
            true,
          );
          if (f.provider.capabilities.list) await expectObjects(f, ['swap.bin'], 'listing mid-write');
        } finally {
          gate.resolve();
        }
        await writing;
        expect((await readBytes(f, 'swap.bin')).equals(next)).toBe(true);
      },
    );

    h.behaviour('parallel writes to different keys all land intact', { needs: ['write'] }, async (f) => {
      const keys = Array.from({ length: 24 }, (_, i) => `parallel/${i}.bin`);
      await Promise.all(
        keys.map((key, i) => f.provider.write(f.at(key), interleaved(patternBytes(20_000, 80 + i), 4096))),
      );
      for (const [i, key] of keys.entries()) {
        expect((await readBytes(f, key)).equals(patternBytes(20_000, 80 + i)), key).toBe(true);
      }
    });
  });
}
