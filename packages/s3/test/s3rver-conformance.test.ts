import { describeProviderConformance, startS3Server } from '@stowage/testing';
import { afterAll } from 'vitest';
import { conformanceFixtures } from './support/conformance-fixture.js';
import { clearAwsEnv } from './support/s3-fixture.js';

const restoreEnv = clearAwsEnv();
const fixtures = conformanceFixtures(() => startS3Server());
afterAll(async () => {
  await fixtures.stop();
  restoreEnv();
});

describeProviderConformance('s3 on s3rver', fixtures.makeProvider);
