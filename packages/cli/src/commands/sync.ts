import { type CopyTreeResult, displayUri, type StorageUri, type SyncTreeResult } from '@stowage/core';
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { type CommandContext, inContext } from '../command-context.js';
import { treeLocation } from '../locations.js';
import { formatBytes } from '../output/byte-format.js';
import { deletionPrinter } from './rm.js';
import { treeSummary } from './run-transfer.js';
import { addTransferOptions, copyOptionsOf, type TransferFlags, tuningOf } from './transfer-options.js';

interface SyncFlags extends TransferFlags {
  delete?: boolean;
}

/** `--dry-run`: what sync would copy and delete (the library's plan), printed. */
async function planSync(
  context: CommandContext<SyncFlags>,
  source: StorageUri,
  destination: StorageUri,
): Promise<void> {
  const { storage } = await context.storage(tuningOf(context.options), false, [source, destination]);
  const { options, reporter } = context;
  let copies = 0;
  let bytes = 0;
  let deletes = 0;
  let refused = 0;
  const changes = storage.planSync(source, destination, {
    ...(options.delete ? { delete: true } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  });
  for await (const change of changes) {
    if (change.action === 'copy') {
      copies++;
      bytes += change.bytes;
      reporter.record(
        { type: 'planned', ...change },
        `would copy ${change.source} -> ${change.destination} (${formatBytes(change.bytes)}, ${change.reason})`,
      );
    } else if (change.action === 'refuse') {
      refused++;
      reporter.record(
        { type: 'planned', ...change },
        `cannot copy ${change.source}: ${change.message} [${change.code}]`,
      );
    } else {
      deletes++;
      reporter.record(
        { type: 'planned', action: 'delete', uri: displayUri(change.uri) },
        `would delete ${displayUri(change.uri)}`,
      );
    }
  }
  reporter.record(
    {
      type: 'result',
      command: 'sync',
      dryRun: true,
      files: copies,
      bytes,
      deleted: deletes,
      failed: refused,
    },
    `would copy ${copies} file${copies === 1 ? '' : 's'} (${formatBytes(bytes)})${options.delete ? `, would delete ${deletes}` : ''}${refused ? `, ${refused} cannot be copied` : ''}`,
  );
}

/**
 * `stowage sync <source> <destination>`: copy what is missing or different (copyTree with
 * `overwrite: if-different`), then with `--delete` remove destination objects the source lacks.
 * `--dry-run` shows both lists first without touching anything.
 */
export function registerSync(program: Command, io: CliIo): void {
  const command = program
    .command('sync')
    .description(
      'make a destination tree match a source tree: copy new and changed objects, --delete extraneous ones',
    )
    .argument('<source>', 'source prefix or directory')
    .argument('<destination>', 'destination prefix or directory')
    .option(
      '--delete',
      'delete destination objects that are not in the source (filters protect what they leave out)',
    );
  addTransferOptions(command, { overwrite: 'if-different' });
  command.addHelpText('after', '\nRun with --dry-run first to see what would be copied and deleted.\n');
  command.action((sourceArg: string, destinationArg: string, _options: unknown, self: Command) =>
    inContext<SyncFlags>(io, self, async (context) => {
      const source = treeLocation(sourceArg, io.cwd);
      const destination = treeLocation(destinationArg, io.cwd);
      if (context.options.dryRun) return planSync(context, source, destination);
      const { options, reporter } = context;
      const { storage } = await context.storage(tuningOf(options), false, [source, destination]);
      reporter.follow(storage.events$);
      let result: SyncTreeResult;
      try {
        result = await storage.syncTree(source, destination, {
          ...copyOptionsOf(options, context.signal),
          ...(options.delete ? { delete: true } : {}),
          onDelete: deletionPrinter(reporter),
        });
      } catch (error) {
        // A failed copy deletes nothing (the library's rule); its counts are still the summary.
        const partial = (error as { treeResult?: CopyTreeResult }).treeResult;
        if (partial)
          reporter.record({ type: 'result', command: 'sync', ...partial }, treeSummary('copy', partial));
        throw error;
      }
      const { planned: _planned, deleteFailures: _failures, ...counts } = result;
      reporter.record(
        { type: 'result', command: 'sync', ...counts },
        `${treeSummary('copy', result)}${options.delete ? `, deleted ${result.deleted}` : ''}`,
      );
    }),
  );
}
