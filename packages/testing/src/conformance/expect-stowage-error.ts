import type { StowageError, StowageErrorOptions } from '@stowage/core';
import { expect } from 'vitest';

/** A StowageError subclass, as its constructor. */
export type StowageErrorClass<T extends StowageError> = new (
  message: string,
  options?: StowageErrorOptions,
) => T;

/**
 * Await `action` and assert it failed with the given typed error (or a subclass of it). Matches on
 * class names and `code` rather than `instanceof`, so an adapter built against another copy of
 * `@stowage/core` (dist vs source) is judged by what it throws, not by module identity.
 */
export async function expectStowageError<T extends StowageError>(
  action: Promise<unknown> | (() => unknown),
  type: StowageErrorClass<T>,
  what: string,
): Promise<T> {
  // A throwaway instance tells the expected name and code without a lookup table to keep in sync.
  const expected = new type('probe');
  let outcome: { failed: false; value: unknown } | { failed: true; error: unknown };
  try {
    const value = await (typeof action === 'function' ? action() : action);
    outcome = { failed: false, value };
  } catch (error) {
    outcome = { failed: true, error };
  }
  if (!outcome.failed) {
    expect.fail(`${what}: expected ${expected.name} (${expected.code}) but it succeeded`);
  }
  const error = outcome.error as Partial<StowageError> & { message?: string };
  // A subclass passes (SourceChangedError is a PreconditionFailedError): class names up the chain.
  const lineage: string[] = [];
  for (let proto = error ? Object.getPrototypeOf(error) : null; proto; proto = Object.getPrototypeOf(proto))
    lineage.push((proto as { constructor?: { name?: string } }).constructor?.name ?? '');
  expect(
    { isA: lineage.includes(expected.name), code: error?.code },
    `${what}: expected ${expected.name}, got ${String(error?.name)}: ${String(error?.message)}`,
  ).toEqual({ isA: true, code: expected.code });
  return outcome.error as T;
}
