import { describeProviderConformance, startMotoServer } from '@stowage/testing';
import { afterAll } from 'vitest';
import { conformanceFixtures } from './support/conformance-fixture.js';
import { clearAwsEnv } from './support/s3-fixture.js';

const restoreEnv = clearAwsEnv();
const fixtures = conformanceFixtures(() => startMotoServer());
afterAll(async () => {
  await fixtures.stop();
  restoreEnv();
});

describeProviderConformance('s3 on moto', fixtures.makeProvider);
