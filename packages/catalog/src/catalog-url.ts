import { InvalidArgumentError } from '@stowage/core';

/**
 * Check and normalise a catalog or registry URL: it must be absolute `http(s)://host[:port][/path]`;
 * the trailing `/` is dropped (quilt3 does the same, and config.json URLs never end in `/`). Query,
 * fragment and user info are refused: none belongs in a base URL, and user info would be a secret.
 */
export function normalizeBaseUrl(input: string, what = 'catalog URL'): string {
  const trimmed = input.trim();
  const hint = `Give the full URL with its scheme, e.g. https://catalog.example.com`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new InvalidArgumentError(`The ${what} "${trimmed}" has no scheme (http:// or https://)`, {
      uri: trimmed,
      hint,
    });
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidArgumentError(`The ${what} "${trimmed}" is not a valid URL`, { uri: trimmed, hint });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`The ${what} "${trimmed}" must use http:// or https://`, {
      uri: trimmed,
      hint,
    });
  }
  if (!url.hostname) {
    throw new InvalidArgumentError(`The ${what} "${trimmed}" has no host`, { uri: trimmed, hint });
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InvalidArgumentError(
      `The ${what} "${url.origin}" must not carry user info, a query or a fragment`,
      { uri: url.origin, hint },
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
