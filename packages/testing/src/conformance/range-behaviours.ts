import { InvalidArgumentError, UnsupportedOperationError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness, Fixture } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { readBytes } from './read-back.js';
import { patternBytes } from './test-bodies.js';

const SIZE = 1000;

async function seeded(f: Fixture): Promise<Buffer> {
  const data = patternBytes(SIZE, 21);
  await f.provider.write(f.at('ranged.bin'), data);
  return data;
}

/** Ranged reads: both ends inclusive, clamped like S3, errors for impossible starts. */
export function rangeBehaviours(h: ConformanceHarness): void {
  describe('ranged reads', () => {
    h.behaviour('range of the first byte', { needs: ['write', 'rangeRead'] }, async (f) => {
      const data = await seeded(f);
      expect(await readBytes(f, 'ranged.bin', { range: { start: 0, end: 0 } })).toEqual(data.subarray(0, 1));
    });

    h.behaviour('range of the last byte', { needs: ['write', 'rangeRead'] }, async (f) => {
      const data = await seeded(f);
      const last = await readBytes(f, 'ranged.bin', { range: { start: SIZE - 1, end: SIZE - 1 } });
      expect(last).toEqual(data.subarray(SIZE - 1));
    });

    h.behaviour('range in the middle, both ends inclusive', { needs: ['write', 'rangeRead'] }, async (f) => {
      const data = await seeded(f);
      const middle = await readBytes(f, 'ranged.bin', { range: { start: 100, end: 199 } });
      expect(middle.length).toBe(100);
      expect(middle.equals(data.subarray(100, 200))).toBe(true);
    });

    h.behaviour('an open-ended range reads to the end', { needs: ['write', 'rangeRead'] }, async (f) => {
      const data = await seeded(f);
      expect((await readBytes(f, 'ranged.bin', { range: { start: 990 } })).equals(data.subarray(990))).toBe(
        true,
      );
    });

    h.behaviour(
      'an end past the size is clamped to the last byte',
      { needs: ['write', 'rangeRead'] },
      async (f) => {
        const data = await seeded(f);
        const tail = await readBytes(f, 'ranged.bin', { range: { start: 900, end: 5_000 } });
        expect(tail.equals(data.subarray(900))).toBe(true);
      },
    );

    h.behaviour(
      'a start at or past the size fails with InvalidArgumentError',
      { needs: ['write', 'rangeRead'] },
      async (f) => {
        await seeded(f);
        await expectStowageError(
          f.provider.read(f.at('ranged.bin'), { range: { start: SIZE } }),
          InvalidArgumentError,
          'range starting at the size',
        );
        await expectStowageError(
          f.provider.read(f.at('ranged.bin'), { range: { start: SIZE + 10, end: SIZE + 20 } }),
          InvalidArgumentError,
          'range starting past the size',
        );
      },
    );

    h.behaviour(
      'a malformed range (end before start, negative start) fails with InvalidArgumentError',
      { needs: ['write', 'rangeRead'] },
      async (f) => {
        await seeded(f);
        await expectStowageError(
          f.provider.read(f.at('ranged.bin'), { range: { start: 10, end: 5 } }),
          InvalidArgumentError,
          'range with end < start',
        );
        await expectStowageError(
          f.provider.read(f.at('ranged.bin'), { range: { start: -1, end: 5 } }),
          InvalidArgumentError,
          'range with a negative start',
        );
      },
    );

    h.behaviour(
      'a range from 0 on an empty object reads nothing',
      { needs: ['write', 'rangeRead'] },
      async (f) => {
        await f.provider.write(f.at('empty-ranged'), new Uint8Array(0));
        expect((await readBytes(f, 'empty-ranged', { range: { start: 0 } })).length).toBe(0);
      },
    );

    h.behaviour(
      'a range across internal chunk boundaries of a 3 MiB object is exact',
      { needs: ['write', 'rangeRead'] },
      async (f) => {
        const data = patternBytes(3 * 1024 * 1024, 22);
        await f.provider.write(f.at('chunky.bin'), data);
        const start = 65_536 * 5 - 3;
        const end = 1024 * 1024 * 2 + 12_345;
        const span = await readBytes(f, 'chunky.bin', { range: { start, end } });
        expect(span.length).toBe(end - start + 1);
        expect(span.equals(data.subarray(start, end + 1))).toBe(true);
      },
    );

    h.behaviour(
      'a provider without rangeRead refuses a range with UnsupportedOperationError',
      { needs: ['write'], lacks: ['rangeRead'] },
      async (f) => {
        await seeded(f);
        await expectStowageError(
          f.provider.read(f.at('ranged.bin'), { range: { start: 0, end: 1 } }),
          UnsupportedOperationError,
          'range without rangeRead',
        );
      },
    );
  });
}
