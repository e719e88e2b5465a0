import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AwsStandInHandle, startAwsStandIn } from '@stowage/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsCredentialChain, awsCredentialErrorKind, resolveAwsRegion } from '../../src/credentials/index.js';
import { type CaseHome, caseHome } from './support/case-home.js';

// Variables set to the empty string, where botocore's answer is not visible in a reference case
// (test/fixtures/botocore/cases/empty-*.json hold the others; the README there has the whole table).

let standIn: AwsStandInHandle;
let home: CaseHome;

beforeAll(async () => {
  standIn = await startAwsStandIn();
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(async () => {
  home = await caseHome();
  standIn.clearLog();
});
afterEach(async () => {
  await home.remove();
});

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEENV', AWS_SECRET_ACCESS_KEY: 'secret-env' };

/** An instance-metadata server that refuses IMDSv2 tokens (403) and answers IMDSv1 requests. */
async function imdsV1Only(): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.method === 'PUT') return res.writeHead(403).end();
    if (req.url === '/latest/meta-data/iam/security-credentials/') return res.end('v1-role');
    return res.end(
      JSON.stringify({
        Code: 'Success',
        AccessKeyId: 'IMDSV1_KEY',
        SecretAccessKey: 'v1-secret',
        Token: 'v1-token',
        Expiration: '2099-01-01T00:00:00Z',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

describe('set-but-empty AWS variables, as botocore reads them', () => {
  it('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="" counts as set: 169.254.170.2 is asked, not the full URI', async () => {
    const error = await awsCredentialChain({ container: { timeoutMs: 100, attempts: 1 } })
      .resolve({
        env: home.env({
          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${standIn.url}/container/pod`,
          AWS_EC2_METADATA_DISABLED: 'true',
        }),
        homedir: home.home,
      })
      .catch((e: unknown) => e);
    expect(awsCredentialErrorKind(error)).toBe('credential-retrieval');
    expect(standIn.requests).toEqual([]);
  });

  it('AWS_EC2_METADATA_SERVICE_ENDPOINT="" hides the profile endpoint: the default one is asked', async () => {
    await home.write('.aws/config', `[default]\nec2_metadata_service_endpoint = ${standIn.url}\n`);
    const chain = awsCredentialChain({ imds: { budgetMs: 100 } });
    const context = { env: home.env({ AWS_EC2_METADATA_SERVICE_ENDPOINT: '' }), homedir: home.home };
    expect(await chain.resolve(context)).toBeUndefined();
    expect(standIn.requests).toEqual([]);
    const imds = (await chain.explain(context)).steps.find((s) => s.source === 'iam-role');
    expect(imds?.reason).toContain('http://169.254.169.254/');
  });

  it('AWS_IMDS_USE_IPV6="" is false and hides the profile imds_use_ipv6 = true: the IPv4 endpoint is asked', async () => {
    await home.write('.aws/config', '[default]\nimds_use_ipv6 = true\n');
    const chain = awsCredentialChain({ imds: { budgetMs: 100 } });
    const reasonFor = async (env: Record<string, string>) =>
      (await chain.explain({ env: home.env(env), homedir: home.home })).steps.find(
        (s) => s.source === 'iam-role',
      )?.reason;
    expect(await reasonFor({ AWS_IMDS_USE_IPV6: '' })).toContain('http://169.254.169.254/');
    expect(await reasonFor({})).toContain('http://[fd00:ec2::254]/');
  });

  it('AWS_EC2_METADATA_V1_DISABLED="" is false and hides the profile ec2_metadata_v1_disabled = true', async () => {
    const imds = await imdsV1Only();
    try {
      await home.write('.aws/config', '[default]\nec2_metadata_v1_disabled = true\n');
      const chain = awsCredentialChain();
      const resolve = (env: Record<string, string>) =>
        chain.resolve({
          env: home.env({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url, ...env }),
          homedir: home.home,
        });
      expect((await resolve({ AWS_EC2_METADATA_V1_DISABLED: '' }))?.accessKeyId).toBe('IMDSV1_KEY');
      expect(await resolve({})).toBeUndefined(); // the profile's setting, when the variable is unset
    } finally {
      await new Promise((resolve) => imds.server.close(resolve));
    }
  });

  it('AWS_ACCOUNT_ID="" gives no account id', async () => {
    const credentials = await awsCredentialChain().resolve({
      env: home.env({ ...KEYS, AWS_ACCOUNT_ID: '', AWS_EC2_METADATA_DISABLED: 'true' }),
      homedir: home.home,
    });
    expect(credentials?.source).toBe('env');
    expect(credentials?.accountId).toBeUndefined();
  });

  it('AWS_CREDENTIAL_EXPIRATION="" gives credentials that do not expire', async () => {
    const credentials = await awsCredentialChain().resolve({
      env: home.env({ ...KEYS, AWS_CREDENTIAL_EXPIRATION: '', AWS_EC2_METADATA_DISABLED: 'true' }),
      homedir: home.home,
    });
    expect(credentials?.source).toBe('env');
    expect(credentials?.expiresAt).toBeUndefined();
  });

  it('AWS_DEFAULT_REGION="" is the region "" and hides the profile region; AWS_REGION is not read', async () => {
    await home.write('.aws/config', '[default]\nregion = eu-west-1\n');
    expect(resolveAwsRegion({ env: home.env({ AWS_DEFAULT_REGION: '' }), homedir: home.home })).toBe('');
    expect(resolveAwsRegion({ env: home.env({ AWS_REGION: '' }), homedir: home.home })).toBe('eu-west-1');
    expect(resolveAwsRegion({ env: home.env({ AWS_REGION: 'ap-south-1' }), homedir: home.home })).toBe(
      'eu-west-1',
    );
  });

  it('AWS_METADATA_SERVICE_TIMEOUT, _NUM_ATTEMPTS and AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE = "" fail before any source, keys passed in code excepted', async () => {
    for (const variable of [
      'AWS_METADATA_SERVICE_TIMEOUT',
      'AWS_METADATA_SERVICE_NUM_ATTEMPTS',
      'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE',
    ]) {
      const env = home.env({ ...KEYS, [variable]: '' });
      const error = await awsCredentialChain()
        .resolve({ env, homedir: home.home })
        .catch((e: unknown) => e);
      expect(awsCredentialErrorKind(error), variable).toBe('invalid-config');
      const explicit = await awsCredentialChain({
        explicit: { accessKeyId: 'AKIAEXAMPLECODE', secretAccessKey: 'secret-code' },
      }).resolve({ env, homedir: home.home });
      expect(explicit?.source, variable).toBe('explicit');
    }
  });
});
