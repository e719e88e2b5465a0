import * as testing from '@stowage/testing';
import type { BenchEnv } from './bench-case.js';

type Closer = () => Promise<void>;
type Starter = (
  options: Record<string, unknown>,
) => Promise<Record<string, unknown> & { close(): Promise<void> }>;

/**
 * Start the shared local servers the cases use: the S3-protocol server (s3rver, the same one the
 * tests use) with a `bench` bucket, and the HTTP server over `httpDir`.
 */
export async function startServers(
  workDir: string,
  httpDir: string,
): Promise<{ s3?: BenchEnv['s3']; http?: BenchEnv['http']; pids: number[]; close: Closer }> {
  const exported = testing as unknown as Record<string, Starter | undefined>;
  const closers: Closer[] = [];
  const pids: number[] = [];
  const out: { s3?: BenchEnv['s3']; http?: BenchEnv['http'] } = {};
  if (exported.startS3Server) {
    const s3 = await exported.startS3Server({ dir: `${workDir}/s3rver`, buckets: ['bench'] });
    closers.push(() => s3.close());
    if (typeof s3.pid === 'number') pids.push(s3.pid);
    out.s3 = {
      endpoint: String(s3.endpoint),
      accessKeyId: String(s3.accessKeyId),
      secretAccessKey: String(s3.secretAccessKey),
      region: String(s3.region ?? 'us-east-1'),
      bucket: 'bench',
    };
  }
  if (exported.startHttpServer) {
    const http = await exported.startHttpServer({ dir: httpDir });
    closers.push(() => http.close());
    out.http = { baseUrl: String(http.baseUrl), dir: httpDir };
  }
  return { ...out, pids, close: async () => void (await Promise.all(closers.map((c) => c()))) };
}
