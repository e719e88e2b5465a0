import {
  type CredentialSource,
  CredentialsNotFoundError,
  RefreshingCredentialSource,
  type ResolveContext,
} from '@stowage/core';
import type { AwsIdentityProvider } from './default-credentials.js';

/**
 * Feeds a Stowage {@link CredentialSource} to the SDK. The source's own cache (a
 * RefreshingCredentialSource) decides when to refresh, so the SDK is told not to memoize; after S3
 * answers "expired token", {@link forceRefresh} makes the next request use fresh credentials.
 */
export class CredentialBridge {
  private readonly source: RefreshingCredentialSource;
  /** The identity provider to hand to the S3 client. */
  readonly identity: AwsIdentityProvider;

  constructor(
    source: CredentialSource,
    private readonly context: ResolveContext = {},
  ) {
    this.source =
      source instanceof RefreshingCredentialSource ? source : new RefreshingCredentialSource(source);
    const identity = async () => {
      const credentials = await this.source.resolve(this.context);
      if (credentials?.kind !== 'aws') {
        throw new CredentialsNotFoundError(
          credentials
            ? `Credential source "${source.name}" returned ${credentials.kind} credentials; S3 needs AWS access keys`
            : `Credential source "${source.name}" found no AWS credentials`,
          {
            provider: 's3',
            hint: 'Configure credentials, or create the provider with anonymous: true for public data',
          },
        );
      }
      return {
        accessKeyId: credentials.accessKeyId!,
        secretAccessKey: credentials.secretAccessKey!,
        ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
        ...(credentials.expiresAt === undefined ? {} : { expiration: credentials.expiresAt }),
        ...(credentials.accountId === undefined ? {} : { accountId: credentials.accountId }),
      };
    };
    // The SDK skips its own memoization for providers marked as memoized.
    (identity as { memoized?: boolean }).memoized = true;
    this.identity = identity;
  }

  /** Drop cached credentials and fetch new ones now (after an ExpiredToken-class error). */
  async forceRefresh(): Promise<void> {
    await this.source.resolve({ ...this.context, forceRefresh: true });
  }
}
