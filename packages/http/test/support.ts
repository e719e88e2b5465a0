import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUri, readAll, type StorageUri } from '@stowage/core';
import type { HttpTestServer } from '@stowage/testing';

/** Deterministic-size random payload. */
export function payload(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** Put a file in the server's directory and return its URI. */
export async function serve(server: HttpTestServer, key: string, data: Buffer | string): Promise<StorageUri> {
  const path = join(server.dir, key);
  await import('node:fs/promises').then((fs) => fs.mkdir(join(path, '..'), { recursive: true }));
  await writeFile(path, data);
  return parseUri(server.urlFor(key));
}

/** A fresh scratch directory. */
export function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'stowage-http-test-'));
}

/** Names in a directory (to show nothing partial was left). */
export async function namesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Read a stream fully. */
export async function drain(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  return readAll(stream);
}

/** Fast retries for tests. */
export const quickRetry = { baseDelayMs: 5, maxDelayMs: 50 } as const;
