import { isStowageError } from '../errors/stowage-error.js';
import type { Provider } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';
import { decorateProvider } from './layer.js';

/** One provider call as a layer saw it: what, where, how long, and how it ended. */
export interface CallRecord {
  /** The provider's name (`s3`, `http`, `fs`, …). */
  provider: string;
  /** The operation (`stat`, `read`, `write`, `list`, `uploadPart`, …). */
  operation: string;
  /** Display form of the URI (no secrets). */
  uri: string;
  /** Milliseconds from the call to its outcome (for `read`: to the stream; for `list`: to its end). */
  ms: number;
  /** The error's code when it failed (`Error` for an untyped one). */
  failed?: string;
}

/**
 * Wrap every call of `inner` and report each one's outcome to `record`: the one mechanism the
 * logging and metrics layers share. Entries of a listing and bytes of a body are not counted here
 * (the engine's progress does that); a listing is reported once, when it ends.
 */
export function observeCalls(inner: Provider, record: (call: CallRecord) => void): Provider {
  const timed = <T>(operation: string, uri: StorageUri, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const report = (failed?: unknown) =>
      record({
        provider: inner.name,
        operation,
        uri: displayUri(uri),
        ms: Math.round(performance.now() - started),
        ...(failed === undefined ? {} : { failed: isStowageError(failed) ? failed.code : 'Error' }),
      });
    return call().then(
      (value) => {
        report();
        return value;
      },
      (error: unknown) => {
        report(error ?? 'Error');
        throw error;
      },
    );
  };
  async function* listed(
    prefix: StorageUri,
    entries: AsyncIterable<import('../provider/provider.js').Entry>,
  ) {
    const started = performance.now();
    let failed: string | undefined;
    try {
      yield* entries;
    } catch (error) {
      failed = isStowageError(error) ? error.code : 'Error';
      throw error;
    } finally {
      record({
        provider: inner.name,
        operation: 'list',
        uri: displayUri(prefix),
        ms: Math.round(performance.now() - started),
        ...(failed === undefined ? {} : { failed }),
      });
    }
  }
  return decorateProvider(inner, {
    stat: (uri, o) => timed('stat', uri, () => inner.stat(uri, o)),
    read: (uri, o) => timed('read', uri, () => inner.read(uri, o)),
    write: (uri, body, o) => timed('write', uri, () => inner.write(uri, body, o)),
    delete: (uri, o) => timed('delete', uri, () => inner.delete(uri, o)),
    list: (prefix, o) => listed(prefix, inner.list(prefix, o)),
    ...(inner.copy ? { copy: (s, d, o) => timed('copy', s, () => inner.copy!(s, d, o)) } : {}),
    ...(inner.beginUpload
      ? { beginUpload: (uri, o) => timed('beginUpload', uri, () => inner.beginUpload!(uri, o)) }
      : {}),
    ...(inner.uploadPart
      ? { uploadPart: (h, n, body, o) => timed('uploadPart', h.uri, () => inner.uploadPart!(h, n, body, o)) }
      : {}),
    ...(inner.completeUpload
      ? {
          completeUpload: (h, parts, o) =>
            timed('completeUpload', h.uri, () => inner.completeUpload!(h, parts, o)),
        }
      : {}),
    ...(inner.abortUpload
      ? { abortUpload: (h, o) => timed('abortUpload', h.uri, () => inner.abortUpload!(h, o)) }
      : {}),
  } as Partial<Provider>);
}
