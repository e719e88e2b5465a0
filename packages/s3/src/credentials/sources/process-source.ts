import { spawn } from 'node:child_process';
import { Credentials, redactSecrets, registerSecret } from '@stowage/core';
import { setting } from '../aws-config-files.js';
import type { AwsScope } from '../aws-scope.js';
import { CredentialProcessError } from '../credential-errors.js';
import { shellSplit } from '../shell-split.js';

const MAX_OUTPUT = 1024 * 1024;

/** What a `credential_process` command printed and how it ended. */
interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], scope: AwsScope, timeoutMs: number): Promise<ProcessResult> {
  const { environment } = scope.snapshot;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: environment.cwd,
      env: environment.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout also kills what the command started (a shell's children).
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      scope.signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (error: Error) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
      finish(() => reject(error));
    };
    const timer = setTimeout(
      () => fail(new CredentialProcessError(`the command did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = () => fail(new CredentialProcessError('resolution was aborted'));
    scope.signal?.addEventListener('abort', onAbort, { once: true });
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT)
        fail(new CredentialProcessError(`the command printed more than ${MAX_OUTPUT} bytes`));
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (error: NodeJS.ErrnoException) =>
      fail(new CredentialProcessError(`cannot start ${argv[0]}: ${error.code ?? error.message}`)),
    );
    child.on('close', (code) =>
      finish(() =>
        resolve({
          code,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      ),
    );
  });
}

/** Register the secrets of a JSON answer on stdout, even an answer of a command that then failed. */
function registerPrintedSecrets(stdout: string): void {
  let printed: unknown;
  try {
    printed = JSON.parse(stdout);
  } catch {
    return;
  }
  if (printed === null || typeof printed !== 'object') return;
  const { SecretAccessKey, SessionToken } = printed as Record<string, unknown>;
  if (typeof SecretAccessKey === 'string') registerSecret(SecretAccessKey);
  if (typeof SessionToken === 'string') registerSecret(SessionToken);
}

/**
 * botocore `ProcessProvider`: the profile's `credential_process`, split like `shlex.split` and run
 * without a shell; exit status 0, JSON with `Version` 1, `AccessKeyId` and `SecretAccessKey`
 * required; `Expiration` makes the credentials refresh by running the command again. Written by
 * hand because the SDK's `fromProcess` reads the profile from the process's own `~/.aws` and has no
 * timeout; this one kills a hung command after `processTimeoutMs`. Error messages never include
 * what the command printed on stdout (it may hold keys), and quote its stderr only scrubbed.
 */
export async function processCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const profile = scope.snapshot.full.profiles[scope.profileName];
  const command = setting(profile, 'credential_process');
  if (command === undefined) {
    scope.note(`profile ${scope.profileName} has no credential_process`);
    return undefined;
  }
  let argv: string[];
  try {
    argv = shellSplit(command);
  } catch (error) {
    throw new CredentialProcessError(
      `cannot split the command of profile ${scope.profileName}: ${(error as Error).message}`,
    );
  }
  if (argv.length === 0)
    throw new CredentialProcessError(`profile ${scope.profileName} has an empty credential_process`);
  scope.note(`running credential_process of profile ${scope.profileName} (${argv[0]})`);
  const result = await run(argv, scope, scope.options.processTimeoutMs ?? 30_000);
  if (result.code !== 0) {
    // A failing command may print its keys on stderr too. Those it also printed on stdout are known
    // exactly; for the rest, besides the named shapes, long random-looking runs are masked.
    registerPrintedSecrets(result.stdout);
    const stderr = redactSecrets(result.stderr.trim(), { maxLength: 500, opaqueRuns: true });
    throw new CredentialProcessError(
      `the command exited with status ${result.code}${stderr ? `: ${stderr}` : ''}`,
    );
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new CredentialProcessError('the command did not print valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CredentialProcessError('the command did not print a JSON object');
  }
  const version = parsed.Version ?? '<Version key not provided>';
  if (version !== 1) {
    throw new CredentialProcessError(
      `Unsupported version '${typeof version === 'string' ? version : JSON.stringify(version)}' for credential process provider, supported versions: 1`,
    );
  }
  for (const key of ['AccessKeyId', 'SecretAccessKey']) {
    if (!(key in parsed)) throw new CredentialProcessError(`Missing required key in response: '${key}'`);
  }
  const expiration = typeof parsed.Expiration === 'string' ? new Date(parsed.Expiration) : undefined;
  const accountId = (parsed.AccountId as string | undefined) || setting(profile, 'aws_account_id');
  return Credentials.aws(
    {
      accessKeyId: String(parsed.AccessKeyId),
      secretAccessKey: String(parsed.SecretAccessKey),
      ...(typeof parsed.SessionToken === 'string' ? { sessionToken: parsed.SessionToken } : {}),
      ...(expiration && !Number.isNaN(expiration.getTime()) ? { expiresAt: expiration } : {}),
      ...(accountId ? { accountId } : {}),
    },
    'custom-process',
  );
}
