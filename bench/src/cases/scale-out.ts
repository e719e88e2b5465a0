import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BenchCase, BenchEnv } from '../bench-case.js';

// Issue 19: one tree (1,000 × 1 MiB files) uploaded to the local S3 server by 1, 2 and 4 workers,
// each a `stowage cp -r --shard I/N` process of the built CLI, as an array job runs them. On this
// 2-core VM, shared with the server, the rows show the cost of splitting (N start-ups, N pools),
// not the speed-up N machines give. The measured CPU and RSS are the parent's; the workers' own are
// not counted.
const CLI = fileURLToPath(new URL('../../../packages/cli/bundle/bin.js', import.meta.url));

const treeBytes = (env: BenchEnv) => env.files['tree-1000x1MiB']!.bytes;

/** Run `stowage cp -r` as worker `index` of `count`, to completion. */
function worker(env: BenchEnv, count: number, index: number): Promise<void> {
  const s3 = env.s3;
  if (!s3) throw new Error('needs the local S3 server');
  const args = [
    CLI,
    'cp',
    '-r',
    `${env.files['tree-1000x1MiB']!.path}/`,
    `s3://${s3.bucket}/scale-out/${count}/`,
    '--shard',
    `${index}/${count}`,
    // Every round copies again (a shard would otherwise skip what the last round left).
    '--overwrite',
    'always',
    '--file-concurrency',
    String(Math.max(2, Math.round(8 / count))),
    '--endpoint',
    s3.endpoint,
    '--region',
    s3.region,
    '--checksum-algorithm',
    'off',
    '--no-multipart-hooks',
    '--json',
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: env.workDir,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`worker ${index}/${count} exited ${code}: ${stderr}`)),
    );
  });
}

const available = () =>
  access(CLI).then(
    () => true,
    () => false,
  );

/** The tree split across 1, 2 and 4 worker processes (the files in flight, 8, shared between them). */
export const cases: BenchCase[] = [1, 2, 4].map((count) => ({
  id: `scale-out-tree-up/${count}-workers`,
  group: 'scale-out-tree-fs-to-s3',
  tool: count === 1 ? 'stowage' : `stowage-${count}-workers`,
  bytes: treeBytes,
  available,
  async run(env: BenchEnv) {
    await Promise.all(Array.from({ length: count }, (_, index) => worker(env, count, index)));
  },
}));
