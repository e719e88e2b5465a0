import { UnsupportedOperationError } from '../errors/error-types.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';

/** The error a provider throws for an operation outside its capabilities. */
export function unsupported(
  provider: string,
  operation: string,
  uri?: StorageUri,
): UnsupportedOperationError {
  const where = uri ? ` (${displayUri(uri)})` : '';
  return new UnsupportedOperationError(`The ${provider} provider does not support ${operation}${where}`, {
    provider,
    ...(uri ? { uri: displayUri(uri) } : {}),
  });
}
