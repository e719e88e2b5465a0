import type { StorageUri } from '../uri/storage-uri.js';
import type { DeleteOptions, DeleteOutcome, Provider } from './provider.js';

/** `deleteMany` for backends without a batch call: one delete per key, failures reported per key. */
export async function* deleteEach(
  provider: Pick<Provider, 'delete'>,
  uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
  options: DeleteOptions = {},
): AsyncIterable<DeleteOutcome> {
  for await (const uri of uris) {
    try {
      await provider.delete(uri, options);
      yield { uri };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      yield { uri, error: error as Error };
    }
  }
}
