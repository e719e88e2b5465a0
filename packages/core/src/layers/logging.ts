import { observeCalls } from './call-observer.js';
import type { Layer } from './layer.js';

/**
 * Logging layer: one line per provider call (each attempt, since it sits inside the retry layer
 * by default), e.g. `s3 stat s3://bucket/key ok 12 ms` or `http read https://host/f failed
 * Transient 30012 ms`. Lines carry display URIs and error codes only, never a secret.
 */
export function withLogging(log: (line: string) => void): Layer {
  return (inner) =>
    observeCalls(inner, (call) =>
      log(
        `${call.provider} ${call.operation} ${call.uri} ${call.failed ? `failed ${call.failed}` : 'ok'} ${call.ms} ms`,
      ),
    );
}
