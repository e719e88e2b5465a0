import type { Limits } from '@stowage/core';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * S3's size limits, the provider's `capabilities.limits`: parts of 5 MiB (the last excepted) to
 * 5 GiB, at most 10,000 of them, single PUTs (and CopyObject) up to 5 GiB, objects up to 5 TiB.
 * The engine sizes every upload to S3 from this table; no other module knows these numbers.
 */
export const S3_LIMITS: Readonly<Limits> = Object.freeze({
  minPartSize: 5 * MiB,
  maxPartSize: 5 * GiB,
  maxParts: 10_000,
  maxSingleWrite: 5 * GiB,
  maxObjectSize: 5 * 1024 * GiB,
});
