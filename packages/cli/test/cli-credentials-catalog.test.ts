import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenStore } from '@stowage/catalog';
import {
  type HttpTestServer,
  type LocalCatalog,
  type S3ServerHandle,
  startCatalogServer,
  startHttpServer,
  startS3Server,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, jsonLines, runCli, tempWorld } from './support/cli-harness.js';

const SECRET = 'tH1sIsTheDefaultSecretKeyValue+abcdEFGHij';
const DEV_SECRET = 'dEvSecretValueThatMustNeverBePrinted12345';

let s3: S3ServerHandle;
let mirror: HttpTestServer;
let catalog: LocalCatalog;
let world: Awaited<ReturnType<typeof tempWorld>>;
let env: Record<string, string>;

beforeAll(async () => {
  [s3, mirror, catalog] = await Promise.all([
    startS3Server({ buckets: ['open-data'] }),
    startHttpServer(),
    startCatalogServer({ region: 'us-east-1' }),
  ]);
  world = await tempWorld({
    credentials:
      `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${SECRET}\n\n` +
      `[dev]\naws_access_key_id = AKIADEVEXAMPLE000000\naws_secret_access_key = ${DEV_SECRET}\n`,
    config: '[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-west-2\n',
  });
  env = cleanEnv(world.home);
}, 120_000);
afterAll(async () => {
  await Promise.all([s3?.close(), mirror?.close(), catalog?.stop()]);
  await world?.cleanup();
});

const cli = (args: string[], extraEnv: Record<string, string> = {}, input?: string) =>
  runCli(args, { env: { ...env, ...extraEnv }, cwd: world.work, ...(input !== undefined ? { input } : {}) });

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(DEV_SECRET);
    expect(text).not.toContain('AKIADEVEXAMPLE000000');
  }
}

describe('stowage credentials explain', () => {
  it('shows the boto3 order with the shared credentials file chosen and the profile region, no secret', async () => {
    const result = await cli(['credentials', 'explain']);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out.indexOf('env')).toBeLessThan(out.indexOf('shared-credentials-file'));
    expect(out).toMatch(/✔ shared-credentials-file +chosen/);
    expect(out).toMatch(/region: eu-west-1/);
    expectNoSecret(result.stdout, result.stderr);
  });

  it('--profile dev and --json: the dev profile wins, env is skipped as botocore does', async () => {
    const result = await cli(['credentials', 'explain', '--profile', 'dev', '--json'], {
      AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE000000',
      AWS_SECRET_ACCESS_KEY: 'envSecretEnvSecretEnvSecret000000000000',
    });
    expect(result.code, result.stderr).toBe(0);
    const [explained] = jsonLines(result.stdout);
    expect(explained).toMatchObject({ type: 'credentials', chain: 'aws', region: { region: 'us-west-2' } });
    const steps = explained!.steps as Array<{ source: string; outcome: string }>;
    expect(steps.find((s) => s.source === 'env')?.outcome).toBe('skipped');
    expect(steps.find((s) => s.source === 'shared-credentials-file')?.outcome).toBe('chosen');
    expectNoSecret(result.stdout);
    expect(result.stdout).not.toContain('envSecretEnvSecret');
  });

  it('environment keys win without a profile', async () => {
    const result = await cli(['credentials', 'explain', '--json'], {
      AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE000000',
      AWS_SECRET_ACCESS_KEY: 'envSecretEnvSecretEnvSecret000000000000',
    });
    const [explained] = jsonLines(result.stdout);
    expect((explained!.steps as Array<{ source: string; outcome: string }>)[1]).toMatchObject({
      source: 'env',
      outcome: 'chosen',
    });
    expect(result.stdout).not.toContain('envSecretEnvSecret');
  });
});

describe('stowage plan', () => {
  it("prints the router's decision and reasons: HTTP mirror off AWS, S3 in the same region", async () => {
    await writeFile(join(mirror.dir, 'obj.bin'), 'x');
    const common = [
      '--endpoint',
      s3.endpoint,
      '--mirror',
      `s3://open-data/=${mirror.baseUrl}/`,
      '--bucket-region',
      'open-data=us-east-1',
    ];
    const laptop = await cli(['plan', 's3://open-data/obj.bin', '--running-in', 'none', ...common]);
    expect(laptop.code, laptop.stderr).toBe(0);
    expect(laptop.stdout).toContain('route for s3://open-data/obj.bin');
    expect(laptop.stdout).toMatch(new RegExp(`→ http +${mirror.baseUrl}/obj.bin`));

    const inRegion = await cli([
      'plan',
      's3://open-data/obj.bin',
      '--running-in',
      'us-east-1',
      '--json',
      ...common,
    ]);
    expect(inRegion.code, inRegion.stderr).toBe(0);
    const [plan] = jsonLines(inRegion.stdout);
    expect(plan).toMatchObject({ type: 'plan', decision: { route: 's3', uri: 's3://open-data/obj.bin' } });
    expect((plan!.decision as { reasons: Array<{ code: string }> }).reasons[0]!.code).toBe('SAME_REGION');
    expectNoSecret(laptop.stdout, inRegion.stdout);
  });
});

describe('--catalog-credentials while logged out', () => {
  // No AWS credentials anywhere either, so the chain's last link speaks: the catalog needs a login.
  const noAws = {
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
  };

  it('before any login and after logout: exit 5, "not logged in to <catalog> (run login())"', async () => {
    const home = await tempWorld();
    try {
      const run = (args: string[], input?: string) =>
        runCli(args, {
          env: cleanEnv(home.home, noAws),
          cwd: home.work,
          ...(input !== undefined ? { input } : {}),
        });
      expect((await run(['catalog', 'config', catalog.catalogUrl])).code).toBe(0);
      const expected = `Not logged in to the catalog ${catalog.catalogUrl} (run login())`;
      const ls = ['ls', 's3://open-data/', '--catalog-credentials', '--endpoint', s3.endpoint];
      const before = await run(ls);
      expect(before.code, before.stderr).toBe(5);
      expect(before.stderr).toContain(expected);
      expect(before.stderr).not.toMatch(/found no AWS credentials/);

      expect((await run(['catalog', 'login'], `${catalog.issueCode()}\n`)).code).toBe(0);
      // Logged in, the catalog's keys are used (s3rver knows only its own key, so it refuses them).
      const during = await run(ls);
      expect(during.stderr).not.toContain(expected);
      expect((await run(['catalog', 'logout'])).code).toBe(0);
      const after = await run(ls);
      expect(after.code, after.stderr).toBe(5);
      expect(after.stderr).toContain(expected);

      // explain shows the same reason as the last link of the chain, without failing.
      const explained = await run(['credentials', 'explain', '--catalog-credentials', '--json']);
      const steps = jsonLines(explained.stdout)[0]!.steps as Array<{
        source: string;
        outcome: string;
        reason: string;
      }>;
      expect(steps[0]).toMatchObject({ source: 'catalog', outcome: 'skipped' });
      expect(steps.at(-1)).toMatchObject({ source: 'catalog-login', outcome: 'failed', reason: expected });

      // A login file that is a directory is a typed configuration error (exit 6), not a crash (exit 1).
      const loginFile = new TokenStore(join(home.home, '.local/share/stowage/catalog')).pathFor(
        catalog.registryUrl,
      );
      await mkdir(loginFile, { recursive: true });
      const broken = await run(['catalog', 'whoami']);
      expect(broken.code, broken.stderr).toBe(6);
      expect(broken.stderr).toContain(`${loginFile} is a directory, not a file`);
    } finally {
      await home.cleanup();
    }
  });
});

describe('stowage catalog config|login|whoami|logout', () => {
  it('configures, logs in with a code, uses catalog credentials, and logs out', async () => {
    const config = await cli(['catalog', 'config', catalog.catalogUrl]);
    expect(config.code, config.stderr).toBe(0);
    expect(config.stdout).toContain(`registry: ${catalog.registryUrl}`);

    const before = await cli(['catalog', 'whoami']);
    expect(before.code).toBe(5);
    expect(before.stderr).toMatch(/hint: Run `stowage catalog config <url>` and `stowage catalog login`/);

    const login = await cli(['catalog', 'login'], {}, `${catalog.issueCode()}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`logged in to ${catalog.catalogUrl}`);

    const who = await cli(['catalog', 'whoami', '--json']);
    expect(jsonLines(who.stdout)[0]).toMatchObject({ type: 'catalog-whoami', name: 'alice' });

    const explained = await cli(['credentials', 'explain', '--catalog-credentials', '--json']);
    const [chain] = jsonLines(explained.stdout);
    expect(chain).toMatchObject({ chain: 'catalog+aws' });
    expect((chain!.steps as Array<{ source: string; outcome: string }>)[0]).toMatchObject({
      source: 'catalog',
      outcome: 'chosen',
    });
    const issued = catalog.issuedCredentials.at(-1);
    expect(explained.stdout).not.toContain(issued?.accessKeyId ?? 'never');

    const logout = await cli(['catalog', 'logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toMatch(/logged out of .* \(session revoked\)/);
    expect((await cli(['catalog', 'whoami'])).code).toBe(5);
  });
});
