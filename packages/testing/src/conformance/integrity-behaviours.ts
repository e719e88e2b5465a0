import { ChecksumMismatchError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { expectNoObject, readBytes, sha256Base64 } from './read-back.js';
import { chunksOf, failingBody, patternBytes } from './test-bodies.js';

/** Writes that must not stick: wrong length, wrong digest, a body that fails half-way. */
export function integrityBehaviours(h: ConformanceHarness): void {
  describe('write integrity', () => {
    h.behaviour(
      'a body shorter than contentLength fails with ChecksumMismatchError and stores nothing',
      { needs: ['write'] },
      async (f) => {
        const data = patternBytes(10_000, 31);
        await expectStowageError(
          f.provider.write(f.at('short.bin'), chunksOf(data, 1_000), { contentLength: data.length + 1 }),
          ChecksumMismatchError,
          'body shorter than contentLength',
        );
        await expectNoObject(f, 'short.bin', 'after a short body');
      },
    );

    h.behaviour(
      'a body longer than contentLength fails with ChecksumMismatchError and stores nothing',
      { needs: ['write'] },
      async (f) => {
        const data = patternBytes(10_000, 32);
        await expectStowageError(
          f.provider.write(f.at('long.bin'), chunksOf(data, 1_000), { contentLength: data.length - 1 }),
          ChecksumMismatchError,
          'body longer than contentLength',
        );
        await expectNoObject(f, 'long.bin', 'after a long body');
      },
    );

    h.behaviour(
      'a wrong expected sha256 fails with ChecksumMismatchError and stores nothing',
      { needs: ['write'] },
      async (f) => {
        const data = patternBytes(50_000, 33);
        await expectStowageError(
          f.provider.write(f.at('bad-digest.bin'), chunksOf(data), {
            checksum: { sha256: sha256Base64(Buffer.from('something else')) },
          }),
          ChecksumMismatchError,
          'wrong sha256',
        );
        await expectNoObject(f, 'bad-digest.bin', 'after a wrong digest');
      },
    );

    h.behaviour(
      'a wrong sha256 on an overwrite keeps the previous content intact',
      { needs: ['write'] },
      async (f) => {
        await f.provider.write(f.at('keep.txt'), 'original');
        await expectStowageError(
          f.provider.write(f.at('keep.txt'), 'replacement', {
            checksum: { sha256: sha256Base64(Buffer.from('nope')) },
          }),
          ChecksumMismatchError,
          'overwrite with a wrong sha256',
        );
        expect((await readBytes(f, 'keep.txt')).toString()).toBe('original');
      },
    );

    h.behaviour(
      'a matching expected sha256 is accepted (and reported back when the provider reports digests)',
      { needs: ['write'] },
      async (f) => {
        const data = patternBytes(70_000, 34);
        const digest = sha256Base64(data);
        const result = await f.provider.write(f.at('good-digest.bin'), data, {
          checksum: { sha256: digest },
          contentLength: data.length,
        });
        if (result.checksums?.sha256 !== undefined) expect(result.checksums.sha256).toBe(digest);
        expect((await readBytes(f, 'good-digest.bin')).equals(data)).toBe(true);
      },
    );

    h.behaviour(
      'a body that fails mid-stream rejects the write and stores nothing',
      { needs: ['write'] },
      async (f) => {
        const outcome = await f.provider
          .write(f.at('broken.bin'), failingBody(patternBytes(20_000, 35), 'source connection dropped'))
          .then(
            () => 'succeeded',
            (error: Error) => error,
          );
        expect(outcome, 'the write must reject').toBeInstanceOf(Error);
        await expectNoObject(f, 'broken.bin', 'after a failing body');
      },
    );

    h.behaviour(
      'a body that fails mid-stream on an overwrite keeps the previous content',
      { needs: ['write'] },
      async (f) => {
        await f.provider.write(f.at('stable.txt'), 'stable');
        await expect(
          f.provider.write(f.at('stable.txt'), failingBody(patternBytes(20_000, 36), 'dropped')),
        ).rejects.toThrow();
        expect((await readBytes(f, 'stable.txt')).toString()).toBe('stable');
      },
    );
  });
}
