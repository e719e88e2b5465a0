// Two profiles in a throw-away ~/.aws, resolved in boto3's order, each explained. The environment
// and home directory are passed explicitly, so your own AWS settings are neither read nor printed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatExplanation } from '@stowage/core';
import { awsCredentialChain, resolveAwsRegion } from '@stowage/s3';

const home = await mkdtemp(join(tmpdir(), 'stowage-profiles-'));
try {
  await mkdir(join(home, '.aws'));
  await writeFile(
    join(home, '.aws', 'credentials'),
    '[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT01\naws_secret_access_key = example-secret-default\n',
  );
  await writeFile(
    join(home, '.aws', 'config'),
    '[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIAEXAMPLEDEV000001\naws_secret_access_key = example-secret-dev\n',
  );
  const env = { AWS_EC2_METADATA_DISABLED: 'true' }; // nothing else: no AWS_* from this shell

  for (const profile of [undefined, 'dev']) {
    const context = { env, homedir: home, ...(profile ? { profile } : {}) };
    const chain = awsCredentialChain(context);
    const credentials = await chain.resolve(context);
    console.log(`\n# profile ${profile ?? '(default)'} — region ${resolveAwsRegion(context)}`);
    console.log(`credentials: ${credentials}`); // redacted by Credentials.toString
    console.log(formatExplanation(await chain.explain(context)));
  }

  const missing = awsCredentialChain({ env, homedir: home, profile: 'nope' });
  await missing
    .resolve()
    .catch((error: Error & { code?: string }) =>
      console.log(`\nprofile nope: ${error.code}: ${error.message}`),
    );
} finally {
  await rm(home, { recursive: true, force: true });
}
