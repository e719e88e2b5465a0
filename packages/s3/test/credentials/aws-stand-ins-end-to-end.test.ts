import { createHash } from 'node:crypto';
import { formatExplanation } from '@stowage/core';
import { type AwsStandInHandle, startAwsStandIn } from '@stowage/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsCredentialChain, awsCredentialErrorKind } from '../../src/credentials/index.js';
import { type CaseHome, caseHome } from './support/case-home.js';

let standIn: AwsStandInHandle;
let home: CaseHome;
let clock = Date.now();
const now = () => clock;
const minutes = (n: number) => n * 60_000;

beforeAll(async () => {
  standIn = await startAwsStandIn();
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(async () => {
  home = await caseHome();
  standIn.clearLog();
  standIn.setMode('answer');
  standIn.setExpiration(undefined);
  clock = Date.now();
});
afterEach(async () => {
  await home.remove();
});

describe('AWS sources against the local stand-ins', () => {
  it('IMDSv2: token first, then role credentials, refreshed inside the advisory window only', async () => {
    // 40 min: beyond botocore's 15 min + 2-10 min jitter, so the expiry is not extended.
    const expiry = new Date(clock + minutes(40));
    standIn.setExpiration(() => expiry);
    const env = home.env({ AWS_EC2_METADATA_SERVICE_ENDPOINT: standIn.url });
    const chain = awsCredentialChain({ refresh: { now } });
    const first = await chain.resolve({ env, homedir: home.home });
    expect(first?.source).toBe('iam-role');
    expect(first?.expiresAt?.getTime()).toBe(Math.floor(expiry.getTime() / 1000) * 1000);
    expect(standIn.requests).toEqual([
      { service: 'imds', op: 'token' },
      { service: 'imds', op: 'credentials', role: 'instance-role' },
    ]);
    clock += minutes(20);
    await chain.resolve({ env, homedir: home.home });
    expect(standIn.requests).toHaveLength(2); // cached: 20 min left is outside the 15 min window
    clock += minutes(6); // 14 min left: advisory refresh
    await chain.resolve({ env, homedir: home.home });
    expect(standIn.requests).toHaveLength(4);
  });

  it('STS AssumeRole: signed by the source keys, sent to AWS_ENDPOINT_URL_STS, refreshed before expiry', async () => {
    standIn.setExpiration(() => new Date(clock + minutes(12)));
    await home.write(
      '.aws/credentials',
      '[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n',
    );
    await home.write(
      '.aws/config',
      '[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\n',
    );
    const env = home.env({
      AWS_PROFILE: 'app',
      AWS_ENDPOINT_URL_STS: standIn.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const chain = awsCredentialChain({ refresh: { now } });
    const first = await chain.resolve({ env, homedir: home.home });
    expect(first?.source).toBe('assume-role');
    expect(first?.accessKeyId).toBe('AR_app_AKIDBASE');
    expect(standIn.requests).toHaveLength(1);
    clock += minutes(3); // 9 min left: mandatory refresh
    await chain.resolve({ env, homedir: home.home });
    expect(standIn.requests).toHaveLength(2);
    expect(standIn.requests[1]).toMatchObject({ action: 'AssumeRole', sourceAccessKeyId: 'AKIDBASE' });
  });

  it('web identity, SSO and container credentials carry their expiry', async () => {
    const expiry = new Date('2031-05-05T10:00:00Z');
    standIn.setExpiration(() => expiry);
    const token = await home.write('token', 'jwt-e2e');
    const wi = await awsCredentialChain().resolve({
      env: home.env({
        AWS_WEB_IDENTITY_TOKEN_FILE: token,
        AWS_ROLE_ARN: 'arn:aws:iam::1:role/wi',
        AWS_ENDPOINT_URL_STS: standIn.url,
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
      homedir: home.home,
    });
    expect([wi?.source, wi?.accessKeyId, wi?.expiresAt?.toISOString()]).toEqual([
      'assume-role-with-web-identity',
      'WI_wi_jwt-e2e',
      expiry.toISOString(),
    ]);

    await home.write(
      '.aws/config',
      '[profile s]\nsso_session = corp\nsso_account_id = 42\nsso_role_name = R\n[sso-session corp]\nsso_start_url = https://x.example/start\nsso_region = eu-west-1\n',
    );
    const cacheName = createHash('sha1').update('corp').digest('hex');
    await home.write(
      `.aws/sso/cache/${cacheName}.json`,
      JSON.stringify({ accessToken: 'bearer-e2e', expiresAt: '2099-01-01T00:00:00Z' }),
    );
    const sso = await awsCredentialChain().resolve({
      env: home.env({
        AWS_PROFILE: 's',
        AWS_ENDPOINT_URL_SSO: standIn.url,
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
      homedir: home.home,
    });
    expect([sso?.source, sso?.accessKeyId, sso?.accountId, sso?.expiresAt?.toISOString()]).toEqual([
      'sso',
      'SSO_42_R',
      '42',
      expiry.toISOString(),
    ]);

    const container = await awsCredentialChain().resolve({
      env: home.env({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${standIn.url}/container/job`,
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
      homedir: home.home,
    });
    expect([container?.source, container?.sessionToken, container?.expiresAt?.toISOString()]).toEqual([
      'container-role',
      'token-ct-',
      expiry.toISOString(),
    ]);
  });

  it('an unreachable container endpoint is a typed retrieval error that stops the chain', async () => {
    standIn.setMode('reset');
    const chain = awsCredentialChain({ container: { timeoutMs: 200, attempts: 2 } });
    const error = await chain
      .resolve({
        env: home.env({
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${standIn.url}/container/x`,
          AWS_EC2_METADATA_DISABLED: 'true',
        }),
        homedir: home.home,
      })
      .catch((e: unknown) => e);
    expect(awsCredentialErrorKind(error)).toBe('credential-retrieval');
  });

  it('a plain-HTTP container URL to a remote host is refused before any request', async () => {
    const error = await awsCredentialChain()
      .resolve({
        env: home.env({
          AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://192.0.2.10/creds',
          AWS_EC2_METADATA_DISABLED: 'true',
        }),
        homedir: home.home,
      })
      .catch((e: unknown) => e);
    expect(awsCredentialErrorKind(error)).toBe('container-uri-not-allowed');
  });

  it('with no metadata server answering, IMDS gives up within 1 s by default', async () => {
    standIn.setMode('hang');
    const chain = awsCredentialChain();
    const started = Date.now();
    const explanation = await chain.explain({
      env: home.env({ AWS_EC2_METADATA_SERVICE_ENDPOINT: standIn.url }),
      homedir: home.home,
    });
    const elapsed = Date.now() - started;
    expect(explanation.chosen).toBeUndefined();
    expect(elapsed).toBeLessThan(1000);
    expect(formatExplanation(explanation)).toMatch(/iam-role .*skipped/);
  });

  it('the default IMDS endpoint (169.254.169.254) also gives up within 1 s', async () => {
    const started = Date.now();
    const found = await awsCredentialChain().resolve({ env: home.env(), homedir: home.home });
    expect(found).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
