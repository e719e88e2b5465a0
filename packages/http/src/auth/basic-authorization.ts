import { registerSecret } from '@stowage/core';

/**
 * The `Authorization` value of HTTP basic credentials. The base64 of `user:password` is as secret as
 * the password and does not look like it, so both are registered with the scrubber here, where every
 * basic header is built.
 */
export function basicAuthorizationValue(username: string, password: string): string {
  const encoded = Buffer.from(`${username}:${password}`).toString('base64');
  registerSecret(password);
  registerSecret(encoded);
  return `Basic ${encoded}`;
}
