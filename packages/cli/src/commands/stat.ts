import { displayUri, type ObjectStat } from '@stowage/core';
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { resolveLocation } from '../locations.js';
import { formatBytes } from '../output/byte-format.js';

/** A stat as a plain, JSON-ready record. */
export function statRecord(info: ObjectStat): Record<string, unknown> {
  return {
    uri: displayUri(info.uri),
    size: info.size,
    ...(info.etag !== undefined ? { etag: info.etag } : {}),
    ...(info.lastModified ? { lastModified: info.lastModified.toISOString() } : {}),
    ...(info.contentType !== undefined ? { contentType: info.contentType } : {}),
    ...(info.versionId !== undefined ? { versionId: info.versionId } : {}),
    ...(info.checksums && Object.keys(info.checksums).length ? { checksums: info.checksums } : {}),
    ...(info.metadata && Object.keys(info.metadata).length ? { metadata: info.metadata } : {}),
    ...(info.acceptsRanges !== undefined ? { acceptsRanges: info.acceptsRanges } : {}),
  };
}

/** One line per field (`name: value`), nested maps (checksums, metadata) as `name.key: value`. */
function statLines(record: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) lines.push(`${`${key}.${k}:`.padEnd(18)} ${String(v)}`);
    } else if (key === 'size') lines.push(`${'size:'.padEnd(18)} ${value} (${formatBytes(value as number)})`);
    else lines.push(`${`${key}:`.padEnd(18)} ${String(value)}`);
  }
  return lines;
}

/** `stowage stat <location>`: size, validators, content type, checksums and metadata. */
export function registerStat(program: Command, io: CliIo): void {
  program
    .command('stat')
    .description('show size, ETag, last modified, content type, checksums and metadata of an object')
    .argument('<location>', 'the object')
    .action((location: string, _options: unknown, self: Command) =>
      inContext(io, self, async (context) => {
        const uri = resolveLocation(location, io.cwd);
        const { storage } = await context.storage({}, false, [uri]);
        const info = await storage.stat(uri, context.signal ? { signal: context.signal } : {});
        const record = statRecord(info);
        if (context.options.json) context.printRecord({ type: 'stat', ...record });
        else for (const line of statLines(record)) context.print(line);
      }),
    );
}
