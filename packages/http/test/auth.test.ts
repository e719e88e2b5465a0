import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  applyLayers,
  CredentialChain,
  Credentials,
  parseUri,
  type StowageError,
  withRetry,
} from '@stowage/core';
import { type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basicAuth,
  bearerToken,
  delegatedLogin,
  HttpProvider,
  netrcCredentials,
  parseNetrc,
} from '../src/index.js';
import { drain, quickRetry, removeDir, scratch, serve } from './support.js';

describe('bearer and basic', () => {
  let bearerServer: HttpTestServer;
  let basicServer: HttpTestServer;
  beforeAll(async () => {
    bearerServer = await startHttpServer({ auth: { bearer: 'good-token' } });
    basicServer = await startHttpServer({ auth: { basic: { username: 'ann', password: 'pa:ss w0rd' } } });
    await serve(bearerServer, 'x.txt', 'bearer ok');
    await serve(basicServer, 'x.txt', 'basic ok');
  });
  afterAll(async () => {
    await bearerServer.close();
    await basicServer.close();
  });

  it('sends a bearer token', async () => {
    const provider = new HttpProvider({ credentials: bearerToken('good-token') });
    expect((await drain(await provider.read(parseUri(bearerServer.urlFor('x.txt'))))).toString()).toBe(
      'bearer ok',
    );
    await provider.close();
  });

  it('sends basic credentials', async () => {
    const provider = new HttpProvider({ credentials: basicAuth('ann', 'pa:ss w0rd') });
    expect((await drain(await provider.read(parseUri(basicServer.urlFor('x.txt'))))).toString()).toBe(
      'basic ok',
    );
    await provider.close();
  });

  it('uses user info from the URL as basic credentials', async () => {
    const provider = new HttpProvider();
    const url = basicServer.urlFor('x.txt').replace('http://', 'http://ann:pa%3Ass%20w0rd@');
    expect((await drain(await provider.read(parseUri(url)))).toString()).toBe('basic ok');
    await provider.close();
  });

  it('maps 401 without credentials to AuthenticationRequiredError with a hint', async () => {
    const provider = new HttpProvider();
    const error = (await provider
      .stat(parseUri(bearerServer.urlFor('x.txt')))
      .catch((e) => e)) as StowageError;
    expect(error.code).toBe('AuthenticationRequired');
    expect(error.hint).toMatch(/bearerToken/);
    await provider.close();
  });

  it('maps 403 to PermissionDeniedError', async () => {
    const provider = new HttpProvider();
    bearerServer.setFault({ kind: 'status', path: 'x.txt', status: 403, times: 2 });
    await expect(
      new HttpProvider({ credentials: bearerToken('good-token') }).read(
        parseUri(bearerServer.urlFor('x.txt')),
      ),
    ).rejects.toMatchObject({ code: 'PermissionDenied' });
    await provider.close();
  });

  it('keeps a host-scoped credential on its hosts', async () => {
    const scoped = bearerToken('good-token', { hosts: ['example.org'] });
    expect(await scoped.resolve({ host: 'example.org:443' })).toBeDefined();
    expect(await scoped.resolve({ host: '127.0.0.1:80' })).toBeUndefined();
  });
});

describe('netrc', () => {
  let server: HttpTestServer;
  let home: string;
  beforeAll(async () => {
    server = await startHttpServer({ auth: { basic: { username: 'nina', password: 's3cret' } } });
    await serve(server, 'x.txt', 'netrc ok');
    home = await scratch();
  });
  afterAll(async () => {
    await server.close();
    await removeDir(home);
  });

  it('parses machine, default, quoted values, comments and macdef', () => {
    const entries = parseNetrc(
      '# comment\nmachine a.example login ann password "p w\\"d"\nmacdef init\ncd /\nls\n\nmachine b login bob password x account acc\ndefault login anonymous password me@x\n',
    );
    expect(entries).toEqual([
      { machine: 'a.example', login: 'ann', password: 'p w"d' },
      { machine: 'b', login: 'bob', password: 'x', account: 'acc' },
      { machine: undefined, login: 'anonymous', password: 'me@x' },
    ]);
    // A value that happens to read "macdef" is a value, not the start of a macro.
    expect(parseNetrc('machine m login macdef password p\nmachine n login x password y\n')).toEqual([
      { machine: 'm', login: 'macdef', password: 'p' },
      { machine: 'n', login: 'x', password: 'y' },
    ]);
    expect(() => parseNetrc('login x')).toThrow(/before any "machine"/);
    expect(() => parseNetrc('machine a login')).toThrow(/missing its value/);
  });

  it('reads ~/.netrc for the request host', async () => {
    await writeFile(join(home, '.netrc'), 'machine 127.0.0.1 login nina password s3cret\n', { mode: 0o600 });
    const provider = new HttpProvider({
      credentials: netrcCredentials(),
      resolveContext: { homedir: home, env: {} },
    });
    expect((await drain(await provider.read(parseUri(server.urlFor('x.txt'))))).toString()).toBe('netrc ok');
    await provider.close();
  });

  it('reads the file named by NETRC, and skips hosts it does not list', async () => {
    const dir = join(home, 'elsewhere');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'auth'), 'machine 127.0.0.1 login nina password s3cret\n', { mode: 0o600 });
    const source = netrcCredentials();
    const notes: string[] = [];
    const found = await source.resolve({
      host: '127.0.0.1:8080',
      env: { NETRC: join(dir, 'auth') },
      homedir: '/nonexistent',
    });
    expect(found?.username).toBe('nina');
    expect(
      await source.resolve({
        host: 'other.example',
        env: { NETRC: join(dir, 'auth') },
        note: (n) => notes.push(n),
      }),
    ).toBeUndefined();
    expect(notes.join('\n')).toMatch(/no entry for other.example/);
    expect(notes.join('\n')).not.toMatch(/s3cret/);
  });

  it('explains a chain without printing the password', async () => {
    const chain = new CredentialChain([bearerToken('t', { hosts: ['nowhere'] }), netrcCredentials()]);
    const explanation = await chain.explain({ host: '127.0.0.1', homedir: home, env: {} });
    expect(explanation.chosen).toBe('netrc');
    expect(JSON.stringify(explanation)).not.toMatch(/s3cret/);
  });
});

describe('delegated login and signing', () => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer({ auth: { bearer: 'fresh' } });
    await serve(server, 'x.txt', 'delegated ok');
  });
  afterAll(async () => server.close());

  it('logs in on demand and once more after a 401', async () => {
    const calls: string[] = [];
    const provider = new HttpProvider({
      credentials: delegatedLogin(async ({ reason, host }) => {
        calls.push(`${reason}@${host}`);
        return reason === 'initial' ? 'stale' : 'fresh';
      }),
    });
    const uri = parseUri(server.urlFor('x.txt'));
    expect((await drain(await provider.read(uri))).toString()).toBe('delegated ok');
    expect((await drain(await provider.read(uri))).toString()).toBe('delegated ok');
    expect(calls).toEqual([`initial@${uri.bucket}`, `rejected@${uri.bucket}`]);
    await provider.close();
  });

  it('re-runs the login only once, then fails with AuthenticationRequired', async () => {
    let calls = 0;
    const provider = new HttpProvider({
      credentials: delegatedLogin(async () => {
        calls++;
        return Credentials.bearer('always-wrong', 'test');
      }),
    });
    await expect(provider.stat(parseUri(server.urlFor('x.txt')))).rejects.toMatchObject({
      code: 'AuthenticationRequired',
    });
    expect(calls).toBe(2);
    await provider.close();
  });

  it('lets a signer add headers, re-signing after a 401', async () => {
    const reasons: string[] = [];
    const provider = new HttpProvider({
      sign: ({ reason, method, url }) => {
        reasons.push(`${reason} ${method} ${url.pathname}`);
        return { authorization: reason === 'initial' ? 'Bearer old' : 'Bearer fresh' };
      },
    });
    expect((await provider.stat(parseUri(server.urlFor('x.txt')))).size).toBe(12);
    expect(reasons).toEqual(['initial HEAD /x.txt', 'unauthorized HEAD /x.txt']);
    await provider.close();
  });
});

describe('URLs with credentials', () => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer({ auth: { basic: { username: 'u', password: 'hunter2' } } });
  });
  afterAll(async () => server.close());

  it('never print the password or token in errors, causes, JSON or retry notices', async () => {
    const reasons: string[] = [];
    const provider = applyLayers(new HttpProvider(), [
      withRetry({ ...quickRetry, maxAttempts: 2, onRetry: (n) => reasons.push(JSON.stringify(n)) }),
    ]);
    const cases = [
      server.urlFor('missing.bin').replace('http://', 'http://u:hunter2@'),
      server.urlFor('x.bin').replace('http://', 'http://ghp_tokenAsUser1234@'),
      server.urlFor('x.bin').replace('http://', 'http://u:wrong-hunter2@'),
    ];
    server.setFault({ kind: 'status', status: 503, times: 1 });
    for (const url of cases) {
      const error = await provider.read(parseUri(url)).catch((e) => e);
      expect(error).toBeInstanceOf(Error);
      const shown = [
        error.message,
        String(error.uri),
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
        error.stack,
      ].join('\n');
      expect(shown).not.toMatch(/hunter2|ghp_tokenAsUser1234/);
    }
    const closed = await startHttpServer();
    const url = closed.urlFor('x').replace('http://', 'http://u:hunter2@');
    await closed.close();
    const error = await provider.stat(parseUri(url)).catch((e) => e);
    expect(error.code).toBe('Transient');
    expect([inspect(error, { depth: 10 }), reasons.join('\n')].join('\n')).not.toMatch(/hunter2/);
    await provider.close?.();
  });
});
