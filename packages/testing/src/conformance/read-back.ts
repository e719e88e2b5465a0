import { createHash } from 'node:crypto';
import { type Entry, type ListOptions, NotFoundError, type ReadOptions, readAll } from '@stowage/core';
import { expect } from 'vitest';
import type { Fixture } from './conformance-harness.js';
import { expectStowageError } from './expect-stowage-error.js';

/** The bytes of `key` (under the base), read through the provider's stream. */
export async function readBytes(fixture: Fixture, key: string, options?: ReadOptions): Promise<Buffer> {
  return readAll(await fixture.provider.read(fixture.at(key), options));
}

/** The entries under `prefix` (relative to the base), every page. */
export async function listEntries(
  fixture: Fixture,
  prefix: string,
  options: ListOptions = {},
): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const entry of fixture.provider.list(fixture.at(prefix), options)) entries.push(entry);
  return entries;
}

/** The listing under `prefix` as `"object:key"` / `"prefix:key/"` lines with keys relative to the base. */
export async function listLines(
  fixture: Fixture,
  prefix: string,
  options: ListOptions = {},
): Promise<string[]> {
  return (await listEntries(fixture, prefix, options)).map((e) => `${e.type}:${fixture.relative(e.key)}`);
}

/**
 * Assert the base holds exactly these objects (relative keys, any order). Catches leftovers a
 * failed write may leave (temp files, partial parts) when the provider can list; otherwise checks each key.
 */
export async function expectObjects(fixture: Fixture, keys: string[], what: string): Promise<void> {
  if (fixture.provider.capabilities.list) {
    const found = (await listEntries(fixture, '', { recursive: true })).map((e) => fixture.relative(e.key));
    expect(found.sort(), `${what}: objects under the base`).toEqual([...keys].sort());
  }
  for (const key of keys) await fixture.provider.stat(fixture.at(key));
}

/** Assert `key` does not exist: stat fails with NotFoundError and (when listable) nothing stray is left. */
export async function expectNoObject(
  fixture: Fixture,
  key: string,
  what: string,
  others: string[] = [],
): Promise<void> {
  await expectStowageError(fixture.provider.stat(fixture.at(key)), NotFoundError, `${what}: stat afterwards`);
  await expectObjects(fixture, others, what);
}

/** SHA-256 as base64, the form `Checksums.sha256` uses. */
export function sha256Base64(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}
