import type { Catalog } from '@stowage/catalog';
import { CredentialChain, type CredentialSource, type ResolveContext } from '@stowage/core';
import { awsCredentialChain } from '@stowage/s3';
import { type CliIo, homeOf } from '../cli-io.js';
import type { GlobalOptions } from '../global-options.js';
import { escapeControls } from '../output/terminal-text.js';

/** What credential sources read: the run's environment, home and working directory, and `--profile`. */
export function resolveContextFor(options: Pick<GlobalOptions, 'profile'>, io: CliIo): ResolveContext {
  return {
    env: io.env,
    homedir: homeOf(io),
    cwd: io.cwd,
    ...(options.profile ? { profile: options.profile } : {}),
  };
}

/** The boto3-order AWS chain for this run (`--profile` acts as `boto3.Session(profile_name=...)`). */
export function awsChainFor(options: Pick<GlobalOptions, 'profile'>, io: CliIo): CredentialChain {
  const context = resolveContextFor(options, io);
  return awsCredentialChain({
    env: io.env,
    homedir: context.homedir!,
    cwd: io.cwd,
    ...(options.profile ? { profile: options.profile } : {}),
  });
}

/**
 * The catalog whose config and login live under the run's home (or `STOWAGE_CATALOG_DIR`). The
 * catalog client (and got under it) loads here, on first use: an S3 copy without
 * `--catalog-credentials` never pays for it.
 */
export async function catalogFor(io: CliIo, prompt?: (message: string) => Promise<string>): Promise<Catalog> {
  const { Catalog } = await import('@stowage/catalog');
  return new Catalog({
    env: io.env,
    homedir: homeOf(io),
    print: (line) => io.stderr.write(`${escapeControls(line)}\n`),
    openBrowser: false,
    ...(prompt ? { prompt } : {}),
  });
}

/**
 * The S3 credentials of this run: the AWS chain, or with `--catalog-credentials` the catalog's
 * credentials first and the AWS chain after — joined explicitly, so `credentials explain` shows
 * which one won. When neither has credentials, the last link says why the catalog had none ("not
 * logged in to <catalog> (run login())", or no catalog configured) instead of a bare "no credentials".
 */
export async function s3CredentialsFor(
  options: Pick<GlobalOptions, 'profile' | 'catalogCredentials'>,
  io: CliIo,
  catalog?: Catalog,
): Promise<CredentialChain> {
  const aws = awsChainFor(options, io);
  if (!options.catalogCredentials) return aws;
  const store = catalog ?? (await catalogFor(io));
  const sources: CredentialSource[] = [
    store.credentials(),
    ...aws.sources,
    store.credentials({ required: true, name: 'catalog-login' }),
  ];
  return new CredentialChain(sources, 'catalog+aws');
}
