import type { TransferEvent } from '@stowage/core';
import cliProgress from 'cli-progress';
import { mib, say } from './print.js';

/**
 * Render one transfer's events: a live bar (bytes, rate, ETA) on a terminal, a line per quarter
 * otherwise (CI logs stay short). Returns the event handler and a `stop` to call at the end.
 */
export function progressBar(label: string): { onEvent: (event: TransferEvent) => void; stop: () => void } {
  const tty = Boolean(process.stdout.isTTY);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: `  ${label} [{bar}] {percentage}% | {done}/{size} | {rate} MiB/s | ETA {eta_formatted}`,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let lastQuarter = -1;
  let started = false;
  const onEvent = (event: TransferEvent) => {
    if (event.type === 'started' && event.totalBytes !== undefined && !started) {
      started = true;
      bar?.start(event.totalBytes, 0, { done: mib(0), size: mib(event.totalBytes), rate: '0' });
      if (!bar) say(`${label}: ${mib(event.totalBytes)} via ${event.strategy}`);
    }
    if (event.type === 'progress' && event.totalBytes) {
      bar?.update(event.bytes, { done: mib(event.bytes), rate: (event.rate / 1024 / 1024).toFixed(0) });
      const quarter = Math.floor((4 * event.bytes) / event.totalBytes);
      if (!bar && quarter > lastQuarter) {
        lastQuarter = quarter;
        say(
          `${label}: ${Math.min(100, quarter * 25)}% (${mib(event.bytes)}, ${(event.rate / 1024 / 1024).toFixed(0)} MiB/s)`,
        );
      }
    }
  };
  return { onEvent, stop: () => bar?.stop() };
}
