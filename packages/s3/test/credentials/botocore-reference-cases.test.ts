import { rm } from 'node:fs/promises';
import { type AwsStandInHandle, startAwsStandIn } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCredentialChain, awsCredentialErrorKind, resolveAwsRegion } from '../../src/credentials/index.js';
import {
  caseEnvironment,
  loadReferenceCases,
  materialize,
  referenceCasesDir,
} from './support/reference-cases.js';

const dir = referenceCasesDir();
const cases = loadReferenceCases(dir);
let standIn: AwsStandInHandle;
let ran = 0;

beforeAll(async () => {
  standIn = await startAwsStandIn();
});
afterAll(async () => {
  await standIn?.close();
  console.log(`ran ${ran} cases (botocore reference cases from ${dir})`);
});

describe('botocore reference cases', () => {
  it('botocore: the case folder holds cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(({ file, testCase }) => [testCase.name ?? file, testCase] as const))(
    'botocore case %s resolves as botocore did',
    async (_name, testCase) => {
      ran++;
      const { home, dir: work, concrete } = await materialize(testCase, standIn.url);
      try {
        standIn.clearLog();
        const env = caseEnvironment(concrete.env, home);
        const client = concrete.client;
        const chain = awsCredentialChain({
          ...(client
            ? {
                explicit: {
                  accessKeyId: client.aws_access_key_id,
                  secretAccessKey: client.aws_secret_access_key,
                  sessionToken: client.aws_session_token,
                },
              }
            : {}),
        });
        const context = {
          env,
          homedir: home,
          cwd: work,
          ...(concrete.profile ? { profile: concrete.profile } : {}),
        };
        const outcome = await chain.resolve(context).then(
          (credentials) => ({ credentials }),
          (error: unknown) => ({ error }),
        );
        const wanted = concrete.expect;
        if ('error' in wanted) {
          expect('error' in outcome, `expected ${wanted.error} (${wanted.kind})`).toBe(true);
          const error = (outcome as { error: unknown }).error;
          expect(awsCredentialErrorKind(error), String(error)).toBe(wanted.kind);
        } else {
          if ('error' in outcome) throw outcome.error;
          const region = resolveAwsRegion({
            env,
            homedir: home,
            ...(concrete.profile ? { profile: concrete.profile } : {}),
          });
          if ('none' in wanted) {
            expect(outcome.credentials?.source).toBeUndefined();
          } else {
            const got = outcome.credentials;
            expect({
              method: got?.source,
              accessKeyId: got?.accessKeyId,
              secretAccessKey: got?.secretAccessKey,
              sessionToken: got?.sessionToken ?? null,
            }).toEqual({
              method: wanted.method,
              accessKeyId: wanted.accessKeyId,
              secretAccessKey: wanted.secretAccessKey,
              sessionToken: wanted.sessionToken,
            });
          }
          expect(region ?? null).toBe(wanted.region);
        }
        expect(standIn.requests).toEqual(concrete.endpointRequests);
      } finally {
        await rm(home, { recursive: true, force: true });
        await rm(work, { recursive: true, force: true });
      }
    },
    20_000,
  );
});
