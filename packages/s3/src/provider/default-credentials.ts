import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { CredentialSource } from '@stowage/core';
import { awsCredentialChain } from '../credentials/aws-credential-chain.js';

/** An SDK credential identity provider. */
export type AwsIdentityProvider = ReturnType<typeof fromNodeProviderChain>;

/**
 * The credentials used when the provider is given none and is not anonymous: the boto3-order
 * chain, so `aws configure`, `AWS_PROFILE` and the environment behave exactly as in boto3.
 */
export function defaultCredentialSource(): CredentialSource {
  return awsCredentialChain();
}
