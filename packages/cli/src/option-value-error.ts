import { InvalidArgumentError } from 'commander';

/**
 * The error an option's parser throws for a value it cannot take: commander reports it as that
 * option's usage error (exit 2, the option named). Kept apart so the modules that parse values
 * need not import commander's class beside core's `InvalidArgumentError` of the same name.
 */
export function badOptionValue(message: string): InvalidArgumentError {
  return new InvalidArgumentError(message);
}
