/**
 * One request the AWS stand-in served, in the shape botocore's reference cases record as
 * `endpointRequests` (optional STS fields appear only when the client sent them, as strings).
 */
export type StandInRequest =
  | {
      service: 'sts';
      action: 'AssumeRole';
      roleArn: string;
      roleSessionName: string;
      ExternalId?: string;
      DurationSeconds?: string;
      SerialNumber?: string;
      sourceAccessKeyId: string;
    }
  | {
      service: 'sts';
      action: 'AssumeRoleWithWebIdentity';
      roleArn: string;
      roleSessionName: string;
      webIdentityToken: string;
    }
  | { service: 'sso'; role: string; account: string; bearer: string }
  | { service: 'container'; path: string; authorization: string | null }
  | { service: 'imds'; op: 'token' }
  | { service: 'imds'; op: 'credentials'; role: string };

/**
 * Session names a client generates when none is configured: botocore's `botocore-session-<secs>`
 * and the JS SDK's `aws-sdk-js-<ms>` / `aws-sdk-js-session-<ms>`. The log records them as `<default>`.
 */
export const GENERATED_SESSION_NAME = /^(?:botocore-session-|aws-sdk-js-(?:session-)?)\d+$/;
