import {
  displayUri,
  foldShardSummaries,
  InvalidArgumentError,
  type ShardSummary,
  TransientError,
  textLines,
} from '@stowage/core';
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { resolveLocation } from '../locations.js';
import { formatBytes } from '../output/byte-format.js';

/** A `--json` `result` line of a sharded copy (`cp -r --shard … --json`), or undefined for any other line. */
function summaryOf(line: string): ShardSummary | undefined {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined; // Log noise around the JSON lines (a pod's merged output).
  }
  const r = record as Partial<ShardSummary> & { type?: unknown };
  if (r?.type !== 'result' || typeof r.shard !== 'object' || r.shard === null) return undefined;
  if (![r.files, r.skipped, r.failed, r.bytes].every((n) => typeof n === 'number')) return undefined;
  return r as ShardSummary;
}

/** `shard 3` or `shards 1, 4`. */
const shards = (indexes: number[]) => `${indexes.length === 1 ? 'shard' : 'shards'} ${list(indexes)}`;
const list = (indexes: number[]) =>
  indexes.length > 20 ? `${indexes.slice(0, 20).join(', ')}, … (${indexes.length})` : indexes.join(', ');

/**
 * `stowage report <summary...>`: fold the `--json` output of a sharded copy's workers (files,
 * objects or URLs, one or more summaries each) into one report. Exits 0 when every shard reported
 * and none failed; otherwise prints which indexes to rerun and exits 10 (retrying may help).
 */
export function registerReport(program: Command, io: CliIo): void {
  program
    .command('report')
    .description("fold the --json summaries of a sharded copy's workers (cp -r --shard) into one report")
    .argument('<summary...>', "files, objects or URLs holding the workers' --json output")
    .action((locations: string[], _options: unknown, self: Command) =>
      inContext(io, self, async (context) => {
        const uris = locations.map((location) => resolveLocation(location, io.cwd));
        const { storage } = await context.storage({}, false, uris);
        const summaries: ShardSummary[] = [];
        for (const uri of uris) {
          const before = summaries.length;
          const body = await storage.read(uri, context.signal ? { signal: context.signal } : {});
          for await (const line of textLines(body, displayUri(uri))) {
            const summary = summaryOf(line);
            if (summary) summaries.push(summary);
          }
          if (summaries.length === before) {
            throw new InvalidArgumentError(`${displayUri(uri)} holds no shard summary`, {
              uri: displayUri(uri),
              hint: 'Give the --json output of `stowage cp -r … --shard I/N --json`.',
            });
          }
        }
        const folded = foldShardSummaries(summaries);
        const parts = [
          `${folded.count - folded.missing.length} of ${folded.count} shards reported`,
          `copied ${folded.files} files (${formatBytes(folded.bytes)})`,
        ];
        if (folded.skipped) parts.push(`skipped ${folded.skipped}`);
        if (folded.failed) parts.push(`failed ${folded.failed}`);
        context.reporter.record({ type: 'report', ...folded }, parts.join(', '));
        if (folded.complete) return;
        const rerun = [...folded.failedShards, ...folded.missing].sort((a, b) => a - b);
        throw new TransientError(
          `The copy is incomplete: ${[
            folded.failedShards.length ? `${shards(folded.failedShards)} had failures` : '',
            folded.missing.length ? `${shards(folded.missing)} never reported` : '',
          ]
            .filter(Boolean)
            .join('; ')}`,
          { hint: `Rerun the copy with --shard I/${folded.count} for I in ${list(rerun)}.` },
        );
      }),
    );
}
