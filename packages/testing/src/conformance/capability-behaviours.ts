import { type Capabilities, NO_CAPABILITIES, UnsupportedOperationError } from '@stowage/core';
import { describe, expect } from 'vitest';
import type { ConformanceHarness, Fixture } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';

/** The multipart hooks, which a provider without `multipart` must lack or refuse. */
const MULTIPART_HOOKS = ['beginUpload', 'uploadPart', 'completeUpload', 'abortUpload', 'listParts'] as const;

/** Call an optional hook, or report that it is absent (absent is as good as a refusal). */
async function expectAbsentOrUnsupported(
  f: Fixture,
  hook: string,
  call: (() => Promise<unknown>) | undefined,
): Promise<void> {
  if (call === undefined) return;
  await expectStowageError(
    call(),
    UnsupportedOperationError,
    `${f.provider.name}.${hook} without the capability`,
  );
}

/** The capability table is honest: what a provider lacks, it refuses with UnsupportedOperationError. */
export function capabilityBehaviours(h: ConformanceHarness): void {
  describe('capabilities', () => {
    h.behaviour(
      'capabilities is a complete table of boolean flags with sane limits, and the provider names itself and its schemes',
      {},
      async (f) => {
        const keys = Object.keys(NO_CAPABILITIES).sort();
        expect(Object.keys(f.provider.capabilities).sort()).toEqual(keys);
        for (const flag of keys.filter((k) => k !== 'limits'))
          expect(typeof f.provider.capabilities[flag as keyof Capabilities], flag).toBe('boolean');
        const limits = f.provider.capabilities.limits;
        for (const [name, value] of Object.entries(limits))
          expect(Number.isSafeInteger(value) && (value as number) > 0, `limits.${name}`).toBe(true);
        if (limits.minPartSize !== undefined && limits.maxPartSize !== undefined)
          expect(limits.minPartSize).toBeLessThanOrEqual(limits.maxPartSize);
        // A listing groups at `/` exactly when the table says so.
        if (f.provider.capabilities.list) expect(f.provider.capabilities.delimiters).toBe(true);
        expect(f.provider.name.length).toBeGreaterThan(0);
        expect(f.provider.schemes).toContain(f.base.scheme);
      },
    );

    h.behaviour('presign returns a URL', { needs: ['presign', 'write'] }, async (f) => {
      await f.provider.write(f.at('shared.txt'), 'x');
      const url = await f.provider.presign!(f.at('shared.txt'), { expiresIn: 60 });
      expect(url).toMatch(/^https?:\/\//);
    });

    h.behaviour(
      'without presign, presign is absent or fails with UnsupportedOperationError',
      { lacks: ['presign'] },
      async (f) => {
        const presign = f.provider.presign?.bind(f.provider);
        await expectAbsentOrUnsupported(f, 'presign', presign && (() => presign(f.at('x.txt'))));
      },
    );

    h.behaviour(
      'without multipart, every multipart hook is absent or fails with UnsupportedOperationError',
      { lacks: ['multipart'] },
      async (f) => {
        const handle = { uri: f.at('mp.bin'), uploadId: 'none' };
        const calls: Record<(typeof MULTIPART_HOOKS)[number], (() => Promise<unknown>) | undefined> = {
          beginUpload: f.provider.beginUpload && (() => f.provider.beginUpload!(handle.uri)),
          uploadPart: f.provider.uploadPart && (() => f.provider.uploadPart!(handle, 1, 'x')),
          completeUpload: f.provider.completeUpload && (() => f.provider.completeUpload!(handle, [])),
          abortUpload: f.provider.abortUpload && (() => f.provider.abortUpload!(handle)),
          listParts: f.provider.listParts && (() => f.provider.listParts!(handle)),
        };
        for (const hook of MULTIPART_HOOKS) await expectAbsentOrUnsupported(f, hook, calls[hook]);
      },
    );

    h.behaviour(
      'without write, write fails with UnsupportedOperationError',
      { lacks: ['write'] },
      async (f) => {
        await expectStowageError(
          f.provider.write(f.at('ro.txt'), 'x'),
          UnsupportedOperationError,
          'write without the capability',
        );
      },
    );

    h.behaviour(
      'without list, listing fails with UnsupportedOperationError',
      { lacks: ['list'] },
      async (f) => {
        const iterate = async () => {
          for await (const _entry of f.provider.list(f.base)) break;
        };
        await expectStowageError(iterate, UnsupportedOperationError, 'list without the capability');
      },
    );
  });
}
