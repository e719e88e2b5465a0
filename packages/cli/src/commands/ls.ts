import { stat as fsStat } from 'node:fs/promises';
import {
  asPrefix,
  displayUri,
  type Entry,
  isPrefix,
  isStowageError,
  manifestRecord,
  NotFoundError,
  type StorageUri,
} from '@stowage/core';
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { resolveLocation } from '../locations.js';
import { statRecord } from './stat.js';

const DATE_WIDTH = 19;

function shortDate(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 19).replace('T', ' ') : ''.padEnd(DATE_WIDTH);
}

/** The key relative to the listed prefix, as `aws s3 ls` shows it. */
function relative(prefix: StorageUri, key: string): string {
  return key.startsWith(prefix.key) ? key.slice(prefix.key.length) : key;
}

/** One listing line: `date  size  name` for objects, `PRE name/` for common prefixes. */
export function entryLine(prefix: StorageUri, entry: Entry): string {
  if (entry.type === 'prefix')
    return `${''.padEnd(DATE_WIDTH)} ${'PRE'.padStart(12)} ${relative(prefix, entry.key)}`;
  return `${shortDate(entry.lastModified)} ${String(entry.size).padStart(12)} ${relative(prefix, entry.key)}`;
}

/** A listing line in `--json`: an object's is a manifest line (`cp -r --from-manifest` reads them). */
function entryRecord(entry: Entry): Record<string, unknown> {
  if (entry.type === 'prefix') return { type: 'prefix', uri: displayUri(entry.uri), key: entry.key };
  return manifestRecord(entry);
}

/**
 * Whether a location given without a trailing `/` is an object (printed alone) or a prefix to
 * list; a local directory is always a prefix.
 */
async function asListing(
  uri: StorageUri,
  statObject: () => Promise<unknown>,
): Promise<StorageUri | 'object'> {
  if (isPrefix(uri)) return uri;
  if (uri.scheme === 'file') {
    const info = await fsStat(`/${uri.key}`).catch(() => undefined);
    return info?.isDirectory() ? asPrefix(uri) : info ? 'object' : asPrefix(uri);
  }
  try {
    await statObject();
    return 'object';
  } catch (error) {
    if (isStowageError(error, 'NotFound')) return asPrefix(uri);
    throw error;
  }
}

/** `stowage ls <location>`: objects and prefixes one level down, or every object with `-r`. */
export function registerLs(program: Command, io: CliIo): void {
  program
    .command('ls')
    .description('list objects and prefixes (one level, delimited at /), or every object with -r')
    .argument('<location>', 'a prefix (s3://bucket/dir/), a bucket, a directory, or an object')
    .option(
      '-r, --recursive',
      'list every object under the prefix, without grouping (with --json: a manifest for cp --from-manifest)',
    )
    .action((location: string, _options: unknown, self: Command) =>
      inContext<{ recursive?: boolean }>(io, self, async (context) => {
        const uri = resolveLocation(location, io.cwd);
        const { storage } = await context.storage({}, false, [uri]);
        const json = context.options.json === true;
        const signal = context.signal ? { signal: context.signal } : {};
        let cached: Awaited<ReturnType<typeof storage.stat>> | undefined;
        const target = await asListing(uri, async () => {
          cached = await storage.stat(uri, signal);
        });
        if (target === 'object') {
          const info = cached ?? (await storage.stat(uri, signal));
          const entry: Entry = {
            type: 'object',
            uri,
            key: uri.key,
            size: info.size,
            ...(info.lastModified ? { lastModified: info.lastModified } : {}),
          };
          const parent = { ...uri, key: uri.key.slice(0, uri.key.lastIndexOf('/') + 1) };
          if (json) context.printRecord({ ...statRecord(info), type: 'object', key: uri.key });
          else context.print(entryLine(parent, entry));
          return;
        }
        let count = 0;
        for await (const entry of storage.list(target, {
          recursive: context.options.recursive === true,
          ...signal,
        })) {
          count++;
          if (json) context.printRecord(entryRecord(entry));
          else context.print(entryLine(target, entry));
        }
        if (count === 0 && !isPrefix(uri)) {
          throw new NotFoundError(`Nothing at ${displayUri(uri)} (no object, no prefix)`, {
            uri: displayUri(uri),
            hint: `List the parent to see what is there: stowage ls ${displayUri(asPrefix({ ...uri, key: uri.key.slice(0, uri.key.lastIndexOf('/') + 1) }))}`,
          });
        }
      }),
    );
}
