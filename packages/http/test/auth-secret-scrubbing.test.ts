import { parseUri, redactSecrets } from '@stowage/core';
import { type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, bearerToken, HttpProvider } from '../src/index.js';
import { drain, serve } from './support.js';

// Every secret the HTTP provider sends is registered with the scrubber, so a message quoting one in
// any shape (a server echoing a header, a URL in a log line) prints `***` instead.

const base64 = (text: string) => Buffer.from(text).toString('base64');
const quoted = (secret: string) => `the server said: ${secret} (and again: ${secret}).`;

describe('secrets the HTTP provider sends are scrubbed from messages', () => {
  let open: HttpTestServer;
  let basic: HttpTestServer;
  beforeAll(async () => {
    open = await startHttpServer();
    basic = await startHttpServer({ auth: { basic: { username: 'ann', password: 'urlPassw0rd-secret' } } });
    await serve(open, 'x.txt', 'open ok');
    await serve(basic, 'x.txt', 'basic ok');
  });
  afterAll(async () => {
    await open.close();
    await basic.close();
  });

  it('a fixed bearer token and a basic password, as soon as the source is made', () => {
    bearerToken('fixedBearer-cdef0123');
    basicAuth('ann', 'basicPass-89ab4567');
    for (const secret of ['fixedBearer-cdef0123', 'basicPass-89ab4567'])
      expect(redactSecrets(quoted(secret))).not.toContain(secret);
  });

  it('the password of URL user info and the basic header built from it', async () => {
    const provider = new HttpProvider();
    try {
      const url = basic.urlFor('x.txt').replace('http://', 'http://ann:urlPassw0rd-secret@');
      expect((await drain(await provider.read(parseUri(url)))).toString()).toBe('basic ok');
      for (const secret of ['urlPassw0rd-secret', base64('ann:urlPassw0rd-secret')])
        expect(redactSecrets(quoted(secret))).not.toContain(secret);
    } finally {
      await provider.close();
    }
  });

  it('the secret headers a request signer returns, with and without their scheme', async () => {
    const provider = new HttpProvider({
      sign: () => ({ 'X-Api-Key': 'signerApiKey-0123abcd', Authorization: 'Custom signerToken-4567efgh' }),
    });
    try {
      expect((await drain(await provider.read(parseUri(open.urlFor('x.txt'))))).toString()).toBe('open ok');
      for (const secret of ['signerApiKey-0123abcd', 'signerToken-4567efgh', 'Custom signerToken-4567efgh'])
        expect(redactSecrets(quoted(secret))).not.toContain(secret.replace('Custom ', ''));
      // headers that are no secret stay readable
      expect(redactSecrets('Custom scheme')).toBe('Custom scheme');
    } finally {
      await provider.close();
    }
  });

  it('a per-request signature does not crowd the lasting secrets out of the bounded registry', async () => {
    bearerToken('lastingBearer-4242abcd');
    let request = 0;
    const provider = new HttpProvider({
      sign: () => ({
        'X-Api-Key': 'stableApiKey-0123abcd',
        'X-Signature': `perRequestSig-${request++}-abcdef`,
      }),
    });
    try {
      // More distinct signatures than the registry holds values.
      for (let i = 0; i < 140; i++) await provider.stat(parseUri(open.urlFor('x.txt')));
      for (const secret of ['lastingBearer-4242abcd', 'stableApiKey-0123abcd'])
        expect(redactSecrets(quoted(secret))).not.toContain(secret);
      // A signature quoted by its header name is still scrubbed by the name-value patterns.
      expect(redactSecrets('X-Signature: perRequestSig-139-abcdef')).not.toContain('perRequestSig');
    } finally {
      await provider.close();
    }
  });
});
