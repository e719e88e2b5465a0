import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Credentials, formatExplanation, parseUri, type ResolveContext } from '@stowage/core';
import { type AwsStandInHandle, startAwsStandIn } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsCredentialChain } from '../../src/credentials/index.js';
import { S3Provider } from '../../src/index.js';
import { caseHome } from './support/case-home.js';

// Every secret the scenarios put anywhere: keys, tokens, bearer tokens, web identity tokens.
const SECRETS = [
  'AKIDSECRETENV0001',
  'envSecretValue-9f8e7d',
  'envSessionToken-1a2b3c',
  'fileSecretValue-5d6e7f',
  'fileSessionToken-8a9b0c',
  'procSecretValue-abcdef',
  'ssoBearerToken-2468ac',
  'jwtWebIdentity-13579b',
  'containerAuth-fedcba',
  'secret-app',
  'token-app-AKIDBASESECRET',
  'AKIDBASESECRET',
  'baseSecretValue-777',
];

let standIn: AwsStandInHandle;
beforeAll(async () => {
  standIn = await startAwsStandIn();
});
afterAll(async () => {
  await standIn.close();
});

describe('no secret reaches an error, explain() or a log line', () => {
  it('across every source, chosen, skipped and failing', async () => {
    const home = await caseHome();
    const captured: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        captured.push(args.map(String).join(' '));
      }),
    );
    const stderrSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      captured.push(String(chunk));
      return true;
    });
    try {
      const proc = await home.write(
        'bin/proc.sh',
        '#!/bin/sh\necho \'{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"procSecretValue-abcdef"}\'\n',
        0o755,
      );
      const badProc = await home.write(
        'bin/bad.sh',
        '#!/bin/sh\necho \'{"Version":1,"SecretAccessKey":"procSecretValue-abcdef"}\'\nexit 2\n',
        0o755,
      );
      const jwt = await home.write('jwt', 'jwtWebIdentity-13579b');
      const ctToken = await home.write('ct-token', 'containerAuth-fedcba');
      await home.write(
        '.aws/credentials',
        '[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = fileSecretValue-5d6e7f\naws_session_token = fileSessionToken-8a9b0c\n' +
          '[base]\naws_access_key_id = AKIDBASESECRET\naws_secret_access_key = baseSecretValue-777\n' +
          '[half]\naws_access_key_id = AKIDHALF\n',
      );
      await home.write(
        '.aws/config',
        `[profile proc]\ncredential_process = ${proc}\n[profile badproc]\ncredential_process = ${badProc}\n` +
          '[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n' +
          '[profile sso]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\nsso_start_url = https://x/start\nsso_region = us-east-1\n' +
          '[profile expired]\nsso_start_url = https://y/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n',
      );
      const sha = (s: string) => createHash('sha1').update(s).digest('hex');
      await home.write(
        `.aws/sso/cache/${sha('s')}.json`,
        JSON.stringify({ accessToken: 'ssoBearerToken-2468ac', expiresAt: '2099-01-01T00:00:00Z' }),
      );
      await home.write(
        `.aws/sso/cache/${sha('https://y/start')}.json`,
        JSON.stringify({ accessToken: 'ssoBearerToken-2468ac', expiresAt: '2001-01-01T00:00:00Z' }),
      );

      const base = {
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_STS: standIn.url,
        AWS_ENDPOINT_URL_SSO: standIn.url,
      };
      const scenarios: Array<Record<string, string>> = [
        {
          AWS_ACCESS_KEY_ID: 'AKIDSECRETENV0001',
          AWS_SECRET_ACCESS_KEY: 'envSecretValue-9f8e7d',
          AWS_SESSION_TOKEN: 'envSessionToken-1a2b3c',
        },
        { AWS_SECRET_ACCESS_KEY: 'envSecretValue-9f8e7d' },
        { AWS_ACCESS_KEY_ID: 'AKIDSECRETENV0001' },
        {},
        { AWS_PROFILE: 'proc' },
        { AWS_PROFILE: 'badproc' },
        { AWS_PROFILE: 'app' },
        { AWS_PROFILE: 'sso' },
        { AWS_PROFILE: 'expired' },
        { AWS_PROFILE: 'half' },
        { AWS_WEB_IDENTITY_TOKEN_FILE: jwt, AWS_ROLE_ARN: 'arn:aws:iam::1:role/wi', AWS_PROFILE: 'half' },
        {
          AWS_PROFILE: 'half',
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${standIn.url}/container/c`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: ctToken,
        },
        {
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${standIn.url}/container/c`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: 'containerAuth-fedcba',
        },
        { AWS_WEB_IDENTITY_TOKEN_FILE: jwt, AWS_ROLE_ARN: 'arn:aws:iam::1:role/wi' },
      ];
      let resolvedAny = 0;
      for (const vars of scenarios) {
        const context: ResolveContext = {
          env: home.env({ ...base, ...vars }),
          homedir: home.home,
          note: (line) => captured.push(line),
        };
        const chain = awsCredentialChain();
        const explanation = await chain.explain(context);
        captured.push(formatExplanation(explanation), JSON.stringify(explanation));
        try {
          const credentials = await chain.resolve(context);
          if (credentials) {
            resolvedAny++;
            captured.push(
              String(credentials),
              JSON.stringify(credentials),
              JSON.stringify(credentials.describe()),
            );
          }
        } catch (error) {
          const e = error as Error & { hint?: string; toJSON?: () => unknown };
          captured.push(
            e.message,
            String(e),
            e.hint ?? '',
            JSON.stringify(e.toJSON?.() ?? {}),
            e.stack ?? '',
          );
        }
      }
      expect(resolvedAny).toBeGreaterThanOrEqual(6);
      const everything = captured.join('\n');
      expect(everything).toContain('assume-role'); // the capture really saw explain output
      for (const secret of SECRETS) expect(everything, secret).not.toContain(secret);
    } finally {
      for (const spy of spies) spy.mockRestore();
      stderrSpy.mockRestore();
      await home.remove();
    }
  }, 30_000);
});

/** Every text a failure can reach a user through: message, hint, JSON, string, stack, inspect. */
function printedForms(error: unknown): string[] {
  const e = error as Error & { hint?: string; toJSON?: () => unknown };
  return [
    e.message,
    String(e),
    e.hint ?? '',
    JSON.stringify(e.toJSON?.() ?? {}),
    e.stack ?? '',
    inspect(e, { depth: 8 }),
    inspect({ wrapped: e }, { depth: 8 }),
  ];
}

/** A loopback server answering every request with `status`, `type` and `body`. */
async function answering(
  status: number,
  type: string,
  body: string,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': type, 'x-amz-request-id': 'LOOPBACK1' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('secrets quoted by failing programs and servers', () => {
  it('a failing credential_process printing keys on stderr (name=value, JSON, plain) leaks none', async () => {
    const home = await caseHome();
    // Random-looking values, as real keys are; each form gets its own, so each mechanism is tested.
    const named = { secret: 'nvK7MDENGbPxRfiCY9EXAMPLEa1', token: 'nvFwoGZXIvYXdzEJr8EXAMPLEb2' };
    const json = { secret: 'jsK7MDENG/bPxRfiCY7EXAMPLEc3', token: 'jsIQoJb3JpZ2luX2VjEJr+EXAMPLEd4==' };
    const plain = { secret: 'plK7MDENGbPxRfiCY5EXAMPLEe5', token: 'plIQoJb3JpZ2luX2Vj3EXAMPLEf6' };
    // Printed on stdout as a (rejected) answer too, then quoted on stderr: no pattern can tell it is a key.
    const echoed = 'echoedlowercasesecretvalue';
    const leaks = [...Object.values(named), ...Object.values(json), ...Object.values(plain), echoed];
    try {
      const script = await home.write(
        'bin/failing.sh',
        [
          '#!/bin/sh',
          `echo '{"Version":1,"AccessKeyId":"AKIDECHO","SecretAccessKey":"${echoed}"}'`,
          'echo "credential helper failed: session expired" >&2',
          `echo "aws_secret_access_key=${named.secret} aws_session_token=${named.token}" >&2`,
          `echo '{"AccessKeyId": "ASIAEXAMPLE1234567890", "SecretAccessKey": "${json.secret}", "SessionToken": "${json.token}"}' >&2`,
          `echo "keys: ${plain.secret} ${plain.token} (and ${echoed})" >&2`,
          'exit 3',
          '',
        ].join('\n'),
        0o755,
      );
      await home.write('.aws/config', `[profile failing]\ncredential_process = ${script}\n`);
      const context: ResolveContext = {
        env: home.env({ AWS_PROFILE: 'failing', AWS_EC2_METADATA_DISABLED: 'true' }),
      };
      const chain = awsCredentialChain();
      const error = await chain.resolve(context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const explanation = await chain.explain(context);
      const texts = [...printedForms(error), formatExplanation(explanation), JSON.stringify(explanation)];
      for (const text of texts) for (const secret of leaks) expect(text, secret).not.toContain(secret);
      // What is not a secret stays readable.
      expect((error as Error).message).toContain('exited with status 3');
      expect((error as Error).message).toContain('credential helper failed: session expired');
    } finally {
      await home.remove();
    }
  });

  it('a credentials endpoint whose error body quotes "SessionToken":"…" and token=… leaks neither', async () => {
    const quotedToken = 'srvQuotedSessionToken0001';
    const queryToken = 'srvQueryToken0002';
    const endpoint = await answering(
      400,
      'application/json',
      JSON.stringify({
        Code: 'AccessDenied',
        Message: `rejected {"SessionToken":"${quotedToken}"} from /creds?token=${queryToken}&x=1`,
      }),
    );
    try {
      const context: ResolveContext = {
        env: {
          PATH: process.env.PATH,
          HOME: '/nonexistent',
          AWS_CONFIG_FILE: '/nonexistent/config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${endpoint.url}/creds`,
        },
        homedir: '/nonexistent',
      };
      const error = await awsCredentialChain({ container: { attempts: 1 } })
        .resolve(context)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const forms = printedForms(error);
      expect(forms.join('\n')).toContain('rejected'); // the server's text did reach the output
      for (const text of forms) {
        expect(text).not.toContain(quotedToken);
        expect(text).not.toContain(queryToken);
      }
    } finally {
      endpoint.server.close();
    }
  });

  it("an S3 error <Message> quoting the request's own secret key and token, or shaped secrets, leaks none", async () => {
    const secretAccessKey = 'loopbackSecretKey/K7MDENG+bPxRfiCY';
    const sessionToken = 'loopbackSessionTokenIQoJb3JpZ2luX2Vj';
    const shaped = 'shapedTokenInMessage0003';
    const queried = 'queriedTokenInMessage0004';
    const message =
      `The request signature we calculated does not match; key ${secretAccessKey} with token ${sessionToken}; ` +
      `{"SessionToken":"${shaped}"} token=${queried}`;
    const endpoint = await answering(
      403,
      'application/xml',
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>${message}</Message><RequestId>LOOPBACK1</RequestId></Error>`,
    );
    const provider = new S3Provider({
      endpoint: endpoint.url,
      forcePathStyle: true,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        name: 'loopback',
        resolve: async () =>
          Credentials.aws({ accessKeyId: 'AKIDLOOPBACK', secretAccessKey, sessionToken }, 'loopback'),
      },
    });
    try {
      const error = await provider.read(parseUri('s3://bucket/key.txt')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PermissionDenied' });
      const forms = printedForms(error);
      expect((error as Error).message).toContain('The request signature we calculated does not match');
      for (const text of forms)
        for (const secret of [secretAccessKey, sessionToken, shaped, queried])
          expect(text, secret).not.toContain(secret);
    } finally {
      await provider.close();
      endpoint.server.close();
    }
  });
});
