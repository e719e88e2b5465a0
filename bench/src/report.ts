/** One measured (or skipped) case. */
export interface Row {
  id: string;
  group: string;
  tool: string;
  bytes: number;
  status: 'ok' | 'skipped' | 'failed';
  seconds?: number;
  mibPerSecond?: number;
  cpuSeconds?: number;
  /** The kernel's share of cpuSeconds. */
  systemCpuSeconds?: number;
  /** CPU time of the local servers (the runner process) during the run. */
  serverCpuSeconds?: number;
  peakRssMiB?: number;
  /** Peak RSS minus the RSS after start-up: what the transfer itself cost. */
  rssGrowthMiB?: number;
  /** Every run's seconds, in the order they ran (the row reports the median). */
  runSeconds?: number[];
  error?: string;
}

/** A markdown table per group, with each tool's throughput relative to Stowage's. */
export function toMarkdown(rows: Row[], meta: Record<string, unknown>): string {
  const lines = [
    `# Benchmarks`,
    '',
    Object.entries(meta)
      .map(([k, v]) => `${k}: ${v}`)
      .join(' · '),
    '',
  ];
  const groups = [...new Set(rows.map((r) => r.group))];
  for (const group of groups) {
    const inGroup = rows.filter((r) => r.group === group);
    const stowage = inGroup.find((r) => r.tool === 'stowage' && r.status === 'ok');
    lines.push(
      `## ${group}`,
      '',
      '| tool | MiB/s | vs stowage | seconds | CPU s | server CPU s | peak RSS MiB | RSS growth MiB |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of inGroup) {
      if (r.status !== 'ok') {
        lines.push(`| ${r.tool} | ${r.status} | | | | | | |`);
        continue;
      }
      const ratio = stowage?.mibPerSecond ? (r.mibPerSecond! / stowage.mibPerSecond).toFixed(2) : '';
      lines.push(
        `| ${r.tool} | ${r.mibPerSecond!.toFixed(0)} | ${ratio} | ${r.seconds!.toFixed(2)} | ${r.cpuSeconds!.toFixed(2)} | ${r.serverCpuSeconds?.toFixed(2) ?? ''} | ${r.peakRssMiB!.toFixed(0)} | ${r.rssGrowthMiB!.toFixed(0)} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
