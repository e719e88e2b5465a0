import { stat } from 'node:fs/promises';
import {
  type CopyTreeResult,
  displayUri,
  InvalidArgumentError,
  isPrefix,
  NotFoundError,
  type StorageUri,
} from '@stowage/core';
import type { CommandContext } from '../command-context.js';
import { copyDestination, resolveLocation, treeLocation } from '../locations.js';
import { formatBytes } from '../output/byte-format.js';
import { copyOptionsOf, type TransferFlags, tuningOf } from './transfer-options.js';

/** Refuse a directory or prefix source without `-r`, with the fix in the hint. */
async function requireObject(uri: StorageUri, command: string, arg: string): Promise<void> {
  let directory = isPrefix(uri);
  if (!directory && uri.scheme === 'file')
    directory = (await stat(`/${uri.key}`).catch(() => undefined))?.isDirectory() ?? false;
  if (directory) {
    throw new InvalidArgumentError(
      `${displayUri(uri)} is a directory or prefix; ${command} copies it only with -r`,
      {
        uri: displayUri(uri),
        hint: `Run \`stowage ${command} -r ${arg} …\` to ${command === 'mv' ? 'move' : 'copy'} the whole tree.`,
      },
    );
  }
}

/**
 * What a local `-r` source is. A file is copied as one object, as `cp -r` and rclone do; a path
 * that does not exist fails as it does with awscli and rclone, instead of copying nothing and
 * exiting 0. (An empty S3 prefix is not an error: it is an empty tree.)
 */
async function localTreeSource(arg: string, cwd: string): Promise<'tree' | 'file'> {
  const uri = resolveLocation(arg, cwd);
  if (uri.scheme !== 'file') return 'tree';
  const info = await stat(`/${uri.key}`).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (!info) {
    throw new NotFoundError(`${displayUri(uri)} does not exist`, {
      uri: displayUri(uri),
      hint: 'Check the path; a local source of -r must be a directory or a file.',
    });
  }
  return info.isDirectory() ? 'tree' : 'file';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Summary line of a tree transfer (`copied 3 files (1.2 MiB), skipped 1 in 0.4s`). */
export function treeSummary(verb: 'copy' | 'move', result: CopyTreeResult): string {
  const done = result.dryRun ? `would ${verb}` : verb === 'copy' ? 'copied' : 'moved';
  const shard = result.shard ? `shard ${result.shard.index}/${result.shard.count}: ` : '';
  const parts = [`${shard}${done} ${plural(result.files, 'file')} (${formatBytes(result.bytes)})`];
  if (result.skipped) parts.push(`skipped ${result.skipped}`);
  if (result.failed) parts.push(`failed ${result.failed}`);
  return `${parts.join(', ')} in ${(result.durationMs / 1000).toFixed(1)}s`;
}

/** Print a tree's plan and summary (text and/or JSON records). */
export function reportTree(
  context: CommandContext,
  command: string,
  verb: 'copy' | 'move',
  result: CopyTreeResult,
): void {
  for (const planned of result.planned ?? []) {
    context.reporter.record(
      { type: 'planned', action: verb, ...planned },
      `would ${verb} ${planned.source} -> ${planned.destination} (${formatBytes(planned.bytes)})`,
    );
  }
  const { planned: _planned, ...counts } = result;
  context.reporter.record({ type: 'result', command, ...counts }, treeSummary(verb, result));
}

/**
 * `cp` and `mv`: one object, or with `-r` a tree (relative keys kept, `--include`/`--exclude`,
 * `--dry-run`). Progress comes from the storage's event stream; the result is printed at the end.
 */
export async function runTransfer(
  context: CommandContext<TransferFlags>,
  command: 'cp' | 'mv',
  sourceArg: string,
  destinationArg: string,
): Promise<void> {
  const { options, io, reporter } = context;
  const verb = command === 'cp' ? 'copy' : 'move';
  const copyOptions = copyOptionsOf(options, context.signal, io);
  if (options.recursive && (await localTreeSource(sourceArg, io.cwd)) === 'tree') {
    const source = treeLocation(sourceArg, io.cwd);
    const destination = treeLocation(destinationArg, io.cwd);
    // The manifest's location needs its adapter too (a local tree may take its keys from https://).
    const manifest = copyOptions.manifest as StorageUri | undefined;
    const locations = manifest ? [source, destination, manifest] : [source, destination];
    const { storage } = await context.storage(tuningOf(options), false, locations);
    reporter.follow(storage.events$);
    const transfer =
      command === 'cp'
        ? storage.copyTree(source, destination, copyOptions)
        : storage.moveTree(source, destination, copyOptions);
    try {
      reportTree(context, command, verb, await transfer);
    } catch (error) {
      const partial = (error as { treeResult?: CopyTreeResult }).treeResult;
      if (partial) reportTree(context, command, verb, partial);
      throw error;
    }
    return;
  }
  if (options.include?.length || options.exclude?.length || options.shard || options.fromManifest) {
    throw new InvalidArgumentError(
      options.recursive
        ? `${sourceArg} is a file; --include, --exclude, --shard and --from-manifest select from trees`
        : '--include, --exclude, --shard and --from-manifest select from trees; add -r',
      { hint: options.recursive ? 'Name its directory as the source.' : `Run \`stowage ${command} -r …\`.` },
    );
  }
  const source = resolveLocation(sourceArg, io.cwd);
  await requireObject(source, command, sourceArg);
  const destination = await copyDestination(destinationArg, io.cwd);
  const { storage } = await context.storage(tuningOf(options), false, [source, destination]);
  if (options.dryRun) {
    // The library names the destination as the copy would (a prefix receives the base name).
    const plan = await storage.planCopy(
      source,
      destination,
      context.signal ? { signal: context.signal } : {},
    );
    reporter.record(
      { type: 'planned', action: verb, ...plan },
      `would ${verb} ${plan.source} -> ${plan.destination} (${formatBytes(plan.bytes)})`,
    );
    return;
  }
  reporter.follow(storage.events$);
  const transfer =
    command === 'cp'
      ? storage.copy(source, destination, copyOptions)
      : storage.move(source, destination, copyOptions);
  const result = await transfer;
  const { decision, ...rest } = result;
  reporter.record({
    type: 'result',
    command,
    ...rest,
    ...(decision ? { route: decision.route, reasons: decision.reasons.map((r) => r.code) } : {}),
  });
}
