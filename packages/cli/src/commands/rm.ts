import { stat as fsStat } from 'node:fs/promises';
import {
  asPrefix,
  type DeleteOutcome,
  deleteAll,
  displayUri,
  InvalidArgumentError,
  isPrefix,
  type Storage,
  type StorageUri,
  treeFilter,
} from '@stowage/core';
import { type Command, Option } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { resolveLocation } from '../locations.js';
import { collect } from '../option-parsers.js';
import type { Reporter } from '../output/reporter.js';

interface RmFlags {
  recursive?: boolean;
  dryRun?: boolean;
  include?: string[];
  exclude?: string[];
}

/** Every object under a prefix that passes the filters, streamed. */
async function* selected(
  storage: Storage,
  prefix: StorageUri,
  keep: (relativeKey: string) => boolean,
  signal: AbortSignal | undefined,
): AsyncIterable<StorageUri> {
  for await (const entry of storage.list(prefix, { recursive: true, ...(signal ? { signal } : {}) })) {
    if (entry.type !== 'object') continue;
    if (keep(entry.key.slice(prefix.key.length))) yield entry.uri;
  }
}

/**
 * Renders each deletion as it happens: a line (or JSON record) per object, a warning per failure.
 * `rm -r` and `sync --delete` print the same.
 */
export function deletionPrinter(reporter: Reporter): (outcome: DeleteOutcome) => void {
  return (outcome) => {
    const uri = displayUri(outcome.uri);
    if (outcome.error) {
      reporter.record({ type: 'delete-failed', uri, error: outcome.error.message });
      reporter.warn(`failed to delete ${uri}: ${outcome.error.message}`);
    } else reporter.record({ type: 'deleted', uri }, `deleted ${uri}`);
  };
}

/** `stowage rm <location>`: delete an object; a whole prefix only with `-r`. */
export function registerRm(program: Command, io: CliIo): void {
  program
    .command('rm')
    .description('delete an object, or every object under a prefix with -r (batched)')
    .argument('<location>', 'the object, or with -r the prefix')
    .option('-r, --recursive', 'delete every object under the prefix')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .addOption(
      new Option('--include <glob>', 'with -r: only relative keys matching (repeatable)').argParser(collect),
    )
    .addOption(
      new Option('--exclude <glob>', 'with -r: keep relative keys matching (repeatable)').argParser(collect),
    )
    .action((location: string, _options: unknown, self: Command) =>
      inContext<RmFlags>(io, self, async (context) => {
        const { options } = context;
        let uri = resolveLocation(location, io.cwd);
        const { storage } = await context.storage({}, false, [uri]);
        const signal = context.signal;
        const localDir =
          uri.scheme === 'file' &&
          !isPrefix(uri) &&
          (await fsStat(`/${uri.key}`).catch(() => undefined))?.isDirectory();
        if (!options.recursive) {
          if (isPrefix(uri) || localDir) {
            throw new InvalidArgumentError(
              `${displayUri(uri)} is a prefix or directory; rm deletes trees only with -r`,
              {
                uri: displayUri(uri),
                hint: `Run \`stowage rm -r ${location}\` to delete everything under it (add --dry-run to see what first).`,
              },
            );
          }
          // A typo must not pass silently: the object has to exist.
          await storage.stat(uri, signal ? { signal } : {});
          if (options.dryRun) {
            context.reporter.record(
              { type: 'planned', action: 'delete', uri: displayUri(uri) },
              `would delete ${displayUri(uri)}`,
            );
            return;
          }
          await storage.delete(uri, signal ? { signal } : {});
          context.reporter.record({ type: 'deleted', uri: displayUri(uri) }, `deleted ${displayUri(uri)}`);
          context.reporter.record({ type: 'result', command: 'rm', deleted: 1, failed: 0 });
          return;
        }
        uri = asPrefix(uri);
        const keep = treeFilter(options.include, options.exclude);
        if (options.dryRun) {
          let count = 0;
          for await (const target of selected(storage, uri, keep, signal)) {
            count++;
            context.reporter.record(
              { type: 'planned', action: 'delete', uri: displayUri(target) },
              `would delete ${displayUri(target)}`,
            );
          }
          context.reporter.record(
            { type: 'result', command: 'rm', dryRun: true, planned: count },
            `would delete ${count} objects`,
          );
          return;
        }
        // Batched by the provider (S3 DeleteObjects: 1000 a request); the first failure rethrown.
        const { deleted, deleteFailures } = await deleteAll(storage, selected(storage, uri, keep, signal), {
          ...(signal ? { signal } : {}),
          onDelete: deletionPrinter(context.reporter),
        });
        const counts = { deleted, failed: deleteFailures };
        context.reporter.record(
          { type: 'result', command: 'rm', ...counts },
          `deleted ${counts.deleted} objects`,
        );
      }),
    );
}
