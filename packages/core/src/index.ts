export * from './credentials/credential-chain.js';
export * from './credentials/credential-source.js';
export * from './credentials/credentials.js';
export * from './credentials/refreshing-credentials.js';
export * from './di/tokens.js';
export { awaitUnlessAborted, isAbortError, throwIfAborted, toAbortedError } from './errors/abort.js';
export * from './errors/error-types.js';
export { DEFAULT_REDACTED_LENGTH, type RedactOptions, redactSecrets } from './errors/redact.js';
export { isSecretName } from './errors/secret-names.js';
export { MIN_SECRET_LENGTH, registerSecret } from './errors/secret-registry.js';
export * from './errors/stowage-error.js';
export * from './integrity/digest-set.js';
export * from './integrity/digest-stream.js';
export * from './integrity/verify.js';
export { abortableSleep } from './layers/abortable-sleep.js';
export type { CallRecord } from './layers/call-observer.js';
export * from './layers/layer.js';
export { withLogging } from './layers/logging.js';
export * from './layers/metrics.js';
export * from './layers/retry.js';
export * from './layers/timeout.js';
export * from './listing/delimit.js';
export { compareKeys } from './listing/key-order.js';
export * from './local/atomic-file.js';
export { type FsErrorContext, isTooManyOpenFiles, toFsError } from './local/fs-error.js';
export { openPartial } from './local/partial-file.js';
export {
  isTempName,
  parseTempName,
  resumePathFor,
  TEMP_MARKER,
  type TempName,
  tempPathFor,
} from './local/temp-path.js';
export { abandonable } from './provider/abandonable.js';
export { knownLength, readAll, toReadable } from './provider/body.js';
export * from './provider/call-options.js';
export * from './provider/capabilities.js';
export { defineProvider, type ProviderSpec } from './provider/define-provider.js';
export { deleteEach } from './provider/delete-each.js';
export * from './provider/provider.js';
export { checkRange, isRangeIgnored, markRangeIgnored, resolveRange } from './provider/range.js';
export * from './provider/read-pin.js';
export { textLines } from './provider/text-lines.js';
export { unsupported } from './provider/unsupported.js';
export { FsProvider, type FsProviderOptions } from './providers/fs/fs-provider.js';
export { MemoryProvider } from './providers/memory/memory-provider.js';
export * from './storage/create-storage.js';
export { defaultLayers } from './storage/default-layers.js';
export * from './storage/read-router.js';
export { Storage } from './storage/storage.js';
export * from './storage/storage-config.js';
export { BufferPool } from './transfer/buffer-pool.js';
export * from './transfer/copy-options.js';
export { isDirectoryMarker } from './transfer/copy-tree.js';
export * from './transfer/manifest.js';
export { defaultStateDir, uploadStatePath } from './transfer/multipart-upload.js';
export { looksSame } from './transfer/overwrite-policy.js';
export * from './transfer/part-size.js';
export { ProgressMeter, type ProgressMeterOptions, type ProgressReport } from './transfer/progress-meter.js';
export { partialPaths } from './transfer/ranged-download.js';
export * from './transfer/shard.js';
export * from './transfer/shard-summary.js';
export { type SplitBody, splitBody } from './transfer/stream-parts.js';
export * from './transfer/sync-tree.js';
export { Transfer, type TransferContext } from './transfer/transfer.js';
export * from './transfer/transfer-events.js';
export * from './transfer/tree-diff.js';
export * from './transfer/tree-filter.js';
export { runPool } from './transfer/worker-pool.js';
export { type MultipartCalls, type WriteInPartsInput, writeInParts } from './transfer/write-in-parts.js';
export * from './uri/storage-uri.js';
export * from './uri/uri-path.js';
