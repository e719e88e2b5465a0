/** A local S3-protocol server started for tests: where it listens and the keys it accepts. */
export interface S3ServerHandle {
  /** `http://127.0.0.1:PORT` — use with `forcePathStyle: true`. */
  endpoint: string;
  /** Access key id to sign with (a fixed test value; s3rver accepts any). */
  accessKeyId: string;
  /** Secret key to sign with (a fixed test value, not a real secret). */
  secretAccessKey: string;
  /** Region to configure the client with (`us-east-1`). */
  region: string;
  /** Which server this is (`s3rver` or `moto`), for tests that branch on features. */
  kind: 's3rver' | 'moto';
  /** The server process's id, so benchmarks can read what serving cost (its CPU time). */
  pid: number | undefined;
  /** Stop the server (and remove its temp directory when it created one). */
  close(): Promise<void>;
}
