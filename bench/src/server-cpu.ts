import { readFileSync } from 'node:fs';

/**
 * CPU seconds used so far by this process (where the HTTP server runs) and by the server child
 * processes (s3rver). On a 2-core machine the servers compete with the tool being measured, so a
 * tool that needs less CPU leaves more to the server; the report shows both sides.
 */
export function serverCpuSeconds(pids: readonly number[]): number {
  const own = process.cpuUsage();
  let seconds = (own.user + own.system) / 1e6;
  for (const pid of pids) seconds += childCpuSeconds(pid);
  return seconds;
}

/** utime + stime of a process from /proc (Linux); 0 where /proc is missing. */
function childCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return 0;
  }
}
