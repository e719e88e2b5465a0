import type { Provider } from '../provider/provider.js';

/** Wraps a provider with cross-cutting behaviour (retry, timeout, logging), OpenDAL-style. */
export type Layer = (provider: Provider) => Provider;

/** Apply layers in order: the first layer is innermost, the last one sees calls first. */
export function applyLayers(provider: Provider, layers: readonly Layer[]): Provider {
  return layers.reduce((wrapped, layer) => layer(wrapped), provider);
}

type Method = (...args: never[]) => unknown;

/**
 * A provider that forwards to `inner`, with some methods replaced. Optional methods exist on the
 * result only when `inner` has them, so capability checks (`'copy' in p`) stay truthful.
 */
export function decorateProvider(inner: Provider, overrides: Partial<Provider>): Provider {
  const out: Record<string, unknown> = {
    name: inner.name,
    schemes: inner.schemes,
    capabilities: inner.capabilities,
  };
  const keys: Array<keyof Provider> = [
    'stat',
    'read',
    'write',
    'list',
    'delete',
    'deleteMany',
    'copy',
    'presign',
    'beginUpload',
    'uploadPart',
    'completeUpload',
    'abortUpload',
    'listParts',
    'close',
  ];
  for (const key of keys) {
    const own = inner[key] as Method | undefined;
    if (own === undefined) continue;
    const override = overrides[key] as Method | undefined;
    out[key] = override ?? own.bind(inner);
  }
  return out as unknown as Provider;
}
