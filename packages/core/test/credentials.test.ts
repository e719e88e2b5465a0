import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  AuthenticationRequiredError,
  CredentialChain,
  type CredentialSource,
  Credentials,
  CredentialsNotFoundError,
  ExpiredCredentialsError,
  formatExplanation,
  InvalidConfigError,
  RefreshingCredentialSource,
} from '../src/index.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLETOKEN';

describe('Credentials', () => {
  it('redacts secrets in toString, toJSON, util.inspect and template strings', () => {
    const c = Credentials.aws(
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET, sessionToken: TOKEN },
      'env',
    );
    for (const text of [
      String(c),
      JSON.stringify(c),
      inspect(c),
      `${c}`,
      inspect({ nested: c }, { depth: 5 }),
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
    }
    expect(c.secretAccessKey).toBe(SECRET);
    expect(Object.keys(c)).not.toContain('secretAccessKey');
    expect(c.kind).toBe('aws');
    expect(Credentials.bearer(TOKEN, 'x').kind).toBe('bearer');
    expect(Credentials.basic('u', 'p', 'x').kind).toBe('basic');
  });
});

function source(name: string, fn: CredentialSource['resolve']): CredentialSource {
  return { name, resolve: fn };
}

describe('CredentialChain', () => {
  it('returns the first source that answers and explains every step', async () => {
    const chain = new CredentialChain([
      source('env', async (ctx) => {
        ctx?.note?.('AWS_ACCESS_KEY_ID not set');
        return undefined;
      }),
      source('file', async () =>
        Credentials.aws({ accessKeyId: 'AKIAFILEEXAMPLE00000', secretAccessKey: SECRET }, 'file'),
      ),
      source('imds', async () => {
        throw new Error('must not be reached');
      }),
    ]);
    expect((await chain.resolve())?.source).toBe('file');
    const explanation = await chain.explain();
    expect(explanation.steps.map((s) => [s.source, s.outcome])).toEqual([
      ['env', 'skipped'],
      ['file', 'chosen'],
      ['imds', 'not-reached'],
    ]);
    expect(explanation.steps[0]!.reason).toBe('AWS_ACCESS_KEY_ID not set');
    const text = formatExplanation(explanation) + JSON.stringify(explanation);
    expect(text).not.toContain(SECRET);
  });

  it('stops at a broken source, as botocore does, and explain() reports it without throwing', async () => {
    const chain = new CredentialChain([
      source('config', async () => {
        throw new InvalidConfigError(
          'profile "x" in /home/u/.aws/config: aws_secret_access_key = hunter2 is malformed',
        );
      }),
      source('later', async () => Credentials.bearer('t', 'later')),
    ]);
    await expect(chain.resolve()).rejects.toBeInstanceOf(InvalidConfigError);
    const explanation = await chain.explain();
    expect(explanation.steps.map((s) => s.outcome)).toEqual(['failed', 'not-reached']);
    expect(JSON.stringify(explanation)).not.toContain('hunter2');
  });

  it('require() throws CredentialsNotFoundError naming what was tried', async () => {
    const chain = new CredentialChain([source('env', async () => undefined)]);
    await expect(chain.require()).rejects.toBeInstanceOf(CredentialsNotFoundError);
    await expect(chain.require()).rejects.toThrow(/env/);
  });
});

describe('RefreshingCredentialSource', () => {
  const MIN = 60_000;
  function counting(expiries: number[], fail?: (n: number) => boolean) {
    let calls = 0;
    const inner = source('sts', async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      if (fail?.(calls)) throw new Error('sts down');
      return Credentials.aws(
        { accessKeyId: `AKIA${calls}`, secretAccessKey: 's', expiresAt: new Date(expiries[calls - 1] ?? 0) },
        'sts',
      );
    });
    return { inner, calls: () => calls };
  }

  it('caches until the advisory window and runs one refresh for many callers', async () => {
    let now = 0;
    const { inner, calls } = counting([60 * MIN, 120 * MIN]);
    const cache = new RefreshingCredentialSource(inner, { now: () => now });
    await Promise.all(Array.from({ length: 20 }, () => cache.resolve()));
    expect(calls()).toBe(1);
    now = 30 * MIN;
    expect((await cache.resolve())?.accessKeyId).toBe('AKIA1');
    now = 46 * MIN; // 14 min left: advisory
    const many = await Promise.all(Array.from({ length: 20 }, () => cache.resolve()));
    expect(calls()).toBe(2);
    expect(new Set(many.map((c) => c?.accessKeyId))).toEqual(new Set(['AKIA2']));
  });

  it('a caller whose signal fires stops waiting, and the shared refresh still serves the others', async () => {
    let calls = 0;
    // Like a real source (STS, SSO, IMDS over HTTP): honours the signal it is given.
    const inner = source('sts', async (context) => {
      calls++;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 50);
        context?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('request aborted'));
        });
      });
      return Credentials.aws({ accessKeyId: 'AKIASHARED', secretAccessKey: 's' }, 'sts');
    });
    const cache = new RefreshingCredentialSource(inner);
    const impatient = new AbortController();
    const first = cache.resolve({ signal: impatient.signal }).catch((e: unknown) => e);
    const second = cache.resolve();
    setTimeout(() => impatient.abort(), 10);
    expect(await first).toBeInstanceOf(AbortedError);
    expect((await second)?.accessKeyId).toBe('AKIASHARED');
    expect(calls).toBe(1);
  });

  it('keeps old credentials when an advisory refresh fails, throws when a mandatory one fails', async () => {
    let now = 0;
    const { inner } = counting([60 * MIN], (n) => n > 1);
    const failures: unknown[] = [];
    const cache = new RefreshingCredentialSource(inner, {
      now: () => now,
      onAdvisoryFailure: (e) => failures.push(e),
    });
    await cache.resolve();
    now = 47 * MIN;
    expect((await cache.resolve())?.accessKeyId).toBe('AKIA1');
    expect(failures).toHaveLength(1);
    now = 55 * MIN;
    await expect(cache.resolve()).rejects.toThrow('sts down');
  });

  it('refuses credentials that have already expired: a first answer is fetched once more, then ExpiredCredentialsError', async () => {
    const now = 100 * MIN;
    const { inner, calls } = counting([50 * MIN, 60 * MIN]);
    const cache = new RefreshingCredentialSource(inner, { now: () => now });
    const error = await cache.resolve().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpiredCredentialsError);
    expect(error).toBeInstanceOf(AuthenticationRequiredError);
    expect((error as ExpiredCredentialsError).kind).toBe('expired-credentials');
    expect((error as ExpiredCredentialsError).expiresAt.getTime()).toBe(60 * MIN);
    expect((error as Error).message).not.toContain('AKIA');
    expect(calls()).toBe(2); // botocore: the load, then the refresh on first use
    // Nothing expired was cached: the next caller asks the source again.
    await cache.resolve().catch(() => {});
    expect(calls()).toBe(4);
  });

  it('an expired first answer followed by a valid one is used; a mandatory refresh that answers expired throws', async () => {
    let now = 100 * MIN;
    const { inner, calls } = counting([50 * MIN, 200 * MIN, 100 * MIN]);
    const cache = new RefreshingCredentialSource(inner, { now: () => now });
    expect((await cache.resolve())?.accessKeyId).toBe('AKIA2');
    expect(calls()).toBe(2);
    now = 195 * MIN; // 5 min left: mandatory refresh, answered with expired credentials
    await expect(cache.resolve()).rejects.toBeInstanceOf(ExpiredCredentialsError);
    expect(calls()).toBe(3); // a refresh is not repeated
  });

  it('forceRefresh bypasses the cache', async () => {
    const { inner, calls } = counting([Date.now() + 3600_000, Date.now() + 3600_000]);
    const cache = new RefreshingCredentialSource(inner);
    await cache.resolve();
    await cache.resolve({ forceRefresh: true });
    expect(calls()).toBe(2);
  });
});
