import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

/** An SDK credential identity provider. */
export type AwsIdentityProvider = ReturnType<typeof fromNodeProviderChain>;

/**
 * The credentials used when the provider is given none and is not anonymous. For now the SDK's
 * Node chain; the boto3-order chain of `@stowage/s3` replaces it here, in this one place.
 */
export function defaultCredentialProvider(): AwsIdentityProvider {
  return fromNodeProviderChain();
}
