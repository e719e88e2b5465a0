/**
 * Which region each bucket lives in, as learned from S3 (redirects, `x-amz-bucket-region`). Kept
 * per provider so only the first request to a bucket in another region pays for the detour.
 */
export class RegionCache {
  private readonly regions = new Map<string, string>();

  /** The known region of `bucket`, if any. */
  get(bucket: string): string | undefined {
    return this.regions.get(bucket);
  }

  /** Record that `bucket` lives in `region`. */
  set(bucket: string, region: string): void {
    this.regions.set(bucket, region);
  }

  /** Drop what is known of `bucket`; the next request uses the provider's region again. */
  forget(bucket: string): void {
    this.regions.delete(bucket);
  }

  /** Snapshot of what is known, for diagnostics. */
  entries(): Array<[bucket: string, region: string]> {
    return [...this.regions.entries()];
  }
}
