import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  backoffDelay,
  decorateProvider,
  MemoryProvider,
  NotFoundError,
  PermissionDeniedError,
  parseUri,
  retrying,
  TimeoutError,
  TransientError,
  withRetry,
  withTimeout,
} from '../src/index.js';

describe('withRetry', () => {
  it('retries retryable errors with backoff and reports each retry', async () => {
    const notices: number[] = [];
    let calls = 0;
    const value = await retrying(
      'op',
      async () => {
        if (++calls < 3) throw new TransientError('503');
        return 'ok';
      },
      { baseDelayMs: 1, onRetry: (n) => notices.push(n.attempt) },
    );
    expect(value).toBe('ok');
    expect(notices).toEqual([2, 3]);
  });

  it('does not retry non-retryable errors and gives up after maxAttempts', async () => {
    let calls = 0;
    await expect(
      retrying(
        'op',
        async () => {
          calls++;
          throw new NotFoundError('gone');
        },
        { baseDelayMs: 1 },
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retrying(
        'op',
        async () => {
          calls++;
          throw new TransientError('503');
        },
        { baseDelayMs: 1, maxAttempts: 3 },
      ),
    ).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(3);
  });

  it('stops at once when aborted, even mid-backoff', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await expect(
      retrying(
        'op',
        async () => {
          throw new TransientError('503');
        },
        { baseDelayMs: 10_000, random: () => 0.99, signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('honours Retry-After and bounds delays', () => {
    expect(backoffDelay(2, new TransientError('x', { retryAfterMs: 3000 }), { random: () => 0 })).toBe(3000);
    expect(backoffDelay(30, new TransientError('x'), { random: () => 0.999, maxDelayMs: 500 })).toBeLessThan(
      500,
    );
  });

  it('wraps a provider: flaky stat succeeds through the layer', async () => {
    const memory = new MemoryProvider();
    const uri = parseUri('mem://b/k');
    await memory.write(uri, 'x');
    let failures = 2;
    const flaky = decorateProvider(memory, {
      stat: async (u, o) => {
        if (failures-- > 0) throw new TransientError('reset');
        return memory.stat(u, o);
      },
    });
    const layered = withRetry({ baseDelayMs: 1 })(flaky);
    expect((await layered.stat(uri)).size).toBe(1);
    expect(layered.copy).toBeTypeOf('function');
    expect(layered.presign).toBeUndefined();
  });

  it('deleteMany deletes again, one by one, the keys a batch reported as retryably failed', async () => {
    const memory = new MemoryProvider();
    const uris = ['a', 'b', 'c', 'd'].map((k) => parseUri(`mem://b/${k}`));
    for (const uri of uris) await memory.write(uri, 'x');
    // A batch backend answering as S3's DeleteObjects can: per-key errors, the others deleted.
    const batch = decorateProvider(memory, {
      async *deleteMany(input) {
        for await (const uri of input) {
          if (uri.key === 'b') yield { uri, error: new TransientError('InternalError for b') };
          else if (uri.key === 'd') yield { uri, error: new PermissionDeniedError('not yours') };
          else {
            await memory.delete(uri);
            yield { uri };
          }
        }
      },
    });
    const notices: string[] = [];
    const layered = withRetry({ baseDelayMs: 1, onRetry: (n) => notices.push(`${n.uri} ${n.attempt}`) })(
      batch,
    );
    const outcomes = [];
    for await (const outcome of layered.deleteMany(uris)) outcomes.push(outcome);
    expect(outcomes.map((o) => [o.uri.key, o.error?.constructor.name])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['c', undefined],
      ['d', 'PermissionDeniedError'],
    ]);
    expect(notices).toEqual(['mem://b/b 2']);
    await expect(memory.stat(uris[1]!)).rejects.toBeInstanceOf(NotFoundError);
    expect((await memory.stat(uris[3]!)).size).toBe(1);
  });

  it('deleteMany gives up on a whole failed batch after one key’s retries fail', async () => {
    const uris = ['a', 'b', 'c'].map((k) => parseUri(`mem://b/${k}`));
    const outage = new TransientError('503 for the whole batch');
    let deletes = 0;
    const down = decorateProvider(new MemoryProvider(), {
      async delete() {
        deletes++;
        throw new TransientError('still down');
      },
      async *deleteMany(input) {
        for await (const uri of input) yield { uri, error: outage };
      },
    });
    const outcomes = [];
    for await (const outcome of withRetry({ baseDelayMs: 1, maxAttempts: 3 })(down).deleteMany(uris))
      outcomes.push(outcome);
    expect(deletes).toBe(2);
    expect(outcomes.map((o) => o.error?.message)).toEqual(['still down', outage.message, outage.message]);
  });
});

describe('withTimeout', () => {
  it('fails slow operations with a retryable TimeoutError and cancels the inner call', async () => {
    let innerSignal: AbortSignal | undefined;
    const slow = decorateProvider(new MemoryProvider(), {
      stat: (_u, o) =>
        new Promise((_, reject) => {
          innerSignal = o?.signal;
          o?.signal?.addEventListener('abort', () => reject(new Error('cancelled')));
        }),
    });
    const layered = withTimeout({ operationMs: 30 })(slow);
    const error = await layered.stat(parseUri('mem://b/k')).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.retryable).toBe(true);
    expect(innerSignal?.aborted).toBe(true);
  });

  it('bounds each deleteMany outcome, cancelling the stuck delete', async () => {
    const memory = new MemoryProvider();
    const uris = ['a', 'b'].map((k) => parseUri(`mem://b/${k}`));
    let stuckSignal: AbortSignal | undefined;
    const slow = decorateProvider(memory, {
      async *deleteMany(input, o) {
        for await (const uri of input) {
          if (uri.key === 'b') {
            stuckSignal = o?.signal;
            await new Promise((_, reject) =>
              o?.signal?.addEventListener('abort', () => reject(o.signal!.reason)),
            );
          }
          yield { uri };
        }
      },
    });
    const layered = withTimeout({ operationMs: 50 })(slow);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const outcome of layered.deleteMany(uris)) {
        seen.push(outcome.uri.key);
        await new Promise((resolve) => setTimeout(resolve, 80)); // the consumer's time is not counted
      }
    })().catch((e) => e);
    expect(seen).toEqual(['a']);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(stuckSignal?.aborted).toBe(true);
  });
});
