import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, MAX_SECRETS } from '../src/errors/secret-registry.js';
import {
  Credentials,
  DEFAULT_REDACTED_LENGTH,
  InvalidConfigError,
  PermissionDeniedError,
  redactSecrets,
  registerSecret,
} from '../src/index.js';

afterEach(() => forgetSecrets());

describe('redactSecrets: named values in every shape', () => {
  const cases: Array<[shape: string, text: string, secrets: string[]]> = [
    [
      'JSON',
      '{"AccessKeyId":"AKIDPROC","SecretAccessKey":"jsonSecret/K7MDENG","SessionToken" : "jsonToken+FwoG=="}',
      ['jsonSecret', 'K7MDENG', 'jsonToken', 'FwoG'],
    ],
    ['Python dict', "{'SessionToken': 'pySessionTok', 'token':'pyBareTok'}", ['pySessionTok', 'pyBareTok']],
    ['escaped JSON', '{\\"SessionToken\\":\\"escapedTok\\", \\"x\\": 1}', ['escapedTok']],
    [
      'XML',
      '<Credentials><SecretAccessKey>xmlSecret/abc</SecretAccessKey><SessionToken>xmlToken==</SessionToken></Credentials>',
      ['xmlSecret', 'xmlToken'],
    ],
    [
      'INI',
      '[default]\naws_secret_access_key = iniSecret-5d6e\naws_session_token=iniToken\ndb_password = iniPass',
      ['iniSecret', 'iniToken', 'iniPass'],
    ],
    [
      'env',
      'AWS_SECRET_ACCESS_KEY=envSecret AWS_SESSION_TOKEN="env quoted token"',
      ['envSecret', 'env quoted'],
    ],
    [
      'query',
      'https://h/p?X-Amz-Credential=AKIAABCDEFGHIJKLMNOP%2F2024&X-Amz-Signature=deadbeef&X-Amz-Security-Token=qsTok%2Bx&token=qsBare&key=qsKey',
      ['AKIAABCDEFGHIJKLMNOP', 'deadbeef', 'qsTok', 'qsBare', 'qsKey'],
    ],
    [
      'headers',
      'X-Amz-Security-Token: hdrToken\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDHDR/x, SignedHeaders=host, Signature=hdrSig\nx-api-key: hdrApiKey',
      ['hdrToken', 'AKIDHDR', 'hdrSig', 'hdrApiKey'],
    ],
    [
      'YAML',
      'sessionToken: yamlTok\npassword: yamlPass\nclient_secret: yamlClient',
      ['yamlTok', 'yamlPass', 'yamlClient'],
    ],
    ['URL user info', 'https://user:hunter2pw@host/p and ftp://a:ftpPass@c', ['hunter2pw', 'ftpPass']],
    ['bearer', 'sent Bearer eyJhbGciOi.abc.def', ['eyJhbGciOi']],
  ];
  for (const [shape, text, secrets] of cases) {
    it(shape, () => {
      const out = redactSecrets(text);
      for (const secret of secrets) expect(out, `${shape}: ${out}`).not.toContain(secret);
      expect(out).toContain('***');
    });
  }

  it('keeps what is not a secret readable', () => {
    const readable = [
      'SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.',
      'ExpiredToken: The provided token has expired.',
      'failed to refresh token: connect ECONNREFUSED 127.0.0.1:9',
      'credential_process = /usr/local/bin/get-creds --profile dev',
      '<NextContinuationToken>cursor1</NextContinuationToken>',
      '{"AccessKeyId":"AKIDPROC","Expiration":"2030-01-01T00:00:00Z"}',
      'see http://localhost:8080/path and s3://bucket/key',
      'token == null, the token. Basic authentication',
      'HTTP option headers must not carry "Authorization": pass credentials instead',
    ];
    for (const text of readable) expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactSecrets: registered secret values', () => {
  it('replaces a registered value wherever it appears, in any shape', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    registerSecret(secret);
    const out = redactSecrets(
      `the server said: key ${secret} is wrong; url ?sig=${encodeURIComponent(secret)}; ${secret}!`,
    );
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain('bPxRfiCY');
  });

  it('learns the secrets of every Credentials object, and only those fields', () => {
    Credentials.aws(
      { accessKeyId: 'AKIDCREDS', secretAccessKey: 'credsSecret-0123', sessionToken: 'credsToken-4567' },
      'test',
    );
    Credentials.bearer('credsBearer-89ab', 'test');
    Credentials.basic('someuser', 'credsPassword-cdef', 'test');
    const out = redactSecrets(
      'plain credsSecret-0123, credsToken-4567, credsBearer-89ab, credsPassword-cdef by someuser AKIDCREDS',
    );
    for (const secret of ['credsSecret', 'credsToken', 'credsBearer', 'credsPassword'])
      expect(out).not.toContain(secret);
    expect(out).toContain('someuser');
    expect(out).toContain('AKIDCREDS');
  });

  it('ignores values too short to match safely, and keeps a bounded number', () => {
    registerSecret('a');
    registerSecret('secret');
    expect(redactSecrets('a secret')).toBe('a secret');
    registerSecret('oldest-secret-value');
    for (let i = 0; i < MAX_SECRETS; i++) registerSecret(`filler-secret-${i}`);
    expect(redactSecrets('oldest-secret-value')).toBe('oldest-secret-value');
    expect(redactSecrets(`filler-secret-${MAX_SECRETS - 1}`)).toBe('***');
  });
});

describe('redactSecrets: long texts', () => {
  it('cuts to a bounded length with a note, and scrubs a secret that crosses the cut', () => {
    const secret = 'crossingSecretValue-0123456789';
    registerSecret(secret);
    const text = `${'x'.repeat(DEFAULT_REDACTED_LENGTH - 5)}${secret} and token=${'t'.repeat(300_000)}`;
    const out = redactSecrets(text);
    expect(out.length).toBeLessThan(DEFAULT_REDACTED_LENGTH + 100);
    expect(out).toMatch(/… \(cut; \d+ characters in all\)$/);
    expect(out).toContain(String(text.length));
    expect(out).not.toContain('cross');
    expect(out).not.toContain('cr…');
  });

  it('masks a URL user info whose end was cut off', () => {
    const out = redactSecrets(`${'x'.repeat(100)} https://user:${'p'.repeat(20_000)}@host/`, {
      maxLength: 200,
    });
    expect(out).not.toContain('ppp');
    expect(out).toContain('https://***:***');
  });

  it('keeps everything with maxLength Infinity', () => {
    const text = `${'y'.repeat(20_000)} token=abc`;
    expect(redactSecrets(text, { maxLength: Infinity })).toBe(`${'y'.repeat(20_000)} token=***`);
  });
});

describe('StowageError', () => {
  it('scrubs its message, hint and uri, and util.inspect of its cause chain', () => {
    const token = 'FwoGZXIvYXdzEXAMPLEsessiontoken';
    const cause = Object.assign(new Error(`upstream answered {"SessionToken":"${token}"}`), {
      Message: `denied token=${token}&x=1`,
      $response: { headers: { authorization: `Bearer ${token}` } },
    });
    const error = new PermissionDeniedError(`denied: "SessionToken":"${token}"`, {
      hint: `retry with token=${token}`,
      uri: `https://u:${token}@host/p`,
      cause,
    });
    const texts = [
      error.message,
      error.hint ?? '',
      error.uri ?? '',
      JSON.stringify(error),
      String(error),
      error.stack ?? '',
      inspect(error, { depth: 8 }),
      inspect({ wrapped: error }, { depth: 8, colors: true }),
      inspect(new InvalidConfigError('outer', { cause: error }), { depth: 8 }),
    ];
    for (const text of texts) expect(text).not.toContain(token);
    expect(inspect(error)).toContain('PermissionDeniedError');
    expect(inspect(error)).toContain('[cause]');
  });
});
