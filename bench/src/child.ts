import type { BenchEnv } from './bench-case.js';
import { loadCases } from './load-cases.js';

// The AWS SDK's "Node 22 will be required" notice is the same on every run; keep the log for real warnings.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'NodeVersionSupportWarning') console.error(`${w.name}: ${w.message}`);
});

/** Runs one case in this fresh process and prints its measurements as one JSON line. */
async function main(): Promise<void> {
  const id = process.argv[2];
  const env = JSON.parse(process.env.STOWAGE_BENCH_ENV ?? '{}') as BenchEnv;
  const found = (await loadCases()).find((c) => c.id === id);
  if (!found?.run) throw new Error(`no in-process bench case ${id}`);
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await found.run(env);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `${JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, systemCpuSeconds: cpu.system / 1e6, peakRss, baselineRss })}\n`,
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
