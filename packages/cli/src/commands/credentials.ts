import {
  CredentialsNotFoundError,
  type Explanation,
  formatExplanation,
  redactSecrets,
  StowageError,
  type StowageErrorCode,
} from '@stowage/core';
import type { Command } from 'commander';
import { type CliIo, homeOf } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { exitCodeFor, UNEXPECTED_EXIT_CODE } from '../errors/exit-codes.js';

/** The client region and where it came from, or why it could not be resolved. */
async function regionLine(
  io: CliIo,
  options: { region?: string; profile?: string },
): Promise<{ region?: string; detail: string }> {
  if (options.region) return { region: options.region, detail: '--region' };
  const { resolveAwsRegion } = await import('@stowage/s3');
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
 * Why the explained chain yields no credentials, as the error the run ends with (its class gives
 * the exit code: a missing profile 5, a broken config 6, …), or undefined when a source won. The
 * explanation (printed before) already names the failed source; this is for scripts and CI.
 */
function chainFailure(explanation: Explanation, chain: string): Error | undefined {
  const { error } = explanation;
  if (error) {
    const failed = explanation.steps.find((step) => step.outcome === 'failed')?.source ?? chain;
    if (error.code && exitCodeFor(error.code) !== UNEXPECTED_EXIT_CODE)
      return new StowageError(error.code as StowageErrorCode, error.message, {
        provider: failed,
        ...(error.code === 'CredentialsNotFound'
          ? {
              hint: `The ${failed} source failed (see above); fix it, or use --no-sign-request for public data.`,
            }
          : {}),
      });
    return Object.assign(new Error(error.message), error.code ? { code: error.code } : {});
  }
  if (explanation.chosen) return undefined;
  return new CredentialsNotFoundError(`No credentials found by the ${chain} chain`, {
    provider: chain,
    hint: 'Set credentials in the environment or a profile (the lines above say where each source looked), or use --no-sign-request for public data.',
  });
}

/**
 * `stowage credentials explain`: every source of the boto3-order chain (with
 * `--catalog-credentials`, the catalog first), in order, with why it was skipped or chosen — never
 * a secret — and the region the S3 client would use. When the chain yields no credentials the run
 * fails with the chain's error (exit code by its class), after printing all of that.
 */
export function registerCredentials(program: Command, io: CliIo): void {
  const credentials = program.command('credentials').description('inspect where S3 credentials come from');
  credentials
    .command('explain')
    .description('show which credential source wins and why the others were skipped (boto3 order)')
    .action((_options: unknown, self: Command) =>
      inContext(io, self, async (context) => {
        const { options } = context;
        const region = await regionLine(io, options);
        if (options.signRequest === false) {
          const record = { type: 'credentials', anonymous: true, chosen: null, steps: [], region };
          if (options.json) context.printRecord(record);
          else context.print('--no-sign-request: requests are anonymous; no credentials are looked up');
          return;
        }
        const { resolveContextFor, s3CredentialsFor } = await import('../storage/credential-setup.js');
        const chain = await s3CredentialsFor(options, io);
        const explanation = await chain.explain(resolveContextFor(options, io));
        const failure = chainFailure(explanation, chain.name);
        if (options.json) {
          context.printRecord({ type: 'credentials', chain: chain.name, ...explanation, region });
        } else {
          context.print(
            `credential chain: ${chain.name}${options.profile ? ` (profile ${options.profile})` : ''}`,
          );
          context.printLines(formatExplanation(explanation));
          if (explanation.credentials) {
            const described = Object.entries(explanation.credentials)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ');
            context.print(`credentials: ${described}`);
          }
          context.print(`region: ${region.region ?? '(none)'} — ${region.detail}`);
        }
        if (failure) throw failure;
      }),
    );
}
