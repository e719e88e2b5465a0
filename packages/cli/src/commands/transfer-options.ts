import type { CopyOptions, CopyTreeOptions, OverwritePolicy } from '@stowage/core';
import { type Command, Option } from 'commander';
import { collect, parseByteSize, parseOverwrite, parsePositiveInt } from '../option-parsers.js';
import type { TuningOptions } from '../storage/build-storage.js';

/** Options of the commands that move bytes (cp, mv, sync), named like `CopyOptions`/`CopyTreeOptions`. */
export interface TransferFlags {
  /** `-r`: copy a whole prefix or directory. */
  recursive?: boolean;
  /** `--concurrency`: parts in flight per file. */
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
      'parts in flight per file (ranged downloads, multipart uploads)',
    ).argParser(parsePositiveInt),
    new Option('--file-concurrency <n>', 'files in flight at once in a tree (default 8)').argParser(
      parsePositiveInt,
    ),
    new Option(
      '--part-size <size>',
      'part size of parallel transfers (default 8MiB; uploads fit it to the destination, e.g. at least 5MiB on S3)',
    ).argParser(parseByteSize),
    new Option(
      '--multipart-threshold <size>',
      'objects at least this big go in parallel parts (default 16MiB)',
    ).argParser(parseByteSize),
    new Option('--overwrite <policy>', 'when the destination exists: always, never, if-different')
      .argParser(parseOverwrite)
      .default(defaults.overwrite ?? 'always'),
    new Option('--include <glob>', 'with -r: copy only relative keys matching (repeatable)').argParser(
      collect,
    ),
    new Option('--exclude <glob>', 'with -r: leave out relative keys matching (repeatable, wins)').argParser(
      collect,
    ),
    new Option('--dry-run', 'show what would happen without moving a byte'),
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

/** The library's copy options from the flags. */
export function copyOptionsOf(flags: TransferFlags, signal: AbortSignal | undefined): CopyTreeOptions {
  const options: CopyOptions & CopyTreeOptions = {};
  if (signal) options.signal = signal;
  if (flags.overwrite) options.overwrite = flags.overwrite;
  if (flags.concurrency !== undefined) options.concurrency = flags.concurrency;
  if (flags.partSize !== undefined) options.partSize = flags.partSize;
  if (flags.multipartThreshold !== undefined) options.multipartThreshold = flags.multipartThreshold;
  if (flags.fileConcurrency !== undefined) options.fileConcurrency = flags.fileConcurrency;
  if (flags.include?.length) options.include = flags.include;
  if (flags.exclude?.length) options.exclude = flags.exclude;
  if (flags.dryRun) options.dryRun = true;
  return options;
}
