import { InvalidArgumentError, type OverwritePolicy } from '@stowage/core';
import type { Command } from 'commander';
import { badOptionValue } from './option-value-error.js';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** Parse `8MiB`, `16M`, `1.5GB`, `1048576` into bytes (k/M/G alone are binary, as in awscli). */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw badOptionValue(`"${text}" is not a size (e.g. 8MiB, 16M, 1GB, 1048576).`);
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw badOptionValue(`"${text}" is too large.`);
  return bytes;
}

/** A positive integer option (`--concurrency 8`). */
export function parsePositiveInt(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw badOptionValue(`"${text}" is not a positive integer.`);
  }
  return value;
}

const POLICIES: readonly OverwritePolicy[] = ['always', 'never', 'if-different'];

/** `--overwrite always|never|if-different`, the library's policy names. */
export function parseOverwrite(text: string): OverwritePolicy {
  if (!POLICIES.includes(text as OverwritePolicy)) {
    throw badOptionValue(`must be one of ${POLICIES.join(', ')}.`);
  }
  return text as OverwritePolicy;
}

/** Collects a repeatable option into an array (`--include a --include b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Split `left=right` (mirror pairs, bucket regions); the message names the option. */
export function splitPair(text: string, option: string, shape: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) {
    throw new InvalidArgumentError(`${option} takes ${shape} (got "${text}")`, {
      hint: `Example: ${option} ${shape}`,
    });
  }
  return [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Refuse an empty (or blank) value for every option of `command` that takes one, before the
 * option's own parser runs: `--endpoint ''` from an unset shell variable must not mean "no
 * endpoint" and silently send requests (and credentials) to AWS itself, nor `--region ''` or
 * `--profile ''` quietly mean the default. The one place option values are checked for this.
 */
export function refuseEmptyValues(command: Command): void {
  for (const option of command.options) {
    if (!option.required && !option.optional) continue;
    const parse = option.parseArg;
    option.argParser((value: string, previous: unknown) => {
      if (value.trim() === '') {
        throw badOptionValue('An empty value is not allowed; leave the option out to use its default.');
      }
      return parse ? parse(value, previous) : value;
    });
  }
}
