import { createInterface } from 'node:readline';
import type { Catalog } from '@stowage/catalog';
import { AuthenticationRequiredError, InvalidArgumentError, toAbortedError } from '@stowage/core';
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { inContext } from '../command-context.js';

/** The first line of stdin (a code piped in by a batch job); a cancelled run stops waiting for it. */
function readFirstLine(io: CliIo): Promise<string> {
  return new Promise((resolve, reject) => {
    const { signal } = io;
    if (signal?.aborted) return reject(toAbortedError(signal.reason, 'reading the login code'));
    const lines = createInterface({ input: io.stdin, terminal: false });
    let answered = false;
    const onAbort = () => {
      answered = true;
      lines.close();
      reject(toAbortedError(signal?.reason, 'reading the login code'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!answered) resolve('');
    });
  });
}

/** The run's catalog; the catalog client loads only when a catalog command runs. */
async function catalogOf(io: CliIo, prompt?: (message: string) => Promise<string>): Promise<Catalog> {
  const { catalogFor } = await import('../storage/credential-setup.js');
  return catalogFor(io, prompt);
}

/** `stowage catalog config|login|logout|whoami`: the Quilt-compatible catalog workflow. */
export function registerCatalog(program: Command, io: CliIo): void {
  const catalog = program
    .command('catalog')
    .description(
      'configure a Quilt-compatible catalog and log in to it (its S3 credentials: --catalog-credentials)',
    );

  catalog
    .command('config')
    .description('set the catalog URL (reads {url}/config.json), or show the stored configuration')
    .argument('[url]', 'the catalog URL, e.g. https://catalog.example.com')
    .option('--clear', 'forget the configured catalog')
    .action((url: string | undefined, _options: unknown, self: Command) =>
      inContext<{ clear?: boolean }>(io, self, async (context) => {
        const store = await catalogOf(io);
        const config = await store.config(context.options.clear ? '' : url);
        if (context.options.json) {
          context.printRecord({ type: 'catalog-config', config });
          return;
        }
        if (!config) {
          context.print(context.options.clear ? 'catalog configuration cleared' : 'no catalog configured');
          return;
        }
        context.print(`catalog:  ${config.navigator_url}`);
        context.print(`registry: ${config.registryUrl}`);
        context.print(`region:   ${config.region ?? '(none)'}`);
      }),
    );

  catalog
    .command('login')
    .description('log in with the one-time code from {registry}/login (read without echo, or --code / stdin)')
    .option('--code <code>', 'the one-time code (or "-" to read it from stdin), for batch jobs')
    .action((_options: unknown, self: Command) =>
      inContext<{ code?: string }>(io, self, async (context) => {
        const { readHiddenLine } = await import('@stowage/catalog');
        const store = await catalogOf(io, (message) =>
          readHiddenLine(
            message,
            io.stdin as NodeJS.ReadableStream & { isTTY?: boolean },
            io.stderr,
            io.signal,
          ),
        );
        let code = context.options.code;
        if (code === '-' || (code === undefined && !io.stdin.isTTY)) code = (await readFirstLine(io)).trim();
        if (code !== undefined && code.length === 0) {
          throw new InvalidArgumentError('No login code was given', {
            hint: 'Open {registry}/login, copy the code and pass it with --code, or run `stowage catalog login` in a terminal.',
          });
        }
        const result = code === undefined ? await store.login() : await store.loginWithToken(code);
        if (context.options.json) context.printRecord({ type: 'catalog-login', ...result });
        else context.print(`logged in to ${result.catalogUrl}`);
      }),
    );

  catalog
    .command('logout')
    .description('revoke the session at the registry and delete the local login')
    .action((_options: unknown, self: Command) =>
      inContext(io, self, async (context) => {
        const result = await (await catalogOf(io)).logout();
        if (context.options.json) {
          context.printRecord({ type: 'catalog-logout', ...result });
          return;
        }
        if (!result.wasLoggedIn)
          context.print(`not logged in${result.catalogUrl ? ` to ${result.catalogUrl}` : ''}`);
        else
          context.print(
            `logged out of ${result.catalogUrl}${result.revoked ? ' (session revoked)' : ` (not revoked: ${result.detail ?? 'unknown'})`}`,
          );
      }),
    );

  catalog
    .command('whoami')
    .description('show the user the catalog says is logged in')
    .action((_options: unknown, self: Command) =>
      inContext(io, self, async (context) => {
        const store = await catalogOf(io);
        if (!(await store.loggedIn())) {
          throw new AuthenticationRequiredError('Not logged in to a catalog', {
            provider: 'catalog',
            hint: 'Run `stowage catalog config <url>` and `stowage catalog login`.',
          });
        }
        const me = await store.whoami(context.signal);
        if (context.options.json) context.printRecord({ type: 'catalog-whoami', ...me });
        else
          context.print(
            `${me.name}${me.email ? ` <${me.email}>` : ''} at ${me.catalogUrl}${me.isAdmin ? ' (admin)' : ''}`,
          );
      }),
    );
}
