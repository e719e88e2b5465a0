/**
 * One measurement: one tool moving one payload. The runner starts the shared local servers and
 * fixtures once (in the parent), runs `prepare` there, then runs `run` in a fresh child process so
 * that peak RSS and CPU time belong to that tool alone.
 */
export interface BenchCase {
  /** Unique id, e.g. `s3-download-1GiB/aws-sdk`. */
  id: string;
  /** Cases in one group are compared with each other (ratios against the `stowage` tool). */
  group: string;
  /** `stowage`, `aws-sdk`, `got`, `awscli`, `rclone`, `curl`, … */
  tool: string;
  /** Bytes moved, for throughput (a function when it depends on the fixture sizes, which follow `scale`). */
  bytes: number | ((env: BenchEnv) => number);
  /** Returns false when the tool is not installed (the case is reported as skipped). */
  available?(env: BenchEnv): Promise<boolean>;
  /** Runs in the parent before the child: create objects to download, clean destinations. */
  prepare?(env: BenchEnv): Promise<void>;
  /** The measured work, in the child process. */
  run(env: BenchEnv): Promise<void>;
}

/** Shared fixtures and servers, passed to children as JSON. */
export interface BenchEnv {
  /** Scratch directory for this run. */
  workDir: string;
  /** Payload size scale: `BENCH_SCALE` (1 = the full sizes of the issues; CI smoke uses a small one). */
  scale: number;
  /** Local files by name: `file-256MiB`, `file-1GiB`, `tree-1000x1MiB` (a directory). Sizes follow `scale`. */
  files: Record<string, { path: string; bytes: number }>;
  /** The local S3-protocol server, when started. */
  s3?: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string; bucket: string };
  /** The local HTTP server serving `httpDir`, when started. */
  http?: { baseUrl: string; dir: string };
}
