import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { runTransfer } from './run-transfer.js';
import { addShardOptions, addTransferOptions, type TransferFlags } from './transfer-options.js';

/** `stowage cp <source> <destination>`: one object, or a tree with `-r`. */
export function registerCp(program: Command, io: CliIo): void {
  const command = program
    .command('cp')
    .description('copy an object, or a tree with -r, between any two locations')
    .argument('<source>', 'path, s3://bucket/key, https://host/path, mem://ns/key')
    .argument('<destination>', 'a key, or a prefix/directory ending in / (the source name is appended)')
    .option('-r, --recursive', 'copy every object under the source prefix, keeping relative keys');
  addTransferOptions(command);
  addShardOptions(command);
  command.addHelpText(
    'after',
    '\nExamples:\n  stowage cp ./data.csv s3://my-bucket/raw/\n  stowage cp -r s3://my-bucket/raw/ ./raw --include "*.csv"\n  stowage cp -r s3://src/raw/ s3://dst/raw/ --from-manifest s3://dst/manifest.jsonl --shard auto/16 --json\n',
  );
  command.action((source: string, destination: string, _options: unknown, self: Command) =>
    inContext<TransferFlags>(io, self, (context) => runTransfer(context, 'cp', source, destination)),
  );
}
