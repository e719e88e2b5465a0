import { formatExplanation, redactSecrets } from '@stowage/core';
import { resolveAwsRegion } from '@stowage/s3';
import type { Command } from 'commander';
import { type CliIo, homeOf } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { resolveContextFor, s3CredentialsFor } from '../storage/credential-setup.js';

/** The client region and where it came from, or why it could not be resolved. */
function regionLine(
  io: CliIo,
  options: { region?: string; profile?: string },
): { region?: string; detail: string } {
  if (options.region) return { region: options.region, detail: '--region' };
  try {
    const region = resolveAwsRegion({
      env: io.env,
      homedir: homeOf(io),
      ...(options.profile ? { profile: options.profile } : {}),
    });
    if (!region) return { detail: 'not set (AWS_DEFAULT_REGION, profile region); S3 uses us-east-1' };
    return { region, detail: io.env.AWS_DEFAULT_REGION ? 'AWS_DEFAULT_REGION' : 'the profile' };
  } catch (error) {
    return { detail: redactSecrets((error as Error).message) };
  }
}

/**
 * `stowage credentials explain`: every source of the boto3-order chain (with
 * `--catalog-credentials`, the catalog first), in order, with why it was skipped or chosen — never
 * a secret — and the region the S3 client would use.
 */
export function registerCredentials(program: Command, io: CliIo): void {
  const credentials = program.command('credentials').description('inspect where S3 credentials come from');
  credentials
    .command('explain')
    .description('show which credential source wins and why the others were skipped (boto3 order)')
    .action((_options: unknown, self: Command) =>
      inContext(io, self, async (context) => {
        const { options } = context;
        const region = regionLine(io, options);
        if (options.signRequest === false) {
          const record = { type: 'credentials', anonymous: true, chosen: null, steps: [], region };
          if (options.json) context.print(JSON.stringify(record));
          else context.print('--no-sign-request: requests are anonymous; no credentials are looked up');
          return;
        }
        const chain = s3CredentialsFor(options, io);
        const explanation = await chain.explain(resolveContextFor(options, io));
        if (options.json) {
          context.print(JSON.stringify({ type: 'credentials', chain: chain.name, ...explanation, region }));
          return;
        }
        context.print(
          `credential chain: ${chain.name}${options.profile ? ` (profile ${options.profile})` : ''}`,
        );
        context.print(formatExplanation(explanation));
        if (explanation.credentials) {
          const described = Object.entries(explanation.credentials)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ');
          context.print(`credentials: ${described}`);
        }
        context.print(`region: ${region.region ?? '(none)'} — ${region.detail}`);
      }),
    );
}
