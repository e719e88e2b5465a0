import { spawn, spawnSync } from 'node:child_process';
import { envWithoutAws, stopChild, waitForLine } from './child-process.js';
import type { S3ServerHandle } from './server-handle.js';

/** Options of {@link startMotoServer}. */
export interface StartMotoServerOptions {
  /** Extra environment for moto (e.g. `INITIAL_NO_AUTH_ACTION_COUNT` to switch its auth checks on). */
  env?: Record<string, string>;
  /** The executable. Default `moto_server` from PATH. */
  command?: string;
  /** How long to wait for the server to listen. Default 30 s. */
  startTimeoutMs?: number;
}

/** Whether `moto_server` can be run here (tests use it to say why they cannot run). */
export function motoServerAvailable(command = 'moto_server'): boolean {
  const probe = spawnSync(command, ['--help'], { stdio: 'ignore', env: envWithoutAws(), timeout: 20_000 });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Start moto's AWS emulator (`moto_server`, found on PATH) on 127.0.0.1 and a random port. It
 * implements much more of S3 than s3rver: abort/list of multipart uploads, UploadPartCopy,
 * conditional writes, checksums, versioning, bucket regions. Any keys are accepted unless
 * `INITIAL_NO_AUTH_ACTION_COUNT` is set. Fails with a clear message when moto is not installed.
 */
export async function startMotoServer(options: StartMotoServerOptions = {}): Promise<S3ServerHandle> {
  const command = options.command ?? 'moto_server';
  const child = spawn(command, ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: envWithoutAws(options.env ?? {}),
  });
  let match: RegExpExecArray;
  try {
    match = await waitForLine(
      child,
      /Running on http:\/\/127\.0\.0\.1:(\d+)/,
      'moto_server',
      options.startTimeoutMs ?? 30_000,
    );
  } catch (error) {
    if (
      (error as Error).message.includes('ENOENT') ||
      (error as Error).message.includes('could not be started')
    ) {
      throw new Error(
        `moto_server was not found on PATH (${command}); install moto (pip install 'moto[server]') to run the tests that need it`,
        { cause: error },
      );
    }
    throw error;
  }
  child.stdout?.resume();
  child.stderr?.resume();
  let closed: Promise<void> | undefined;
  return {
    kind: 'moto',
    endpoint: `http://127.0.0.1:${match[1]}`,
    pid: child.pid,
    accessKeyId: 'testing',
    secretAccessKey: 'testing',
    region: 'us-east-1',
    close() {
      closed ??= stopChild(child);
      return closed;
    },
  };
}
