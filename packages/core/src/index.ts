import 'reflect-metadata';

export * from './errors/stowage-error.js';
export * from './errors/error-types.js';
export { redactSecrets } from './errors/redact.js';
export { throwIfAborted, toAbortedError, isAbortError } from './errors/abort.js';

export * from './uri/storage-uri.js';
export * from './uri/uri-path.js';

export * from './provider/provider.js';
export * from './provider/capabilities.js';
export { toReadable, knownLength, readAll } from './provider/body.js';
export { resolveRange } from './provider/range.js';
export { deleteEach } from './provider/delete-each.js';
export { unsupported } from './provider/unsupported.js';

export * from './integrity/digest-stream.js';
export * from './integrity/verify.js';
export * from './listing/delimit.js';
export { compareKeys } from './listing/key-order.js';
export * from './local/atomic-file.js';
export { tempPathFor, isTempName, TEMP_MARKER } from './local/temp-path.js';

export * from './credentials/credentials.js';
export * from './credentials/credential-source.js';
export * from './credentials/credential-chain.js';
export * from './credentials/refreshing-credentials.js';

export * from './layers/layer.js';
export * from './layers/retry.js';
export * from './layers/timeout.js';
export { abortableSleep } from './layers/abortable-sleep.js';

export { FsProvider, type FsProviderOptions } from './providers/fs/fs-provider.js';
export { MemoryProvider } from './providers/memory/memory-provider.js';

export * from './di/tokens.js';
export * from './storage/storage-config.js';
export { Storage } from './storage/storage.js';
export * from './storage/create-storage.js';
