import { PermissionDeniedError } from '@stowage/core';
import type { RouteReason } from './reason-codes.js';

/**
 * No route is allowed: the policy forbids the S3 read (cross-region or requester pays) and the
 * object has no HTTPS mirror. Raised by the decision, before any request to the data.
 */
export class RouteRefusedError extends PermissionDeniedError {
  /** The reasons that led here, deciding one first. */
  readonly reasons: readonly RouteReason[];

  constructor(
    message: string,
    reasons: readonly RouteReason[],
    options: { uri?: string; hint?: string } = {},
  ) {
    super(message, { ...options, provider: 'router' });
    this.reasons = reasons;
  }

  /** The error's JSON form plus `reasons`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reasons: this.reasons };
  }
}
