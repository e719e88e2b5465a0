import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { NotFoundError, readAll } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { readBytes } from './read-back.js';
import { chunksOf, patternBytes, streamOf } from './test-bodies.js';

const TEN_MIB = 10 * 1024 * 1024;

/** `read`/`write`: every body type, sizes from empty to 10 MiB, overwrites. */
export function roundTripBehaviours(h: ConformanceHarness): void {
  describe('read and write', () => {
    h.behaviour('read of a missing key fails with NotFoundError', { needs: ['read'] }, async (f) => {
      const error = await expectStowageError(
        f.provider.read(f.at('absent.bin')),
        NotFoundError,
        'read missing',
      );
      expect(error.uri).toContain('absent.bin');
    });

    h.behaviour('read returns a Node Readable', { needs: ['write'] }, async (f) => {
      await f.provider.write(f.at('stream.txt'), 'abc');
      const stream = await f.provider.read(f.at('stream.txt'));
      expect(stream).toBeInstanceOf(Readable);
      // Drain it, so that a failing body fails this behaviour instead of surfacing later, unowned.
      expect((await readAll(stream)).toString('utf8')).toBe('abc');
    });

    h.behaviour('an empty object round-trips with size 0', { needs: ['write'] }, async (f) => {
      const result = await f.provider.write(f.at('empty'), new Uint8Array(0));
      expect(result.size).toBe(0);
      expect((await f.provider.stat(f.at('empty'))).size).toBe(0);
      expect((await readBytes(f, 'empty')).length).toBe(0);
    });

    h.behaviour('a 1-byte object round-trips', { needs: ['write'] }, async (f) => {
      await f.provider.write(f.at('one'), Buffer.from([0xfe]));
      expect(await readBytes(f, 'one')).toEqual(Buffer.from([0xfe]));
      expect((await f.provider.stat(f.at('one'))).size).toBe(1);
    });

    h.behaviour(
      'a 10 MiB object streamed from a Readable round-trips byte-identical',
      { needs: ['write'], slow: true },
      async (f) => {
        const data = patternBytes(TEN_MIB, 10);
        const result = await f.provider.write(f.at('large.bin'), streamOf(data, 256 * 1024), {
          contentLength: data.length,
        });
        expect(result.size).toBe(TEN_MIB);
        expect((await f.provider.stat(f.at('large.bin'))).size).toBe(TEN_MIB);
        const hash = createHash('sha256');
        let bytes = 0;
        for await (const chunk of await f.provider.read(f.at('large.bin'))) {
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
        expect(bytes).toBe(TEN_MIB);
        expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
      },
    );

    h.behaviour('a Buffer body round-trips', { needs: ['write'] }, async (f) => {
      const data = patternBytes(100_000, 2);
      await f.provider.write(f.at('buffer.bin'), data);
      expect((await readBytes(f, 'buffer.bin')).equals(data)).toBe(true);
    });

    h.behaviour('a string body is stored as its UTF-8 bytes', { needs: ['write'] }, async (f) => {
      const text = 'naïve café — 日本語 🚀\n';
      const result = await f.provider.write(f.at('text.txt'), text);
      expect(result.size).toBe(Buffer.byteLength(text, 'utf8'));
      expect((await readBytes(f, 'text.txt')).toString('utf8')).toBe(text);
    });

    h.behaviour('an async-iterable body of many chunks round-trips', { needs: ['write'] }, async (f) => {
      const data = patternBytes(300_001, 3);
      const result = await f.provider.write(f.at('iterable.bin'), chunksOf(data, 7_919));
      expect(result.size).toBe(data.length);
      expect((await readBytes(f, 'iterable.bin')).equals(data)).toBe(true);
    });

    h.behaviour(
      'a Readable body of unknown length (no contentLength) round-trips',
      { needs: ['write'] },
      async (f) => {
        const data = patternBytes(1024 * 1024 + 17, 4);
        await f.provider.write(f.at('unknown-length.bin'), streamOf(data, 65_536));
        expect((await readBytes(f, 'unknown-length.bin')).equals(data)).toBe(true);
      },
    );

    h.behaviour(
      'an overwrite with shorter content leaves no tail of the old one',
      { needs: ['write'] },
      async (f) => {
        await f.provider.write(f.at('shrink.txt'), 'a long first version of the content');
        await f.provider.write(f.at('shrink.txt'), 'short');
        expect((await readBytes(f, 'shrink.txt')).toString()).toBe('short');
        expect((await f.provider.stat(f.at('shrink.txt'))).size).toBe(5);
      },
    );

    h.behaviour(
      'onProgress reports increasing byte counts ending at the size',
      { needs: ['write'] },
      async (f) => {
        const data = patternBytes(256 * 1024, 5);
        const seen: number[] = [];
        await f.provider.write(f.at('progress.bin'), chunksOf(data, 32 * 1024), {
          onProgress: (bytes) => seen.push(bytes),
        });
        expect(seen.length, 'onProgress was called').toBeGreaterThan(0);
        for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
        expect(seen.at(-1)).toBe(data.length);
        expect(Math.max(...seen)).toBe(data.length);
      },
    );
  });
}
