import {
  compareKeys,
  type ListedObject,
  type StorageUri,
  UnsupportedOperationError,
  withKey,
} from '@stowage/core';
import { type HttpClient, whereOf } from './http-client.js';
import { PROVIDER_NAME } from './http-errors.js';

/** One entry of nginx's `autoindex_format json`. */
interface AutoindexEntry {
  name: string;
  type: 'file' | 'directory' | 'other';
  mtime?: string;
  size?: number;
}

/** A listing page is read whole; refuse one larger than this rather than exhaust memory. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

function parseIndex(text: string, where: string): AutoindexEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.some((e) => typeof e?.name !== 'string' || typeof e?.type !== 'string')
  ) {
    throw new UnsupportedOperationError(
      `${where} is not an autoindex JSON listing (expected nginx's autoindex_format json)`,
      { uri: where, provider: PROVIDER_NAME },
    );
  }
  return parsed as AutoindexEntry[];
}

/** The entries of one directory page, or undefined when the directory does not exist. */
async function readIndex(
  client: HttpClient,
  dir: StorageUri,
  signal: AbortSignal | undefined,
): Promise<AutoindexEntry[] | undefined> {
  const where = whereOf(dir);
  const response = await client.send(dir, {
    method: 'GET',
    operation: 'list',
    headers: { accept: 'application/json' },
    accept: [404],
    ...(signal ? { signal } : {}),
  });
  if (response.status === 404) {
    response.body.destroy();
    return undefined;
  }
  const type = response.headers['content-type'] ?? '';
  if (!/\bjson\b/i.test(type)) {
    response.body.destroy();
    throw new UnsupportedOperationError(
      `${where} answered ${type || 'without a content type'}, not an autoindex JSON listing; HTML pages cannot be listed reliably`,
      { uri: where, provider: PROVIDER_NAME },
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INDEX_BYTES) {
      response.body.destroy();
      throw new UnsupportedOperationError(`The listing of ${where} is larger than ${MAX_INDEX_BYTES} bytes`, {
        uri: where,
        provider: PROVIDER_NAME,
      });
    }
    chunks.push(chunk);
  }
  return parseIndex(Buffer.concat(chunks).toString('utf8'), where);
}

/**
 * Files under a directory of an autoindex server, in S3 key order (a directory `d` sorts as `d/`).
 * Not recursive: sub-directories holding at least one file come out as `d/` keys, which the
 * delimiter turns into prefixes (S3 has no empty directories). One page in memory per level.
 */
export async function* walkAutoindex(
  client: HttpClient,
  base: StorageUri,
  dirKey: string,
  namePrefix: string,
  recursive: boolean,
  signal?: AbortSignal,
): AsyncIterable<ListedObject> {
  const entries = await readIndex(client, withKey(base, dirKey), signal);
  if (!entries) return;
  const wanted = entries.filter(
    (e) =>
      e.name.startsWith(namePrefix) && !e.name.includes('/') && (e.type === 'file' || e.type === 'directory'),
  );
  const sortName = (e: AutoindexEntry) => (e.type === 'directory' ? `${e.name}/` : e.name);
  wanted.sort((a, b) => compareKeys(sortName(a), sortName(b)));
  for (const entry of wanted) {
    const key = `${dirKey}${entry.name}`;
    if (entry.type === 'directory') {
      if (recursive) yield* walkAutoindex(client, base, `${key}/`, '', true, signal);
      else if (await containsFile(client, base, `${key}/`, signal)) yield { key: `${key}/`, size: -1 };
      continue;
    }
    const modified = entry.mtime === undefined ? Number.NaN : Date.parse(entry.mtime);
    yield {
      key,
      size: typeof entry.size === 'number' ? entry.size : -1,
      ...(Number.isNaN(modified) ? {} : { lastModified: new Date(modified) }),
    };
  }
}

async function containsFile(
  client: HttpClient,
  base: StorageUri,
  dirKey: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  for await (const _file of walkAutoindex(client, base, dirKey, '', true, signal)) return true;
  return false;
}
