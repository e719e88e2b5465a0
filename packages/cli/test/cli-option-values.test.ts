import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, jsonLines, runCli, tempWorld } from './support/cli-harness.js';

// Every AWS_* variable of the machine is cleared; the instance-metadata source is switched off so
// a run that does reach the credential chain does not wait for 169.254.169.254.
let world: Awaited<ReturnType<typeof tempWorld>>;
let env: Record<string, string>;

beforeAll(async () => {
  world = await tempWorld();
  env = cleanEnv(world.home, { AWS_EC2_METADATA_DISABLED: 'true' });
});
afterAll(() => world?.cleanup());

const cli = (args: string[]) => runCli(args, { env, cwd: world.work });

describe('an empty option value is a usage error, never "use the default"', () => {
  const cases: Array<{ args: string[]; option: string }> = [
    { args: ['ls', 's3://bucket/x/', '--endpoint', ''], option: '--endpoint <url>' },
    { args: ['ls', 's3://bucket/x/', '--endpoint='], option: '--endpoint <url>' },
    { args: ['--endpoint', '', 'ls', 's3://bucket/x/'], option: '--endpoint <url>' },
    { args: ['ls', 's3://bucket/x/', '--endpoint-url', ''], option: '--endpoint-url <url>' },
    { args: ['ls', 's3://bucket/x/', '--region', ''], option: '--region <region>' },
    { args: ['ls', 's3://bucket/x/', '--region', '  '], option: '--region <region>' },
    { args: ['ls', 's3://bucket/x/', '--profile', ''], option: '--profile <name>' },
    { args: ['ls', 's3://bucket/x/', '--running-in', ''], option: '--running-in <region|none>' },
    { args: ['ls', 's3://bucket/x/', '--mirror', ''], option: '--mirror <s3=https>' },
    { args: ['ls', 's3://bucket/x/', '--bucket-region', ''], option: '--bucket-region <bucket=region>' },
    { args: ['cp', '-r', 'a/', 'b/', '--include', ''], option: '--include <glob>' },
    { args: ['presign', 's3://bucket/k', '--content-type', ''], option: '--content-type <type>' },
    { args: ['catalog', 'login', '--code', ''], option: '--code <code>' },
  ];
  for (const { args, option } of cases) {
    it(`stowage ${args.map((a) => (a.trim() === '' ? `'${a}'` : a)).join(' ')}`, async () => {
      const result = await cli(args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`option '${option}' argument`);
      expect(result.stderr).toMatch(/An empty value is not allowed.* \[Usage\]\nhint: /);
      expect(result.stdout).toBe('');
    });
  }

  it('with --json the refusal is one JSON error line', async () => {
    const result = await cli(['--json', 'ls', 's3://bucket/x/', '--endpoint', '']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr.trim())).toMatchObject({ type: 'error', code: 'Usage', exitCode: 2 });
  });
});

describe('stowage credentials explain exits with the class of the chain failure', () => {
  it('no credentials anywhere: the explanation, then CredentialsNotFound (exit 5)', async () => {
    const result = await cli(['credentials', 'explain']);
    expect(result.code, result.stderr).toBe(5);
    expect(result.stdout).toMatch(/no credentials found/);
    expect(result.stdout).toMatch(/iam-role +skipped: AWS_EC2_METADATA_DISABLED/);
    expect(result.stderr).toMatch(/^stowage: No credentials found .* \[CredentialsNotFound\]\nhint: /);
  });

  it('an unknown profile: ProfileNotFound (exit 5)', async () => {
    const result = await cli(['credentials', 'explain', '--profile', 'nosuch']);
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/error: The config profile \(nosuch\) could not be found/);
    expect(result.stderr).toMatch(/\[ProfileNotFound\]/);
  });

  it('a broken profile: InvalidConfig (exit 6); --json keeps the record on stdout and the error on stderr', async () => {
    await writeFile(
      join(world.home, '.aws/config'),
      '[profile half]\nrole_arn = arn:aws:iam::123456789012:role/example\n',
    );
    const text = await cli(['credentials', 'explain', '--profile', 'half']);
    expect(text.code).toBe(6);
    expect(text.stderr).toMatch(/source_profile or credential_source \[InvalidConfig\]/);

    const json = await cli(['credentials', 'explain', '--profile', 'half', '--json']);
    expect(json.code).toBe(6);
    const [record] = jsonLines(json.stdout);
    expect(record).toMatchObject({ type: 'credentials', error: { code: 'InvalidConfig' } });
    expect(JSON.parse(json.stderr.trim())).toMatchObject({
      type: 'error',
      code: 'InvalidConfig',
      exitCode: 6,
    });
  });

  it('credentials found: exit 0', async () => {
    const result = await runCli(['credentials', 'explain'], {
      env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret' },
      cwd: world.work,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/using: env/);
    expect(result.stdout).not.toContain('example-secret');
  });
});

describe('a bad region from the environment is a configuration error (exit 6), a bad --region a usage one', () => {
  for (const value of ['evil.com/x#', '../up', '']) {
    it(`AWS_DEFAULT_REGION=${JSON.stringify(value)}`, async () => {
      const result = await runCli(['ls', 's3://bucket/x/'], {
        env: { ...env, AWS_DEFAULT_REGION: value },
        cwd: world.work,
      });
      expect(result.code, result.stderr).toBe(6);
      expect(result.stderr).toContain('AWS_DEFAULT_REGION');
      expect(result.stderr).not.toMatch(/retrying may help/i);
    });
  }

  it("--region 'evil.com/x#'", async () => {
    const result = await cli(['ls', 's3://bucket/x/', '--region', 'evil.com/x#']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/not a region name/);
  });
});
