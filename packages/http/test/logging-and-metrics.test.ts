import { createStorage, MemoryProvider } from '@stowage/core';
import { startHttpServer } from '@stowage/testing';
import { describe, expect, it } from 'vitest';
import { HttpProvider } from '../src/index.js';
import { payload, quickRetry, serve } from './support.js';

// The default layers of a Storage, as they run: metrics and logging see every attempt of every
// provider call (they sit inside the retry layer), with display URIs and error codes only.
describe('the default logging and metrics layers', () => {
  it('count and log each attempt, a retried one included, without secrets', async () => {
    const server = await startHttpServer({ auth: { basic: { username: 'u', password: 'hunter2-secret' } } });
    try {
      await serve(server, 'm.bin', payload(50_000));
      const lines: string[] = [];
      const storage = createStorage({
        providers: [new HttpProvider(), new MemoryProvider()],
        retry: quickRetry,
        log: (line) => lines.push(line),
      });
      server.setFault({ kind: 'status', path: 'm.bin', status: 503, times: 1 });
      const source = server.urlFor('m.bin').replace('http://', 'http://u:hunter2-secret@');
      await storage.copy(source, 'mem://out/m.bin');
      const counts = storage.metrics.snapshot();
      expect(counts['http stat']).toMatchObject({ calls: 2, failures: 1 });
      expect(counts['http read']).toMatchObject({ calls: 1, failures: 0 });
      expect(counts['memory write']).toMatchObject({ calls: 1, failures: 0 });
      expect(lines.filter((l) => l.startsWith('http stat '))).toEqual([
        expect.stringMatching(
          /^http stat http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/m\.bin failed Transient \d+ ms$/,
        ),
        expect.stringMatching(/^http stat http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+\/m\.bin ok \d+ ms$/),
      ]);
      expect(lines.join('\n')).not.toContain('hunter2');
    } finally {
      await server.close();
    }
  });
});
