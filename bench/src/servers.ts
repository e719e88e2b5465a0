import * as testing from '@stowage/testing';
import { type BenchEnv, CAPPED_BYTES_PER_SECOND } from './bench-case.js';

type Closer = () => Promise<void>;
type Starter = (
  options: Record<string, unknown>,
) => Promise<Record<string, unknown> & { close(): Promise<void> }>;

/**
 * Start the shared local servers the cases use: the S3-protocol server (s3rver, the same one the
 * tests use) with a `bench` bucket, the HTTP server over `httpDir`, and moto (`withMoto`) with a
 * `bench` bucket.
 */
export async function startServers(
  workDir: string,
  httpDir: string,
  withMoto = false,
): Promise<{
  s3?: BenchEnv['s3'];
  s3Capped?: BenchEnv['s3Capped'];
  moto?: BenchEnv['moto'];
  http?: BenchEnv['http'];
  pids: number[];
  close: Closer;
}> {
  const exported = testing as unknown as Record<string, Starter | undefined>;
  const closers: Closer[] = [];
  const pids: number[] = [];
  const out: {
    s3?: BenchEnv['s3'];
    s3Capped?: BenchEnv['s3Capped'];
    moto?: BenchEnv['moto'];
    http?: BenchEnv['http'];
  } = {};
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
    const capped = await testing.startFaultProxy({
      target: out.s3.endpoint,
      bytesPerSecondPerConnection: CAPPED_BYTES_PER_SECOND,
    });
    closers.push(() => capped.close());
    out.s3Capped = { ...out.s3, endpoint: capped.endpoint };
  }
  if (withMoto && testing.motoServerAvailable()) {
    const moto = await testing.startMotoServer();
    closers.push(() => moto.close());
    if (typeof moto.pid === 'number') pids.push(moto.pid);
    out.moto = {
      endpoint: moto.endpoint,
      accessKeyId: moto.accessKeyId,
      secretAccessKey: moto.secretAccessKey,
      region: moto.region,
      bucket: 'bench',
    };
    // moto starts empty: create the bucket (an unsigned-looking key is fine, moto checks none).
    const response = await fetch(`${moto.endpoint}/bench`, { method: 'PUT' });
    if (!response.ok && response.status !== 409) throw new Error(`moto: create bucket ${response.status}`);
  } else if (withMoto) console.log('moto_server is not installed: the moto rows are skipped');
  if (exported.startHttpServer) {
    const http = await exported.startHttpServer({ dir: httpDir });
    closers.push(() => http.close());
    out.http = { baseUrl: String(http.baseUrl), dir: httpDir };
  }
  return { ...out, pids, close: async () => void (await Promise.all(closers.map((c) => c()))) };
}
