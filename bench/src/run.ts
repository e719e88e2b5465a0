import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, BenchCommand, BenchEnv } from './bench-case.js';
import { makeFixtures } from './fixtures.js';
import { loadCases } from './load-cases.js';
import { type Row, toMarkdown } from './report.js';
import { serverCpuSeconds } from './server-cpu.js';
import { startServers } from './servers.js';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
/** Runs per case (BENCH_REPEAT, 1–9); the median is reported. */
const REPEAT = Math.max(1, Math.min(9, Number(process.env.BENCH_REPEAT ?? '1') || 1));

type Run = Awaited<ReturnType<typeof runChild>>;

/** Run one case in a fresh Node process so that its peak RSS and CPU time are its own. */
function runChild(
  id: string,
  env: BenchEnv,
  serverPids: readonly number[],
  timeoutMs: number,
): Promise<{
  seconds: number;
  cpuSeconds: number;
  /** The kernel's share of cpuSeconds (file system and socket work done for the tool). */
  systemCpuSeconds: number;
  serverCpuSeconds: number;
  peakRss: number;
  baselineRss: number;
}> {
  return new Promise((resolve, reject) => {
    const serverCpu0 = serverCpuSeconds(serverPids);
    // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the cases, not the runner.
    const extra = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, ['--expose-gc', ...extra, join(here, 'child.js'), id], {
      env: { ...process.env, STOWAGE_BENCH_ENV: JSON.stringify(env) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const served = serverCpuSeconds(serverPids) - serverCpu0;
      if (code === 0) resolve({ ...JSON.parse(out.trim().split('\n').at(-1)!), serverCpuSeconds: served });
      else reject(new Error(`${id} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** GNU time: the CPU time and peak RSS of a whole process (and of nothing else). */
const GNU_TIME = '/usr/bin/time';

/**
 * Run a case's whole process (a CLI as a user runs it): wall time from spawn to exit, measured
 * here; CPU seconds and peak RSS from GNU time when installed (else reported as 0). There is no
 * start-up to subtract: start-up is part of what such a row measures.
 */
async function runProcess(
  c: BenchCase,
  env: BenchEnv,
  serverPids: readonly number[],
  timeoutMs: number,
): Promise<Run> {
  const command: BenchCommand = await c.command!(env);
  const timing = join(env.workDir, `time-${process.pid}.txt`);
  const timed = existsSync(GNU_TIME);
  const [file, args] = timed
    ? [GNU_TIME, ['-f', '%U %S %M', '-o', timing, command.file, ...command.args]]
    : [command.file, command.args];
  const serverCpu0 = serverCpuSeconds(serverPids);
  const t0 = performance.now();
  const { code, err } = await new Promise<{ code: number | null; err: string }>((resolve, reject) => {
    const child = spawn(file, args, {
      env: command.env,
      ...(command.cwd ? { cwd: command.cwd } : {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  const served = serverCpuSeconds(serverPids) - serverCpu0;
  if (code !== 0) throw new Error(`${c.id} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
  let [user, system, maxRssKiB] = [0, 0, 0];
  if (timed) {
    [user, system, maxRssKiB] = (await readFile(timing, 'utf8'))
      .trim()
      .split('\n')
      .at(-1)!
      .split(' ')
      .map(Number) as [number, number, number];
    await rm(timing, { force: true });
  }
  return {
    seconds,
    cpuSeconds: user + system,
    systemCpuSeconds: system,
    serverCpuSeconds: served,
    peakRss: maxRssKiB * 1024,
    baselineRss: 0,
  };
}

/**
 * `pnpm bench`: fixtures and servers once, then every case (filter with BENCH_FILTER, repeat with
 * BENCH_REPEAT for a median), then the report.
 */
async function main(): Promise<void> {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  const filter = new RegExp(process.env.BENCH_FILTER ?? '.');
  const workDir = process.env.BENCH_DIR ?? join(tmpdir(), 'stowage-bench');
  await mkdir(workDir, { recursive: true });
  console.log(`fixtures in ${workDir} (scale ${scale})…`);
  const files = await makeFixtures(join(workDir, 'fixtures'), scale);
  const cases = (await loadCases()).filter((c) => filter.test(c.id));
  const servers = await startServers(
    workDir,
    join(workDir, 'fixtures'),
    cases.some((c) => c.needsMoto),
  );
  const env: BenchEnv = {
    workDir,
    scale,
    files,
    ...(servers.s3 ? { s3: servers.s3 } : {}),
    ...(servers.s3Capped ? { s3Capped: servers.s3Capped } : {}),
    ...(servers.moto ? { moto: servers.moto } : {}),
    ...(servers.http ? { http: servers.http } : {}),
  };
  const rows: Row[] = [];
  try {
    // Groups run in file order: later groups read objects that earlier ones wrote.
    for (const group of new Set(cases.map((c) => c.group)))
      rows.push(
        ...(await measureGroup(
          cases.filter((c) => c.group === group),
          env,
          servers.pids,
        )),
      );
  } finally {
    await servers.close();
  }
  const resultsDir = join(here, '..', 'results');
  await mkdir(resultsDir, { recursive: true });
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    scale,
    cpus: (await import('node:os')).cpus().length,
    repeat: REPEAT,
  };
  // BENCH_OUT names the results files (e.g. `peers`), so a focused run does not replace latest.*.
  const name = process.env.BENCH_OUT ?? 'latest';
  await writeFile(join(resultsDir, `${name}.json`), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  const table = toMarkdown(rows, meta);
  await writeFile(join(resultsDir, `${name}.md`), table);
  console.log(`\n${table}`);
}

/**
 * Measure one group: BENCH_REPEAT rounds, each running every tool of the group once, the order
 * rotated each round, so that a slow spell of the shared machine falls on all tools alike rather
 * than on whichever ran during it. The median run (by time) of each tool is reported.
 */
async function measureGroup(
  cases: BenchCase[],
  env: BenchEnv,
  serverPids: readonly number[],
): Promise<Row[]> {
  const runs = new Map<BenchCase, Run[]>();
  const failures = new Map<BenchCase, string>();
  const notes = new Map<BenchCase, string>();
  for (const c of cases) {
    const available = c.available ? await c.available(env) : true;
    if (available !== true) {
      const note = available === false ? 'tool not installed' : available;
      console.log(`${c.id}: skipped (${note})`);
      failures.set(c, 'skipped');
      notes.set(c, note);
    } else runs.set(c, []);
  }
  for (let round = 0; round < REPEAT; round++) {
    const order = [...runs.keys()].filter((c) => !failures.has(c));
    const rotated = [
      ...order.slice(round % Math.max(1, order.length)),
      ...order.slice(0, round % Math.max(1, order.length)),
    ];
    for (const c of rotated) {
      try {
        await c.prepare?.(env);
        // Write back the previous case's dirty pages now, so that no case pays for another's.
        execFileSync('sync');
        runs
          .get(c)!
          .push(
            c.command
              ? await runProcess(c, env, serverPids, 15 * 60_000)
              : await runChild(c.id, env, serverPids, 15 * 60_000),
          );
      } catch (error) {
        console.log(`${c.id}: FAILED ${(error as Error).message}`);
        failures.set(c, (error as Error).message);
      } finally {
        await c
          .cleanup?.(env)
          .catch((error: Error) => console.log(`${c.id}: cleanup failed: ${error.message}`));
      }
    }
  }
  return cases.map((c) => toRow(c, env, runs.get(c) ?? [], failures.get(c), notes.get(c)));
}

function toRow(
  c: BenchCase,
  env: BenchEnv,
  runs: Run[],
  failure: string | undefined,
  note: string | undefined,
): Row {
  const bytes = typeof c.bytes === 'function' ? c.bytes(env) : c.bytes;
  const base = {
    id: c.id,
    group: c.group,
    tool: c.tool,
    bytes,
    ...(c.command ? { process: true } : {}),
    ...(c.version ? { version: c.version } : {}),
  };
  if (failure === 'skipped') return { ...base, status: 'skipped', ...(note ? { note } : {}) };
  if (failure !== undefined || runs.length === 0)
    return { ...base, status: 'failed', error: failure ?? 'no run' };
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const m = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const row: Row = {
    ...base,
    status: 'ok',
    seconds: m.seconds,
    mibPerSecond: bytes / MiB / m.seconds,
    cpuSeconds: m.cpuSeconds,
    systemCpuSeconds: m.systemCpuSeconds,
    serverCpuSeconds: m.serverCpuSeconds,
    peakRssMiB: m.peakRss / MiB,
    ...(c.command ? {} : { rssGrowthMiB: (m.peakRss - m.baselineRss) / MiB }),
    runSeconds: runs.map((r) => Number(r.seconds.toFixed(3))),
  };
  console.log(
    `${c.id}: ${row.mibPerSecond!.toFixed(0)} MiB/s, ${row.seconds!.toFixed(2)} s (runs ${row.runSeconds!.map((t) => t.toFixed(2)).join(', ')}), CPU ${row.cpuSeconds!.toFixed(2)} s (kernel ${row.systemCpuSeconds!.toFixed(2)}), peak RSS ${row.peakRssMiB!.toFixed(0)} MiB`,
  );
  return row;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
