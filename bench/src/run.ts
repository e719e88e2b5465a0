import { execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, BenchEnv } from './bench-case.js';
import { makeFixtures } from './fixtures.js';
import { loadCases } from './load-cases.js';
import { type Row, toMarkdown } from './report.js';
import { startServers } from './servers.js';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
/** Runs per case (BENCH_REPEAT, 1–9); the median is reported. */
const REPEAT = Math.max(1, Math.min(9, Number(process.env.BENCH_REPEAT ?? '1') || 1));

/** Run one case in a fresh Node process so that its peak RSS and CPU time are its own. */
function runChild(
  id: string,
  env: BenchEnv,
  timeoutMs: number,
): Promise<{ seconds: number; cpuSeconds: number; peakRss: number; baselineRss: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, 'child.js'), id], {
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
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').at(-1)!));
      else reject(new Error(`${id} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
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
  const servers = await startServers(workDir, join(workDir, 'fixtures'));
  const env: BenchEnv = {
    workDir,
    scale,
    files,
    ...(servers.s3 ? { s3: servers.s3 } : {}),
    ...(servers.http ? { http: servers.http } : {}),
  };
  const rows: Row[] = [];
  try {
    const cases = (await loadCases()).filter((c) => filter.test(c.id));
    for (const c of cases) rows.push(await measure(c, env));
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
  await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  const table = toMarkdown(rows, meta);
  await writeFile(join(resultsDir, 'latest.md'), table);
  console.log(`\n${table}`);
}

async function measure(c: BenchCase, env: BenchEnv): Promise<Row> {
  const bytes = typeof c.bytes === 'function' ? c.bytes(env) : c.bytes;
  const base = { id: c.id, group: c.group, tool: c.tool, bytes };
  if (c.available && !(await c.available(env))) {
    console.log(`${c.id}: skipped (tool not installed)`);
    return { ...base, status: 'skipped' };
  }
  try {
    // BENCH_REPEAT runs of each case, the median (by time) reported: one run on a shared machine
    // swings by ±30 %.
    const repeat = REPEAT;
    const runs: Awaited<ReturnType<typeof runChild>>[] = [];
    for (let i = 0; i < repeat; i++) {
      await c.prepare?.(env);
      // Write back the previous case's dirty pages now, so that no case pays for another's.
      execFileSync('sync');
      runs.push(await runChild(c.id, env, 15 * 60_000));
    }
    runs.sort((a, b) => a.seconds - b.seconds);
    const m = runs[Math.floor((runs.length - 1) / 2)]!;
    const row: Row = {
      ...base,
      status: 'ok',
      seconds: m.seconds,
      mibPerSecond: bytes / MiB / m.seconds,
      cpuSeconds: m.cpuSeconds,
      peakRssMiB: m.peakRss / MiB,
      rssGrowthMiB: (m.peakRss - m.baselineRss) / MiB,
    };
    console.log(
      `${c.id}: ${row.mibPerSecond!.toFixed(0)} MiB/s, ${row.seconds!.toFixed(2)} s, peak RSS ${row.peakRssMiB!.toFixed(0)} MiB (+${row.rssGrowthMiB!.toFixed(0)})`,
    );
    return row;
  } catch (error) {
    console.log(`${c.id}: FAILED ${(error as Error).message}`);
    return { ...base, status: 'failed', error: (error as Error).message };
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
