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
  /**
   * Returns false when the tool is not installed, or a note saying why the case cannot run here
   * (e.g. a server refuses the tool's requests); the case is reported as skipped, with the note.
   */
  available?(env: BenchEnv): Promise<boolean | string>;
  /** Runs in the parent before the child: create objects to download, clean destinations. */
  prepare?(env: BenchEnv): Promise<void>;
  /**
   * Runs in the parent after each run, failed or not: remove what the run wrote (objects it
   * uploaded, files it downloaded), so that repeated 1 GiB rows do not fill the disk or moto's memory.
   */
  cleanup?(env: BenchEnv): Promise<void>;
  /** The measured work, in the child process (unless the case gives a `command`). */
  run?(env: BenchEnv): Promise<void>;
  /**
   * A whole process to measure instead of `run` in a Node child: a CLI as a user runs it, start-up
   * included. Called in the parent right before each run (so each run can get fresh paths).
   */
  command?(env: BenchEnv): Promise<BenchCommand>;
  /** The case needs moto (`env.moto`); the runner starts it when a selected case does. */
  needsMoto?: boolean;
  /** What ran, for the report (e.g. `aws-cli/2.9.19`); set by `available`. */
  version?: string;
}

/** The per-connection cap of `s3Capped`: 20 MiB/s, the example of a capped link. */
export const CAPPED_BYTES_PER_SECOND = 20 * 1024 * 1024;

/** A process a {@link BenchCase} runs whole. */
export interface BenchCommand {
  /** Executable (absolute, so that no shim on PATH is measured instead). */
  file: string;
  args: string[];
  /** The whole environment of the process (nothing is inherited). */
  env: Record<string, string>;
  cwd?: string;
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
  s3?: S3Ground;
  /**
   * The local S3-protocol server behind a proxy that caps each connection's response bodies at
   * {@link CAPPED_BYTES_PER_SECOND} (a long-haul link), when s3rver runs: same keys, same bucket.
   */
  s3Capped?: S3Ground;
  /** moto, when a selected case needs it and `moto_server` is installed. */
  moto?: S3Ground;
  /** The local HTTP server serving `httpDir`, when started. */
  http?: { baseUrl: string; dir: string };
}

/** A local S3-protocol server with a `bench` bucket. */
export interface S3Ground {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
}
