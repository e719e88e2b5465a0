/**
 * One request the AWS stand-in served, in the shape botocore's reference cases record as
 * `endpointRequests` (optional STS fields appear only when the client sent them, as strings).
 */
export type StandInRequest =
  | {
      /** An STS call. */
      service: 'sts';
      /** `sts:AssumeRole`, signed with the source credentials. */
      action: 'AssumeRole';
      /** The `RoleArn` asked for. */
      roleArn: string;
      /** The `RoleSessionName` sent; `<default>` when the client generated one. */
      roleSessionName: string;
      /** The `ExternalId` sent, if any. */
      ExternalId?: string;
      /** The `DurationSeconds` sent, if any (as a string). */
      DurationSeconds?: string;
      /** The MFA `SerialNumber` sent, if any. */
      SerialNumber?: string;
      /** Access key id of the credentials that signed the request (from its SigV4 `Credential=`). */
      sourceAccessKeyId: string;
    }
  | {
      /** An STS call. */
      service: 'sts';
      /** `sts:AssumeRoleWithWebIdentity` (unsigned). */
      action: 'AssumeRoleWithWebIdentity';
      /** The `RoleArn` asked for. */
      roleArn: string;
      /** The `RoleSessionName` sent; `<default>` when the client generated one. */
      roleSessionName: string;
      /** The `WebIdentityToken` sent. */
      webIdentityToken: string;
    }
  | {
      /** An SSO portal `GetRoleCredentials` call. */
      service: 'sso';
      /** The `role_name` asked for. */
      role: string;
      /** The `account_id` asked for. */
      account: string;
      /** The `x-amz-sso_bearer_token` header sent. */
      bearer: string;
    }
  | {
      /** A container credentials call (ECS/EKS style, under `/container/`). */
      service: 'container';
      /** The request path, e.g. `/container/<name>`. */
      path: string;
      /** The `Authorization` header sent, or `null` when none was. */
      authorization: string | null;
    }
  | {
      /** An IMDSv2 call. */
      service: 'imds';
      /** `PUT /latest/api/token`: a session token request. */
      op: 'token';
    }
  | {
      /** An IMDSv2 call. */
      service: 'imds';
      /** A credentials fetch for a role (listing the role name is not logged). */
      op: 'credentials';
      /** The role whose credentials were fetched. */
      role: string;
    };

/**
 * Session names a client generates when none is configured: botocore's `botocore-session-<secs>`
 * and the JS SDK's `aws-sdk-js-<ms>` / `aws-sdk-js-session-<ms>`. The log records them as `<default>`.
 */
export const GENERATED_SESSION_NAME = /^(?:botocore-session-|aws-sdk-js-(?:session-)?)\d+$/;
