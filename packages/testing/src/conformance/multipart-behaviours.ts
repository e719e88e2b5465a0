import { NotFoundError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';
import { expectObjects, readBytes } from './read-back.js';
import { patternBytes } from './test-bodies.js';

/** S3's smallest part that is not the last. */
const MIN_PART = 5 * 1024 * 1024;

/** The multipart hooks, for providers with `multipart`. */
export function multipartBehaviours(h: ConformanceHarness): void {
  const needs = ['write', 'multipart'] as Array<'write' | 'multipart'>;
  describe('multipart upload', () => {
    h.behaviour(
      'parts uploaded out of order complete into one object in part-number order',
      { needs, slow: true },
      async (f) => {
        const p = f.provider;
        const first = patternBytes(MIN_PART, 41);
        const last = patternBytes(4_321, 42);
        const handle = await p.beginUpload!(f.at('multi.bin'));
        const part2 = await p.uploadPart!(handle, 2, last, { contentLength: last.length });
        const part1 = await p.uploadPart!(handle, 1, first, { contentLength: first.length });
        await expectStowageError(p.stat(f.at('multi.bin')), NotFoundError, 'stat before completing');
        if (p.listParts) expect((await p.listParts(handle)).map((x) => x.partNumber)).toEqual([1, 2]);
        const result = await p.completeUpload!(handle, [part1, part2]);
        expect(result.size).toBe(first.length + last.length);
        expect((await readBytes(f, 'multi.bin')).equals(Buffer.concat([first, last]))).toBe(true);
      },
    );

    h.behaviour(
      'an aborted multipart upload leaves no object and cannot be completed',
      { needs },
      async (f) => {
        const p = f.provider;
        const handle = await p.beginUpload!(f.at('abandoned.bin'));
        const part = await p.uploadPart!(handle, 1, 'only part');
        await p.abortUpload!(handle);
        await expect(p.completeUpload!(handle, [part])).rejects.toThrow();
        await expectStowageError(p.stat(f.at('abandoned.bin')), NotFoundError, 'stat after abort');
        await expectObjects(f, [], 'after an aborted upload');
      },
    );
  });
}
