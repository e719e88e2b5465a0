import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { registerCat } from './commands/cat.js';
import { registerCatalog } from './commands/catalog.js';
import { registerCp } from './commands/cp.js';
import { registerCredentials } from './commands/credentials.js';
import { registerLs } from './commands/ls.js';
import { registerMv } from './commands/mv.js';
import { registerPlan } from './commands/plan.js';
import { registerPresign } from './commands/presign.js';
import { registerReport } from './commands/report.js';
import { registerRm } from './commands/rm.js';
import { registerStat } from './commands/stat.js';
import { registerSync } from './commands/sync.js';
import { formatExitCodes, USAGE_EXIT_CODE } from './errors/exit-codes.js';
import { addGlobalOptions } from './global-options.js';
import { refuseEmptyValues } from './option-parsers.js';
import { escapeControls, jsonLine } from './output/terminal-text.js';

/** The package version, read once from package.json (one level up from src/, dist/ and bundle/ alike). */
export function cliVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;
  } catch {
    return '0.0.0';
  }
}

const FOOTER = `
Locations:
  ./path or /abs/path   local files (a trailing / means a directory)
  s3://bucket/key       S3 and S3-compatible stores (--endpoint)
  https://host/path     HTTP(S) servers (credentials from ~/.netrc)
  mem://ns/key          in-memory (lives for one command)

Credentials: AWS keys are found as boto3 finds them (explicit profile, environment, shared files,
  assume role, SSO, credential_process, container, instance metadata); see \`stowage credentials explain\`.

Exit codes:
${formatExitCodes()}
`;

/**
 * The `stowage` command tree on commander, writing to `io` and throwing instead of exiting, so it
 * can run in-process. `run()` wraps it with error rendering and exit codes.
 * @param argv The arguments being parsed (so usage errors honour `--json` before commander has
 *   read it); default `process.argv`.
 */
export function buildProgram(io: CliIo, argv: readonly string[] = process.argv): Command {
  const program = new Command('stowage');
  program
    .description('Move data between local files, S3, HTTP(S) and Quilt catalogs, with progress and routing.')
    .version(cliVersion(), '-V, --version')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => {
        // Commander's own line breaks (a "Did you mean" suggestion) become spaces: one line.
        const message = text
          .replace(/^error:\s*/i, '')
          .trim()
          .replace(/\s*\n\s*/g, ' ');
        const json = argv.includes('--json') || program.opts().json === true;
        if (json)
          write(`${jsonLine({ type: 'error', code: 'Usage', message, exitCode: USAGE_EXIT_CODE })}\n`);
        else
          write(
            `stowage: ${escapeControls(message)} [Usage]\nhint: Run \`stowage --help\` or \`stowage <command> --help\` for usage.\n`,
          );
      },
    })
    .addHelpText('after', FOOTER);
  addGlobalOptions(program);
  for (const register of [
    registerCp,
    registerLs,
    registerStat,
    registerCat,
    registerRm,
    registerMv,
    registerSync,
    registerReport,
    registerPresign,
    registerPlan,
    registerCredentials,
    registerCatalog,
  ]) {
    register(program, io);
  }
  // Subcommands inherit the output settings and the throwing behaviour; no option takes ''.
  refuseEmptyValues(program);
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub.exitOverride();
      sub.configureOutput(program.configureOutput());
      sub.showSuggestionAfterError();
      refuseEmptyValues(sub);
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}
