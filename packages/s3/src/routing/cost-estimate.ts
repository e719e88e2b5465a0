import type { CostEstimate, S3Egress } from './route-decision.js';
import type { CostRates } from './route-policy.js';

const GIB = 1024 ** 3;

/** The price per GiB that applies to `egress`, or undefined when the policy sets none. */
export function priceFor(egress: S3Egress, rates: number | CostRates | undefined): number | undefined {
  if (rates === undefined) return undefined;
  if (typeof rates === 'number') return rates;
  return { 'same-region': rates.sameRegion, 'cross-region': rates.crossRegion, internet: rates.internet }[
    egress
  ];
}

/**
 * Estimate what a metered S3 read costs. Only metered reads get an estimate: same-region reads
 * without requester pays cost the user nothing. Prices come from the policy, never from code,
 * because AWS prices change and differ by region and tier.
 */
export function estimateCost(
  read: { egress: S3Egress; requesterPays: boolean; metered: boolean; size?: number },
  rates: number | CostRates | undefined,
): CostEstimate | undefined {
  if (!read.metered) return undefined;
  const usdPerGiB = priceFor(read.egress, rates);
  if (usdPerGiB === undefined) return undefined;
  const estimate: CostEstimate = {
    usdPerGiB,
    basis: read.egress,
    chargedTo: read.requesterPays ? 'requester' : 'bucket-owner',
  };
  if (read.size !== undefined) {
    estimate.bytes = read.size;
    estimate.usd = (read.size / GIB) * usdPerGiB;
  }
  return estimate;
}
