import { describe, expect } from 'vitest';
import type { ConformanceHarness } from './conformance-harness.js';

/** Content type and user metadata, for providers with `capabilities.metadata`. */
export function metadataBehaviours(h: ConformanceHarness): void {
  describe('metadata', () => {
    h.behaviour('contentType round-trips through stat', { needs: ['write', 'metadata'] }, async (f) => {
      await f.provider.write(f.at('typed.json'), '{}', { contentType: 'application/json' });
      expect((await f.provider.stat(f.at('typed.json'))).contentType).toBe('application/json');
    });

    h.behaviour(
      'user metadata round-trips with lower-case keys',
      { needs: ['write', 'metadata'] },
      async (f) => {
        await f.provider.write(f.at('meta.txt'), 'x', { metadata: { Owner: 'alice', 'run-id': '42' } });
        expect((await f.provider.stat(f.at('meta.txt'))).metadata).toEqual({
          owner: 'alice',
          'run-id': '42',
        });
      },
    );

    h.behaviour(
      'an overwrite without metadata drops the old metadata',
      { needs: ['write', 'metadata'] },
      async (f) => {
        await f.provider.write(f.at('remeta.txt'), 'x', {
          metadata: { stale: 'yes' },
          contentType: 'text/csv',
        });
        await f.provider.write(f.at('remeta.txt'), 'y');
        const info = await f.provider.stat(f.at('remeta.txt'));
        expect(info.metadata?.stale).toBeUndefined();
        expect(info.contentType).not.toBe('text/csv');
      },
    );
  });
}
