import { startAwsStandIn } from '@stowage/testing';
import { describe, expect, it } from 'vitest';
import { AwsEnvironmentProbe } from '../../src/index.js';

// The probe against the shared instance-metadata stand-in of @stowage/testing (the same server the
// credential reference cases use): IMDSv2 token first, then placement/region.
describe('AwsEnvironmentProbe on the shared IMDS stand-in', () => {
  it('finds the region through IMDSv2', async () => {
    const standIn = await startAwsStandIn({ region: 'eu-central-1' });
    try {
      const facts = await new AwsEnvironmentProbe({
        env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: standIn.url },
      }).probe();
      expect(facts).toMatchObject({ cloud: 'aws', region: 'eu-central-1', source: 'imds' });
      expect(standIn.requests).toContainEqual({ service: 'imds', op: 'token' });
    } finally {
      await standIn.close();
    }
  });

  it('answers "unknown" within the timeout when the metadata host never answers', async () => {
    const standIn = await startAwsStandIn();
    standIn.setMode('hang');
    try {
      const started = Date.now();
      const facts = await new AwsEnvironmentProbe({
        env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: standIn.url },
      }).probe();
      expect(facts.cloud).toBe('unknown');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await standIn.close();
    }
  });
});
