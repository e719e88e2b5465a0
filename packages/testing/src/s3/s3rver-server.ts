import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envWithoutAws, stopChild, waitForLine } from './child-process.js';
import type { S3ServerHandle } from './server-handle.js';

/** Options of {@link startS3Server}. */
export interface StartS3ServerOptions {
  /** Where objects are stored. Default: a new temp directory, removed by `close()`. */
  dir?: string;
  /** Buckets to create before the server starts listening. */
  buckets?: string[];
  /** How long to wait for the server to listen. Default 20 s (two busy cores start slowly). */
  startTimeoutMs?: number;
}

// The child runs s3rver with --openssl-legacy-provider: its paged listings encrypt continuation tokens
// with DES, which Node >= 17 refuses without that flag (InternalError on page two). It also exits when
// its parent goes away (stdin closes), so a crashed test run leaves no server behind.
const CHILD_SCRIPT = `
const S3rver = require(process.env.STOWAGE_S3RVER_PATH);
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory: process.env.STOWAGE_S3RVER_DIR,
  configureBuckets: JSON.parse(process.env.STOWAGE_S3RVER_BUCKETS).map((name) => ({ name })),
});
let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  server.close().catch(() => undefined).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
server.run().then(
  (address) => console.log('S3RVER_LISTENING ' + address.port),
  (error) => { console.error(error); process.exit(1); },
);
`;

/**
 * Start s3rver (a real S3-protocol server written in Node, file-system backed) in a child process on
 * 127.0.0.1 and a random port. Any keys are accepted and signatures are not checked; use the
 * returned ones. Client settings it needs: `forcePathStyle: true`, region `us-east-1`, and checksum
 * headers off (`WHEN_REQUIRED`): it does not store `x-amz-checksum-*`. It lacks AbortMultipartUpload,
 * ListMultipartUploads, UploadPartCopy, versioning and conditional writes — use
 * {@link startMotoServer} for those.
 */
export async function startS3Server(options: StartS3ServerOptions = {}): Promise<S3ServerHandle> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'stowage-s3rver-')));
  const s3rverPath = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--input-type=commonjs', '-e', CHILD_SCRIPT],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: envWithoutAws({
        STOWAGE_S3RVER_PATH: s3rverPath,
        STOWAGE_S3RVER_DIR: dir,
        STOWAGE_S3RVER_BUCKETS: JSON.stringify(options.buckets ?? []),
      }),
    },
  );
  let match: RegExpExecArray;
  try {
    match = await waitForLine(child, /S3RVER_LISTENING (\d+)/, 's3rver', options.startTimeoutMs ?? 20_000);
  } catch (error) {
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // Keep draining output so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  let closed: Promise<void> | undefined;
  return {
    kind: 's3rver',
    endpoint: `http://127.0.0.1:${match[1]}`,
    pid: child.pid,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    close() {
      closed ??= (async () => {
        child.stdin?.end();
        await stopChild(child);
        if (ownDir) await rm(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
