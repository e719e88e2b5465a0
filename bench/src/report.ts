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
  /** Measured as a whole process (start-up included; no RSS growth over a start-up). */
  process?: boolean;
  /** What ran (e.g. `aws-cli/2.9.19`). */
  version?: string;
  /** Why a skipped row did not run. */
  note?: string;
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
    if (inGroup.some((r) => r.process)) {
      lines.push(...processTable(group, inGroup, stowage));
      continue;
    }
    lines.push(
      ...tableHead(group, [
        'tool',
        'MiB/s',
        'vs stowage',
        'seconds',
        'CPU s',
        'server CPU s',
        'peak RSS MiB',
        'RSS growth MiB',
      ]),
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

/**
 * A group of whole-process rows: seconds and the ratio Stowage ÷ tool of the seconds (below 1:
 * Stowage took less time), what ran, and why a row was skipped.
 */
function processTable(group: string, rows: Row[], stowage: Row | undefined): string[] {
  const lines = tableHead(group, [
    'tool',
    'version',
    'seconds',
    'Stowage ÷ tool (time)',
    'MiB/s',
    'CPU s',
    'server CPU s',
    'peak RSS MiB',
  ]);
  for (const r of rows) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.tool} | ${r.version ?? ''} | ${r.status}${r.note ? `: ${r.note}` : ''} | | | | | |`);
      continue;
    }
    const ratio = stowage?.seconds ? (stowage.seconds / r.seconds!).toFixed(2) : '';
    const rate = r.bytes > 0 ? r.mibPerSecond!.toFixed(0) : '';
    lines.push(
      `| ${r.tool} | ${r.version ?? ''} | ${r.seconds!.toFixed(2)} | ${ratio} | ${rate} | ${r.cpuSeconds!.toFixed(2)} | ${r.serverCpuSeconds?.toFixed(2) ?? ''} | ${r.peakRssMiB!.toFixed(0)} |`,
    );
  }
  lines.push('');
  return lines;
}

/** A group's heading and table head: the first two columns (tool, and its version when named) left, the figures right. */
function tableHead(group: string, columns: string[]): string[] {
  const align = columns.map((c, i) => (i === 0 || c === 'version' ? '---' : '---:'));
  return [`## ${group}`, '', `| ${columns.join(' | ')} |`, `|${align.join('|')}|`];
}
