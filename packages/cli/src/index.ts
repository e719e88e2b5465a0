export { type CliIo, homeOf, type OutputStream, processIo } from './cli-io.js';
export { type CommandContext, inContext } from './command-context.js';
export {
  EXIT_CODES,
  type ExitCodeRow,
  exitCodeFor,
  formatExitCodes,
  USAGE_EXIT_CODE,
} from './errors/exit-codes.js';
export { describeError, formatError, type RenderedError } from './errors/render-error.js';
export { addGlobalOptions, type GlobalOptions, wantsRouting } from './global-options.js';
export {
  cancelOnInterrupts,
  INTERRUPT_SIGNALS,
  InterruptedError,
  type InterruptSignal,
  interruptExitCode,
  type SignalTarget,
} from './interruption.js';
export { resolveLocation, treeLocation } from './locations.js';
export { formatBytes, formatEta, formatRate } from './output/byte-format.js';
export {
  createReporter,
  type EventSource,
  type OutputMode,
  outputMode,
  type Reporter,
} from './output/reporter.js';
export { escapeControls, jsonLine } from './output/terminal-text.js';
export { buildProgram, cliVersion } from './program.js';
export { run } from './run.js';
export { buildStorage, endpointOf, type RunStorage, type TuningOptions } from './storage/build-storage.js';
export { awsChainFor, catalogFor, resolveContextFor, s3CredentialsFor } from './storage/credential-setup.js';
export { buildRouter } from './storage/router-setup.js';
