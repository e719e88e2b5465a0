import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { BenchCase, BenchCommand, BenchEnv, S3Ground } from '../bench-case.js';
import { rawS3Client } from '../raw-s3-client.js';

// Whole-process peers (issue 18): Stowage's CLI, awscli 2, rclone and a raw-SDK script, each run
// as a user runs it (start-up included), on moto and on s3rver. Every tool gets a clean
// environment: no AWS_* of the machine (AWS_CA_BUNDLE breaks plain-HTTP endpoints), only the
// endpoint and keys of the server, through its own flags, variables or a config file in a temp dir.

const here = dirname(fileURLToPath(import.meta.url));
const STOWAGE = join(here, '..', '..', '..', 'packages', 'cli', 'bundle', 'bin.js');
const SDK_PEER = join(here, '..', 'peers', 'sdk-peer.js');
// Debian's packages, by absolute path: a pyenv shim for awscli 1 comes first on PATH here.
const AWS = '/usr/bin/aws';
const RCLONE = '/usr/bin/rclone';
const TREE_TRANSFERS = 16;

// `stowage-ignore-checksum`: the CLI with `--ignore-checksum`, on downloads only, to show what the
// default check against the source's digest (an ETag's MD5 on these servers) costs; the SDK script
// and awscli check nothing, rclone checks the MD5 too.
type Tool = 'stowage' | 'stowage-ignore-checksum' | 'awscli' | 'rclone' | 'aws-sdk';
// `capped`: s3rver behind a proxy that caps each connection at 20 MiB/s (a long-haul link), where
// one stream is slow and parallel ranges pay; the SDK script's single GET is the one-stream yardstick.
type Server = 'moto' | 's3rver' | 'capped';
const TOOLS: Tool[] = ['stowage', 'stowage-ignore-checksum', 'awscli', 'rclone', 'aws-sdk'];
const COLD_TOOLS: Tool[] = ['stowage', 'awscli', 'rclone', 'aws-sdk'];

let runCounter = 0;
/** A fresh name per run, so no tool finds the previous run's copy and skips the work (rclone would). */
const fresh = () => `r${process.pid}-${runCounter++}`;

/** The server's ground, or undefined when it is not running. */
function groundIfUp(env: BenchEnv, server: Server): S3Ground | undefined {
  return server === 'moto' ? env.moto : server === 'capped' ? env.s3Capped : env.s3;
}

function groundOf(env: BenchEnv, server: Server): S3Ground {
  const ground = groundIfUp(env, server);
  if (!ground) throw new Error(`${server} is not running`);
  return ground;
}

/** The parent's environment without AWS_*, plus `extra`. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('AWS_')) out[name] = value;
  }
  return { ...out, ...extra };
}

/** The environment of a tool that reads AWS settings: this server's keys and region, its config files, no IMDS. */
function awsEnv(g: S3Ground, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({
    AWS_ACCESS_KEY_ID: g.accessKeyId,
    AWS_SECRET_ACCESS_KEY: g.secretAccessKey,
    AWS_DEFAULT_REGION: g.region,
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  });
}

/** Per-tool config files (awscli's, rclone's) for one server, in the run's scratch directory. */
async function configDir(env: BenchEnv, server: Server): Promise<string> {
  const g = groundOf(env, server);
  const dir = join(env.workDir, 'peers', 'config', server);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'aws-config'),
    '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n',
  );
  await writeFile(join(dir, 'aws-credentials'), '');
  await writeFile(
    join(dir, 'rclone.conf'),
    [
      '[bench]',
      'type = s3',
      'provider = Other',
      `access_key_id = ${g.accessKeyId}`,
      `secret_access_key = ${g.secretAccessKey}`,
      `endpoint = ${g.endpoint}`,
      'region = us-east-1',
      'force_path_style = true',
      'no_check_bucket = true',
      '',
    ].join('\n'),
  );
  return dir;
}

/** What one copy moves, in the words of each tool. */
type Copy =
  | { kind: 'up'; from: string; key: string }
  | { kind: 'down'; key: string; to: string }
  | { kind: 'up-tree'; from: string; prefix: string }
  | { kind: 'down-tree'; prefix: string; to: string };

async function copyCommand(env: BenchEnv, server: Server, tool: Tool, copy: Copy): Promise<BenchCommand> {
  const g = groundOf(env, server);
  const dir = await configDir(env, server);
  const s3 = (key: string) => `s3://${g.bucket}/${key}`;
  switch (tool) {
    case 'stowage':
    case 'stowage-ignore-checksum': {
      // s3rver has no AbortMultipartUpload/ListParts and stores no checksums: what its users must say.
      const serverFlags = server !== 'moto' ? ['--no-multipart-hooks', '--checksum-algorithm', 'off'] : [];
      if (tool === 'stowage-ignore-checksum') serverFlags.push('--ignore-checksum');
      const args =
        copy.kind === 'up'
          ? ['cp', copy.from, s3(copy.key)]
          : copy.kind === 'down'
            ? ['cp', s3(copy.key), copy.to]
            : copy.kind === 'up-tree'
              ? ['cp', '-r', `${copy.from}/`, s3(copy.prefix)]
              : ['cp', '-r', s3(copy.prefix), `${copy.to}/`];
      return {
        file: process.execPath,
        args: [STOWAGE, ...args, '--endpoint', g.endpoint, '--no-progress', '--quiet', ...serverFlags],
        env: awsEnv(g, dir),
      };
    }
    case 'awscli': {
      const args =
        copy.kind === 'up'
          ? ['cp', copy.from, s3(copy.key)]
          : copy.kind === 'down'
            ? ['cp', s3(copy.key), copy.to]
            : copy.kind === 'up-tree'
              ? ['cp', '--recursive', copy.from, s3(copy.prefix)]
              : ['cp', '--recursive', s3(copy.prefix), copy.to];
      return {
        file: AWS,
        args: ['--endpoint-url', g.endpoint, 's3', ...args, '--only-show-errors', '--no-progress'],
        env: awsEnv(g, dir, { AWS_PAGER: '' }),
      };
    }
    case 'rclone': {
      const remote = (key: string) => `bench:${g.bucket}/${key}`;
      const args =
        copy.kind === 'up'
          ? ['copyto', copy.from, remote(copy.key)]
          : copy.kind === 'down'
            ? ['copyto', remote(copy.key), copy.to]
            : copy.kind === 'up-tree'
              ? ['copy', copy.from, remote(copy.prefix), '--transfers', String(TREE_TRANSFERS)]
              : ['copy', remote(copy.prefix), copy.to, '--transfers', String(TREE_TRANSFERS)];
      return { file: RCLONE, args: ['--config', join(dir, 'rclone.conf'), '-q', ...args], env: cleanEnv({}) };
    }
    case 'aws-sdk': {
      const args =
        copy.kind === 'up'
          ? ['up', copy.from, g.bucket, copy.key]
          : copy.kind === 'down'
            ? ['down', g.bucket, copy.key, copy.to]
            : copy.kind === 'up-tree'
              ? ['up-tree', copy.from, g.bucket, copy.prefix]
              : ['down-tree', g.bucket, copy.prefix, copy.to];
      return {
        file: process.execPath,
        args: [SDK_PEER, ...args],
        env: cleanEnv({
          BENCH_PEER_ENDPOINT: g.endpoint,
          BENCH_PEER_KEY_ID: g.accessKeyId,
          BENCH_PEER_SECRET: g.secretAccessKey,
        }),
      };
    }
  }
}

/** The tool's version line, or false when it is not installed. */
function versionOf(tool: Tool): string | false {
  const run = (file: string, args: string[]) =>
    execFileSync(file, args, { env: cleanEnv({}), encoding: 'utf8', timeout: 60_000 })
      .trim()
      .split('\n')[0]!;
  try {
    switch (tool) {
      case 'stowage':
      case 'stowage-ignore-checksum':
        return existsSync(STOWAGE) ? `stowage ${run(process.execPath, [STOWAGE, '--version'])}` : false;
      case 'awscli':
        return existsSync(AWS) ? run(AWS, ['--version']).split(' ')[0]! : false;
      case 'rclone':
        return existsSync(RCLONE) ? run(RCLONE, ['version']).split(' ').slice(0, 2).join(' ') : false;
      case 'aws-sdk':
        return existsSync(SDK_PEER)
          ? `@aws-sdk/client-s3 ${run(process.execPath, [SDK_PEER, 'version'])}`
          : false;
    }
  } catch {
    return false;
  }
}

const versions = new Map<Tool, string | false>();
function available(tool: Tool, c: BenchCase): boolean {
  if (!versions.has(tool)) versions.set(tool, versionOf(tool));
  const version = versions.get(tool)!;
  if (version) c.version = version;
  return version !== false;
}

/** Where each download row's source lives on the server (`tree`: the marker written after the tree). */
const sourceKey = {
  big: 'peers/src/big.bin',
  huge: 'peers/src/huge.bin',
  tree: 'peers/src/tree.done',
} as const;

/**
 * The objects a download row reads (`big`: the 256 MiB file; `huge`: the 1 GiB one; `tree`: the 1,000 files), put once
 * per server with the raw SDK unless already there. A server that stops answering fails the row
 * after 10 minutes instead of stalling the run.
 */
async function ensureSource(env: BenchEnv, server: Server, what: 'big' | 'huge' | 'tree'): Promise<void> {
  // The capped proxy serves s3rver's objects: put them there directly, at full speed.
  const g = groundOf(env, server === 'capped' ? 's3rver' : server);
  const client = rawS3Client(env, g);
  const marker = sourceKey[what];
  const file = what === 'huge' ? env.files['file-1GiB']! : env.files['file-256MiB']!;
  try {
    const head = await client
      .send(new HeadObjectCommand({ Bucket: g.bucket, Key: marker }), {
        abortSignal: AbortSignal.timeout(60_000),
      })
      .catch(() => undefined);
    if (head !== undefined && (what === 'tree' || head.ContentLength === file.bytes)) return;
    const sdk = (args: string[]) =>
      execFileSync(process.execPath, [SDK_PEER, ...args], {
        env: cleanEnv({
          BENCH_PEER_ENDPOINT: g.endpoint,
          BENCH_PEER_KEY_ID: g.accessKeyId,
          BENCH_PEER_SECRET: g.secretAccessKey,
        }),
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 10 * 60_000,
      });
    if (what !== 'tree') sdk(['up', file.path, g.bucket, marker]);
    else {
      sdk(['up-tree', env.files['tree-1000x1MiB']!.path, g.bucket, 'peers/src/tree/']);
      // A marker outside the tree's prefix, written last: its presence says the tree is whole.
      sdk(['up', join(env.files['tree-1000x1MiB']!.path, 'f0000.bin'), g.bucket, marker]);
    }
  } finally {
    client.destroy();
  }
}

/** Remove what one copy wrote: the downloaded file or tree, or the uploaded object or prefix. */
async function removeCopy(env: BenchEnv, server: Server, copy: Copy): Promise<void> {
  if (copy.kind === 'down' || copy.kind === 'down-tree') {
    await rm(copy.to, { recursive: true, force: true });
    return;
  }
  const g = groundOf(env, server);
  const client = rawS3Client(env, g);
  const signal = () => ({ abortSignal: AbortSignal.timeout(60_000) });
  try {
    if (copy.kind === 'up') {
      await client.send(new DeleteObjectCommand({ Bucket: g.bucket, Key: copy.key }), signal());
      return;
    }
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: g.bucket, Prefix: copy.prefix, ContinuationToken: token }),
        signal(),
      );
      const keys = (page.Contents ?? []).map((o) => o.Key!);
      // One at a time in a few lanes: s3rver and moto both take plain DELETEs.
      for (let i = 0; i < keys.length; i += 16) {
        await Promise.all(
          keys
            .slice(i, i + 16)
            .map((Key) => client.send(new DeleteObjectCommand({ Bucket: g.bucket, Key }), signal())),
        );
      }
      token = page.NextContinuationToken;
    } while (token);
  } finally {
    client.destroy();
  }
}

const bigBytes = (env: BenchEnv) => env.files['file-256MiB']!.bytes;
const hugeBytes = (env: BenchEnv) => env.files['file-1GiB']!.bytes;
const treeBytes = (env: BenchEnv) => env.files['tree-1000x1MiB']!.bytes;
const out = (env: BenchEnv, name: string) => join(env.workDir, 'peers', 'out', name);

function transferCases(server: Server): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const tool of TOOLS) {
    const needs = server === 'moto';
    const check = (c: BenchCase, upload: boolean) => async (env: BenchEnv) => {
      if (!groundIfUp(env, server)) return `${server} is not running`;
      if (upload && tool === 'rclone' && server === 'moto')
        return "moto refuses rclone's multipart upload; rclone uploads are measured on s3rver";
      if (upload && tool === 'stowage-ignore-checksum')
        return 'uploads check no source digest: the stowage row is the same';
      return available(tool, c);
    };
    const add = (
      group: string,
      bytes: (env: BenchEnv) => number,
      upload: boolean,
      copy: (env: BenchEnv) => Promise<Copy>,
    ) => {
      let last: Copy | undefined;
      const c: BenchCase = {
        id: `peers-${server}-${group}/${tool}`,
        group: `peers-${server}-${group}`,
        tool,
        bytes,
        needsMoto: needs,
        command: async (env) => {
          last = await copy(env);
          return copyCommand(env, server, tool, last);
        },
        cleanup: async (env) => {
          if (last) await removeCopy(env, server, last);
          last = undefined;
        },
      };
      c.available = check(c, upload);
      if (!upload)
        c.prepare = (env) =>
          ensureSource(env, server, group.includes('-r-') ? 'tree' : group.includes('1GiB') ? 'huge' : 'big');
      cases.push(c);
    };
    // One file up from a fixture, or one object down to a fresh path.
    const upFrom = (fixture: string, name: string) => async (env: BenchEnv) =>
      ({ kind: 'up', from: env.files[fixture]!.path, key: `peers/${tool}/${fresh()}/${name}` }) as const;
    const downTo = (name: string, key: string) => async (env: BenchEnv) => {
      const to = out(env, `${server}-${tool}-${name}`);
      await rm(to, { force: true });
      await mkdir(dirname(to), { recursive: true });
      return { kind: 'down', key, to } as const;
    };
    if (server === 'capped') {
      add('cp-down-256MiB', bigBytes, false, downTo('big.bin', sourceKey.big));
      continue;
    }
    add('cp-up-256MiB', bigBytes, true, upFrom('file-256MiB', 'big.bin'));
    add('cp-down-256MiB', bigBytes, false, downTo('big.bin', sourceKey.big));
    // 1 GiB only on s3rver: moto holds every object in memory, and each tool's upload is another GiB.
    if (server === 's3rver') {
      add('cp-up-1GiB', hugeBytes, true, upFrom('file-1GiB', 'huge.bin'));
      add('cp-down-1GiB', hugeBytes, false, downTo('huge.bin', sourceKey.huge));
    }
    add('cp-r-up-1000x1MiB', treeBytes, true, async (env) => ({
      kind: 'up-tree',
      from: env.files['tree-1000x1MiB']!.path,
      prefix: `peers/${tool}/${fresh()}/tree/`,
    }));
    add('cp-r-down-1000x1MiB', treeBytes, false, async (env) => {
      const to = out(env, `${server}-${tool}-tree`);
      await rm(to, { recursive: true, force: true });
      return { kind: 'down-tree', prefix: 'peers/src/tree/', to };
    });
  }
  return cases;
}

/** Cold start: `--version`, and `ls` of a local directory (the tree, 1,000 files): start-up and little else. */
function coldStartCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const tool of COLD_TOOLS) {
    const version: BenchCase = {
      id: `peers-cold-version/${tool}`,
      group: 'peers-cold-version',
      tool,
      bytes: 0,
      available: async () => available(tool, version),
      command: async () => {
        const file = tool === 'awscli' ? AWS : tool === 'rclone' ? RCLONE : process.execPath;
        const args =
          tool === 'stowage'
            ? [STOWAGE, '--version']
            : tool === 'aws-sdk'
              ? [SDK_PEER, 'version']
              : tool === 'rclone'
                ? ['version']
                : ['--version'];
        return { file, args, env: cleanEnv({}) };
      },
    };
    const ls: BenchCase = {
      id: `peers-cold-ls-dir/${tool}`,
      group: 'peers-cold-ls-dir',
      tool,
      bytes: 0,
      available: async () => {
        if (tool === 'awscli') return 'awscli lists S3 only, not local directories';
        if (tool === 'aws-sdk') return 'the SDK has no local listing';
        return available(tool, ls);
      },
      command: async (env) => {
        const dir = env.files['tree-1000x1MiB']!.path;
        return tool === 'stowage'
          ? { file: process.execPath, args: [STOWAGE, 'ls', `${dir}/`], env: cleanEnv({}) }
          : { file: RCLONE, args: ['--config', '/dev/null', 'lsf', dir], env: cleanEnv({}) };
      },
    };
    cases.push(version, ls);
  }
  return cases;
}

/**
 * Whole-process peer rows: `cp` 256 MiB up and down and `cp -r` 1,000 × 1 MiB up and down on moto
 * and on s3rver, `cp` 1 GiB up and down on s3rver (peak RSS included), `cp` 256 MiB down through a
 * link capped at 20 MiB/s per connection, and cold starts (`--version`, `ls ./dir`), for Stowage's CLI, awscli 2, rclone
 * and a raw-SDK script.
 */
export const cases: BenchCase[] = [
  ...coldStartCases(),
  ...transferCases('s3rver'),
  ...transferCases('capped'),
  ...transferCases('moto'),
];
