import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { runTransfer } from './run-transfer.js';
import { addTransferOptions, type TransferFlags } from './transfer-options.js';

/** `stowage mv <source> <destination>`: copy, verify, then delete the source (a tree with `-r`). */
export function registerMv(program: Command, io: CliIo): void {
  const command = program
    .command('mv')
    .description('move an object (or a tree with -r): the source is deleted only after the copy is verified')
    .argument('<source>', 'what to move')
    .argument('<destination>', 'where to (a prefix ending in / receives the source name)')
    .option('-r, --recursive', 'move every object under the source prefix');
  addTransferOptions(command);
  command.action((source: string, destination: string, _options: unknown, self: Command) =>
    inContext<TransferFlags>(io, self, (context) => runTransfer(context, 'mv', source, destination)),
  );
}
