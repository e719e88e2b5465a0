import type { Command } from 'commander';
import { Option } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';
import { resolveLocation } from '../locations.js';
import { parsePositiveInt } from '../option-parsers.js';

interface PresignFlags {
  expiresIn: number;
  method: 'GET' | 'PUT';
  contentType?: string;
}

/** `stowage presign <location>`: a time-limited URL anyone can use with plain HTTP. */
export function registerPresign(program: Command, io: CliIo): void {
  program
    .command('presign')
    .description('print a time-limited URL granting GET (or PUT) of an object without credentials')
    .argument('<location>', 'the object (s3://bucket/key)')
    .addOption(
      new Option('--expires-in <seconds>', 'lifetime of the URL').argParser(parsePositiveInt).default(3600),
    )
    .addOption(new Option('--method <method>', 'what the URL allows').choices(['GET', 'PUT']).default('GET'))
    .option('--content-type <type>', 'with --method PUT: the content type the upload must send')
    .action((location: string, _options: unknown, self: Command) =>
      inContext<PresignFlags>(io, self, async (context) => {
        const uri = resolveLocation(location, io.cwd);
        const { storage } = await context.storage({}, false, [uri]);
        const { expiresIn, method, contentType } = context.options;
        const url = await storage.presign(uri, {
          expiresIn,
          method,
          ...(contentType ? { contentType } : {}),
        });
        const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
        if (context.options.json) context.printRecord({ type: 'presigned', method, url, expiresAt });
        else context.print(url);
      }),
    );
}
