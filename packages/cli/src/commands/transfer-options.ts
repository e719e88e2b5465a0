import { type CopyOptions, type CopyTreeOptions, type OverwritePolicy, parseShard } from '@stowage/core';
import { type Command, Option } from 'commander';
import { resolveLocation } from '../locations.js';
import { collect, parseByteSize, parseOverwrite, parsePositiveInt } from '../option-parsers.js';
import type { TuningOptions } from '../storage/build-storage.js';

/** Options of the commands that move bytes (cp, mv, sync), named like `CopyOptions`/`CopyTreeOptions`. */
export interface TransferFlags {
  /** `-r`: copy a whole prefix or directory. */
  recursive?: boolean;
  /** `--concurrency`: parts in flight per upload; most connections per download. */
  concurrency?: number;
  /** `--file-concurrency`: files in flight at once in a tree. */
  fileConcurrency?: number;
  /** `--part-size`, in bytes. */
  partSize?: number;
  /** `--multipart-threshold`, in bytes. */
  multipartThreshold?: number;
  /** `--overwrite`: what to do when the destination exists. */
  overwrite?: OverwritePolicy;
  /** `--include` globs, matched against relative keys. */
  include?: string[];
  /** `--exclude` globs; they win over `include`. */
  exclude?: string[];
  /** `--dry-run`: report the plan, move nothing. */
  dryRun?: boolean;
  /** `--ignore-checksum` (rclone's name): skip the check against the source's digest. */
  ignoreChecksum?: boolean;
  /** `--shard I/N` or `auto/N` (cp -r): copy one shard of the tree; parsed by core's `parseShard`. */
  shard?: string;
  /** `--from-manifest <location>` (cp -r): the tree's objects from a manifest, not a listing. */
  fromManifest?: string;
}

/** Add the transfer options to a command; `tree` adds the ones that only make sense for trees. */
export function addTransferOptions(
  command: Command,
  defaults: { overwrite?: OverwritePolicy } = {},
): Command {
  const heading = 'Transfer options:';
  const options = [
    new Option(
      '--concurrency <n>',
      'multipart uploads: parts in flight per file (default 4); downloads: most connections per file, added only while they raise throughput (default 8)',
    ).argParser(parsePositiveInt),
    new Option('--file-concurrency <n>', 'files in flight at once in a tree (default 8)').argParser(
      parsePositiveInt,
    ),
    new Option(
      '--part-size <size>',
      'part size of parallel transfers (uploads: default 8MiB, fitted to the destination, e.g. at least 5MiB on S3; downloads: 1-8MiB by size)',
    ).argParser(parseByteSize),
    new Option(
      '--multipart-threshold <size>',
      'objects at least this big go in parallel parts (default 16MiB)',
    ).argParser(parseByteSize),
    defaults.overwrite
      ? new Option('--overwrite <policy>', 'when the destination exists: always, never, if-different')
          .argParser(parseOverwrite)
          .default(defaults.overwrite)
      : // No commander default: the library's applies (always; if-different for a --shard).
        new Option(
          '--overwrite <policy>',
          'when the destination exists: always, never, if-different (default: always; if-different with --shard)',
        ).argParser(parseOverwrite),
    new Option('--include <glob>', 'with -r: copy only relative keys matching (repeatable)').argParser(
      collect,
    ),
    new Option('--exclude <glob>', 'with -r: leave out relative keys matching (repeatable, wins)').argParser(
      collect,
    ),
    new Option('--dry-run', 'show what would happen without moving a byte'),
    new Option(
      '--ignore-checksum',
      "skip checking the copy against the source's digest (an ETag's MD5 costs about 2 CPU-seconds per GiB); the size is still checked",
    ),
  ];
  for (const option of options) command.addOption(option.helpGroup(heading));
  return command;
}

/**
 * Add `--shard` and `--from-manifest` (cp): the options of one worker of an array job copying a
 * tree that N workers share (see docs/scale-out.md).
 */
export function addShardOptions(command: Command): Command {
  const heading = 'Scale-out options (with -r):';
  const options = [
    new Option(
      '--shard <I/N>',
      'copy only shard I of N (0 <= I < N) of the tree, keys split by a hash of their relative key; auto/N takes I from JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX or SLURM_ARRAY_TASK_ID; implies --overwrite if-different',
    ),
    new Option(
      '--from-manifest <location>',
      'take the objects from a manifest (the output of `stowage ls -r --json SRC`, local, s3:// or https://) instead of listing the source',
    ),
  ];
  for (const option of options) command.addOption(option.helpGroup(heading));
  return command;
}

/** Provider tuning from the flags (the S3 provider's own multipart writes use it too). */
export function tuningOf(flags: TransferFlags): TuningOptions {
  return {
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.partSize !== undefined ? { partSize: flags.partSize } : {}),
    ...(flags.multipartThreshold !== undefined ? { multipartThreshold: flags.multipartThreshold } : {}),
    ...(flags.fileConcurrency !== undefined ? { fileConcurrency: flags.fileConcurrency } : {}),
  };
}

/**
 * The library's copy options from the flags; `io` (environment, working directory) resolves
 * `--shard auto/N` and a relative `--from-manifest` path.
 */
export function copyOptionsOf(
  flags: TransferFlags,
  signal: AbortSignal | undefined,
  io?: { env: Record<string, string | undefined>; cwd: string },
): CopyTreeOptions {
  const options: CopyOptions & CopyTreeOptions = {};
  if (flags.shard !== undefined) options.shard = parseShard(flags.shard, io?.env ?? {});
  if (flags.fromManifest !== undefined)
    options.manifest = resolveLocation(flags.fromManifest, io?.cwd ?? '/');
  if (signal) options.signal = signal;
  if (flags.overwrite) options.overwrite = flags.overwrite;
  if (flags.concurrency !== undefined) options.concurrency = flags.concurrency;
  if (flags.partSize !== undefined) options.partSize = flags.partSize;
  if (flags.multipartThreshold !== undefined) options.multipartThreshold = flags.multipartThreshold;
  if (flags.fileConcurrency !== undefined) options.fileConcurrency = flags.fileConcurrency;
  if (flags.include?.length) options.include = flags.include;
  if (flags.exclude?.length) options.exclude = flags.exclude;
  if (flags.dryRun) options.dryRun = true;
  if (flags.ignoreChecksum) options.verifySourceDigest = false;
  return options;
}
