import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { IssuedS3Credentials } from '@stowage/testing';

/** Requests the setup below makes while moto still lets unauthenticated calls through. */
export const MOTO_SETUP_ACTIONS = 7;

/**
 * Prepare moto (started with INITIAL_NO_AUTH_ACTION_COUNT = MOTO_SETUP_ACTIONS) to play the stack's
 * AWS account: a bucket, a second bucket (`<bucket>-other`) of the same account, an IAM user the
 * registry signs STS calls with, and a role whose policy allows S3 on the first bucket only. `issue()` then calls STS AssumeRole, as a Quilt registry does, and
 * returns temporary keys moto really checks (unknown key, wrong secret or bad token → refused).
 */
export async function motoCredentialIssuer(
  endpoint: string,
  bucket: string,
): Promise<{ issue: () => Promise<IssuedS3Credentials>; roleArn: string; otherBucket: string }> {
  const setupCredentials = { accessKeyId: 'setup', secretAccessKey: 'setup' };
  const otherBucket = `${bucket}-other`;
  for (const name of [bucket, otherBucket]) {
    const created = await fetch(`${endpoint}/${name}`, { method: 'PUT' });
    if (!created.ok) throw new Error(`moto CreateBucket failed: HTTP ${created.status}`);
  }
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: setupCredentials, maxAttempts: 1 });
  try {
    await iam.send(new CreateUserCommand({ UserName: 'registry' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'registry',
        PolicyName: 'assume',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
        }),
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'registry' }));
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'quilt-user',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'quilt-user',
        PolicyName: 'bucket',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:*',
              Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
            },
          ],
        }),
      }),
    );
    const roleArn = role.Role!.Arn!;
    const sts = new STSClient({
      endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: key.AccessKey!.AccessKeyId!,
        secretAccessKey: key.AccessKey!.SecretAccessKey!,
      },
    });
    let sessions = 0;
    return {
      roleArn,
      otherBucket,
      issue: async () => {
        const out = await sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: `catalog-${++sessions}`,
            DurationSeconds: 900,
          }),
        );
        const c = out.Credentials!;
        return {
          accessKeyId: c.AccessKeyId!,
          secretAccessKey: c.SecretAccessKey!,
          sessionToken: c.SessionToken!,
        };
      },
    };
  } finally {
    iam.destroy();
  }
}
