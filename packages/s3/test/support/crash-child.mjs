// A transfer in its own process, for tests that kill it (SIGKILL) half-way and rerun it. Runs the
// built packages: argv[2] is JSON { endpoint, region, accessKeyId, secretAccessKey, source,
// destination, options }.
import { Credentials, createStorage, FsProvider } from '@stowage/core';
import { S3Provider } from '@stowage/s3';

const job = JSON.parse(process.argv[2]);
const keys = Credentials.aws({ accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey }, 'test');
const storage = createStorage({
  providers: [
    new FsProvider(),
    new S3Provider({
      endpoint: job.endpoint,
      region: job.region,
      forcePathStyle: true,
      credentials: { name: 'test', resolve: async () => keys },
    }),
  ],
});
await storage.copy(job.source, job.destination, job.options);
process.stdout.write('finished\n');
