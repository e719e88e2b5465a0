import { pipeline } from 'node:stream/promises';
import type { ByteRange } from '@stowage/core';
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { resolveLocation } from '../locations.js';
import { badOptionValue } from '../option-value-error.js';

/** `--range 100-199` or `--range 100-` (inclusive, as HTTP ranges). */
function parseRange(text: string): ByteRange {
  const match = /^(\d+)-(\d*)$/.exec(text.trim());
  if (!match) throw badOptionValue('expected START-END or START- (inclusive byte offsets).');
  return match[2] ? { start: Number(match[1]), end: Number(match[2]) } : { start: Number(match[1]) };
}

/** `stowage cat <location>`: stream an object's bytes to stdout (nothing buffered). */
export function registerCat(program: Command, io: CliIo): void {
  program
    .command('cat')
    .description("write an object's bytes to stdout")
    .argument('<location>', 'the object')
    .option('--range <start-end>', 'only these bytes (inclusive, e.g. 0-1023 or 1024-)', parseRange)
    .action((location: string, _options: unknown, self: Command) =>
      inContext<{ range?: ByteRange }>(io, self, async (context) => {
        const uri = resolveLocation(location, io.cwd);
        const { storage } = await context.storage({}, false, [uri]);
        const readable = await storage.read(uri, {
          ...(context.options.range ? { range: context.options.range } : {}),
          ...(context.signal ? { signal: context.signal } : {}),
        });
        try {
          await pipeline(readable, io.stdout, { end: false });
        } catch (error) {
          // A reader that went away (`| head`) is not a failure of cat.
          if ((error as { code?: string }).code !== 'EPIPE') throw error;
          readable.destroy();
        }
      }),
    );
}
