import { readFile } from 'node:fs/promises';
import { ExpiredCredentialsError } from '@stowage/core';
import { type AwsStandInHandle, startAwsStandIn } from '@stowage/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsCredentialChain, awsCredentialErrorKind } from '../../src/credentials/index.js';
import { type CaseHome, caseHome } from './support/case-home.js';

// botocore's RefreshableCredentials: credentials already expired when a source hands them out are
// refreshed once and, still expired, refused ("Credentials were refreshed, but the refreshed
// credentials are still expired."). IMDS is the exception: botocore extends them (static stability).

let standIn: AwsStandInHandle;
let home: CaseHome;
const PAST = new Date('2000-01-01T00:00:00Z');

beforeAll(async () => {
  standIn = await startAwsStandIn();
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(async () => {
  home = await caseHome();
  standIn.clearLog();
  standIn.setExpiration(undefined);
});
afterEach(async () => {
  await home.remove();
});

describe('expired credentials', () => {
  it('credential_process whose Expiration has passed: run twice, then ExpiredCredentialsError; the chain stops', async () => {
    const runs = `${home.home}/runs`;
    const script = await home.write(
      'proc.sh',
      `#!/bin/sh\necho run >> '${runs}'\necho '{"Version": 1, "AccessKeyId": "AKIAEXPIREDPROC", "SecretAccessKey": "expiredProcSecret-123", "SessionToken": "expiredProcToken-456", "Expiration": "2000-01-01T00:00:00Z"}'\n`,
      0o755,
    );
    await home.write('.aws/config', `[default]\ncredential_process = ${script}\n`);
    // A later source with keys, which must not be reached.
    await home.write(
      '.boto',
      '[Credentials]\naws_access_key_id = AKIABOTO\naws_secret_access_key = boto-secret\n',
    );
    const error = await awsCredentialChain()
      .resolve({ env: home.env({ AWS_EC2_METADATA_DISABLED: 'true' }), homedir: home.home })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpiredCredentialsError);
    expect(awsCredentialErrorKind(error)).toBe('expired-credentials');
    expect((error as ExpiredCredentialsError).provider).toBe('custom-process');
    expect((error as ExpiredCredentialsError).expiresAt.toISOString()).toBe(PAST.toISOString());
    for (const secret of ['expiredProcSecret-123', 'expiredProcToken-456'])
      expect(String((error as Error).message)).not.toContain(secret);
    expect((await readFile(runs, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('AWS_CREDENTIAL_EXPIRATION in the past: refused', async () => {
    const error = await awsCredentialChain()
      .resolve({
        env: home.env({
          AWS_ACCESS_KEY_ID: 'AKIAEXPIREDENV',
          AWS_SECRET_ACCESS_KEY: 'env-secret',
          AWS_CREDENTIAL_EXPIRATION: '2000-01-01T00:00:00Z',
          AWS_EC2_METADATA_DISABLED: 'true',
        }),
        homedir: home.home,
      })
      .catch((e: unknown) => e);
    expect(awsCredentialErrorKind(error)).toBe('expired-credentials');
  });

  it('container credentials that have expired: asked twice, then refused', async () => {
    standIn.setExpiration(() => PAST);
    const error = await awsCredentialChain()
      .resolve({
        env: home.env({
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${standIn.url}/container/old`,
          AWS_EC2_METADATA_DISABLED: 'true',
        }),
        homedir: home.home,
      })
      .catch((e: unknown) => e);
    expect(awsCredentialErrorKind(error)).toBe('expired-credentials');
    expect(standIn.requests).toHaveLength(2);
  });

  it('instance metadata credentials that have expired are extended by 17-25 min, as botocore does', async () => {
    standIn.setExpiration(() => PAST);
    const before = Date.now();
    const credentials = await awsCredentialChain().resolve({
      env: home.env({ AWS_EC2_METADATA_SERVICE_ENDPOINT: standIn.url }),
      homedir: home.home,
    });
    expect(credentials?.source).toBe('iam-role');
    const left = credentials!.expiresAt!.getTime() - before;
    expect(left).toBeGreaterThanOrEqual(17 * 60_000 - 1000);
    expect(left).toBeLessThanOrEqual(25 * 60_000 + 5000);
  });
});
