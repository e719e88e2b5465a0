import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  backoffDelay,
  decorateProvider,
  MemoryProvider,
  NotFoundError,
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
});
