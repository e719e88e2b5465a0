// Two profiles in a throw-away ~/.aws, resolved in boto3's order, each explained. The environment
// and home directory are passed explicitly, so your own AWS settings are neither read nor printed.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatExplanation, isStowageError } from '@stowage/core';
import { awsCredentialChain, resolveAwsRegion } from '@stowage/s3';

// Everything printed also goes here, to prove at the end that no secret was.
const printed: string[] = [];
const print = (text: string) => {
  printed.push(text);
  console.log(text);
};

const SECRETS = ['example-secret-default', 'example-secret-dev'];
const home = await mkdtemp(join(tmpdir(), 'stowage-profiles-'));
try {
  await mkdir(join(home, '.aws'));
  // The default profile keeps its keys in ~/.aws/credentials; `dev` keeps them in ~/.aws/config.
  await writeFile(
    join(home, '.aws', 'credentials'),
    `[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT01\naws_secret_access_key = ${SECRETS[0]}\n`,
  );
  await writeFile(
    join(home, '.aws', 'config'),
    [
      '[default]',
      'region = us-east-1',
      '',
      '[profile dev]',
      'region = eu-west-1',
      'aws_access_key_id = AKIAEXAMPLEDEV000001',
      `aws_secret_access_key = ${SECRETS[1]}`,
      '',
    ].join('\n'),
  );
  // No AWS_* from this shell; no instance-metadata probe (this is not an EC2 instance).
  const env = { AWS_EC2_METADATA_DISABLED: 'true' };

  // No profile given (so `default`, unless AWS_PROFILE said otherwise), then `dev` by name.
  const cases = [
    { profile: undefined, expected: 'shared-credentials-file' },
    { profile: 'dev', expected: 'config-file' },
  ];
  for (const { profile, expected } of cases) {
    const context = { env, homedir: home, ...(profile ? { profile } : {}) };
    const chain = awsCredentialChain(context);
    const credentials = await chain.resolve(context);
    print(`\n# profile ${profile ?? '(none given)'} — region ${resolveAwsRegion(context)}`);
    print(`credentials: ${credentials}`); // Credentials print redacted: kind, source, masked key id
    const explanation = await chain.explain(context);
    print(formatExplanation(explanation));
    assert.equal(explanation.chosen, expected);
  }

  const missing = await awsCredentialChain({ env, homedir: home, profile: 'nope' })
    .resolve()
    .catch((error: unknown) => error);
  assert.ok(isStowageError(missing, 'ProfileNotFound'));
  print(`\nprofile nope: [${missing.code}] ${missing.message}`);

  const leaked = SECRETS.filter((secret) => printed.some((text) => text.includes(secret)));
  assert.deepEqual(leaked, [], 'no secret was printed');
} finally {
  await rm(home, { recursive: true, force: true });
}
