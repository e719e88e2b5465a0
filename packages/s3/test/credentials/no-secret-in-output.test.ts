import { createHash } from 'node:crypto';
import { formatExplanation, type ResolveContext } from '@stowage/core';
import { type AwsStandInHandle, startAwsStandIn } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsCredentialChain } from '../../src/credentials/index.js';
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
