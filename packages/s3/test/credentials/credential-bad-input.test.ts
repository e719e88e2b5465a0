import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  awsCredentialChain,
  awsCredentialErrorKind,
  ConfigParseError,
  CredentialProcessError,
  PartialCredentialsError,
  ProfileCycleError,
  parseIni,
} from '../../src/credentials/index.js';
import { type CaseHome, caseHome } from './support/case-home.js';

let home: CaseHome;
beforeEach(async () => {
  home = await caseHome();
});
afterEach(async () => {
  await home.remove();
});

const resolveError = (env: Record<string, string>, options: Parameters<typeof awsCredentialChain>[0] = {}) =>
  awsCredentialChain(options)
    .resolve({ env: home.env({ AWS_EC2_METADATA_DISABLED: 'true', ...env }), homedir: home.home })
    .then(
      () => {
        throw new Error('resolution should have failed');
      },
      (error: unknown) => error as Error,
    );

async function processProfile(script: string): Promise<void> {
  const path = await home.write('bin/proc.sh', `#!/bin/sh\n${script}\n`, 0o755);
  await home.write('.aws/config', `[default]\ncredential_process = ${path}\n`);
}

describe('bad AWS configuration gives typed errors naming the culprit', () => {
  it('malformed INI names the file and the line, not its content', async () => {
    const path = await home.write(
      '.aws/credentials',
      '[default]\naws_secret_access_key = TOPSECRET1\n=broken TOPSECRET1\n',
    );
    const error = await resolveError({});
    expect(error).toBeInstanceOf(ConfigParseError);
    expect(error.message).toContain(path);
    expect(error.message).toContain('line 3');
    expect(error.message).not.toContain('TOPSECRET1');
  });

  it('a file that is not UTF-8 is a parse error naming the file', async () => {
    const path = join(home.home, '.aws', 'config');
    await home.write('.aws/config', '');
    await writeFile(path, Buffer.from([0x5b, 0x64, 0xff, 0xfe, 0x5d, 0x0a]));
    const error = await resolveError({});
    expect(awsCredentialErrorKind(error)).toBe('config-parse');
    expect(error.message).toContain(path);
  });

  it('a source_profile cycle names the profiles', async () => {
    await home.write(
      '.aws/config',
      '[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n',
    );
    const error = await resolveError({ AWS_PROFILE: 'a' });
    expect(error).toBeInstanceOf(ProfileCycleError);
    expect(error.message).toMatch(/profile a .*Visited profiles: a, b/);
  });

  it('credential_process exiting non-zero, printing bad JSON or hanging', async () => {
    await processProfile(
      'echo \'{"Version":1,"AccessKeyId":"AKIDLEAK","SecretAccessKey":"LEAKED"}\'; echo oops >&2; exit 3',
    );
    let error = await resolveError({});
    expect(error).toBeInstanceOf(CredentialProcessError);
    expect(error.message).toMatch(/status 3: oops/);
    expect(error.message).not.toContain('LEAKED');

    await processProfile('echo "SecretAccessKey: LEAKED not json"');
    error = await resolveError({});
    expect(awsCredentialErrorKind(error)).toBe('credential-process');
    expect(error.message).toContain('not print valid JSON');
    expect(error.message).not.toContain('LEAKED');

    await processProfile('sleep 30');
    const started = Date.now();
    error = await resolveError({}, { processTimeoutMs: 300 });
    expect(awsCredentialErrorKind(error)).toBe('credential-process');
    expect(error.message).toContain('did not finish within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a half-set environment pair names the missing variable', async () => {
    const error = await resolveError({ AWS_ACCESS_KEY_ID: 'AKIDHALF' });
    expect(error).toBeInstanceOf(PartialCredentialsError);
    expect(error.message).toContain('AWS_SECRET_ACCESS_KEY');
    expect(error.message).not.toContain('AKIDHALF');
  });

  it('an explicit profile that does not exist is ProfileNotFound', async () => {
    const error = await awsCredentialChain()
      .resolve({ env: home.env(), homedir: home.home, profile: 'ghost' })
      .catch((e: unknown) => e as Error);
    expect(awsCredentialErrorKind(error)).toBe('profile-not-found');
    expect((error as Error).message).toContain('(ghost)');
  });

  it('a web identity token file that is missing is file-not-found naming the path', async () => {
    const error = await resolveError({
      AWS_WEB_IDENTITY_TOKEN_FILE: join(home.home, 'nope'),
      AWS_ROLE_ARN: 'arn:aws:iam::1:role/x',
    });
    expect(awsCredentialErrorKind(error)).toBe('file-not-found');
    expect(error.message).toContain(join(home.home, 'nope'));
  });
});

describe('INI parsing follows configparser', () => {
  it('continuation lines, nested blocks, DEFAULT, case of option names and comments', () => {
    const parsed = parseIni(
      '[DEFAULT]\nregion = x\n[default]\n# comment\nS3 =\n  addressing_style = path\n\n  max = 2\nKey: v ; not a comment\n',
    );
    expect(parsed).toEqual({
      default: { region: 'x', s3: { addressing_style: 'path', max: '2' }, key: 'v ; not a comment' },
    });
  });

  it('rejects repeated sections, repeated options and lines before any section', () => {
    expect(() => parseIni('[a]\nx=1\n[a]\n')).toThrow(/already exists/);
    expect(() => parseIni('[a]\nx=1\nX=2\n')).toThrow(/already exists/);
    expect(() => parseIni('x=1\n')).toThrow(/no section headers/);
  });
});
