import { createRequire } from 'node:module';
import type { TransferEvent } from '@stowage/core';
import type cliProgress from 'cli-progress';
import type { CliIo } from '../cli-io.js';
import { formatBytes, formatEta, formatRate } from './byte-format.js';
import type { EventSource, Reporter } from './reporter.js';
import { escapeControls } from './terminal-text.js';
import { shortName, type TrackedTransfer, type TrackedTree, TransferBook } from './transfer-book.js';

type Bar = ReturnType<cliProgress.MultiBar['create']>;

const FORMAT = ' {name} |{bar}| {pct} | {done}/{size} | {speed} | ETA {etaText}';

// cli-progress loads when the first bar is drawn, not with every command (ls, stat and
// cat on a terminal draw no bar); it is CommonJS, so a synchronous require does.
const load = createRequire(import.meta.url);

/**
 * Progress bars on a terminal (stderr), driven by the transfer events: one bar per file in flight
 * and, for trees, a total bar with file counts. Each shows percentage, bytes, rate and ETA. Lines
 * about settled files, retries, warnings and route decisions print above the bars.
 */
export class TtyReporter implements Reporter {
  readonly mode = 'tty' as const;
  private readonly book = new TransferBook();
  /** The bars, made when the first one is drawn. */
  private bars: cliProgress.MultiBar | undefined;
  private readonly fileBars = new Map<string, Bar>();
  private readonly treeBars = new Map<string, Bar>();
  private readonly subscriptions: Array<{ unsubscribe(): void }> = [];
  private stopped = false;
  /** Width of the name column, fitted to the terminal so a bar never wraps or gets cut. */
  private readonly nameWidth: number;
  private readonly barsize: number;

  constructor(private readonly io: CliIo) {
    const columns = io.stderr.columns || 80; // what cli-progress truncates lines to
    // Everything but the name and the bar takes about 54 columns (" | 100% | 11.4 MiB/11.4 MiB | …").
    const available = Math.max(columns - 55, 16);
    this.nameWidth = Math.min(32, Math.max(14, Math.floor(available / 2)));
    this.barsize = Math.min(40, Math.max(8, available - this.nameWidth));
  }

  /** The bars (made on first use: only a followed transfer draws any). */
  private get multibar(): cliProgress.MultiBar {
    if (this.bars) return this.bars;
    const progress = load('cli-progress') as typeof cliProgress;
    const { io, barsize } = this;
    this.bars = new progress.MultiBar(
      {
        stream: io.stderr,
        format: FORMAT,
        barsize,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        fps: 10,
        gracefulExit: false,
        linewrap: false,
        barCompleteChar: '█',
        barIncompleteChar: '░',
      },
      progress.Presets.shades_classic,
    );
    return this.bars;
  }

  follow(events$: EventSource): void {
    this.subscriptions.push(events$.subscribe((event) => this.onEvent(event)));
  }

  /**
   * Notes are command output, so they belong on stdout. Only when stdout is the terminal the bars
   * are drawn on do they go above the bars instead (the same screen, without tearing a bar); a
   * redirected stdout gets every note, bars or not.
   */
  note(line: string): void {
    const text = `${escapeControls(line)}\n`;
    if (this.io.stdout.isTTY && this.fileBars.size + this.treeBars.size > 0) this.multibar.log(text);
    else this.io.stdout.write(text);
  }

  /** Problems print above the bars, on the terminal they are drawn on (stderr). */
  warn(line: string): void {
    this.log(line);
  }

  record(_record: Record<string, unknown>, text?: string): void {
    if (text !== undefined) this.note(text);
  }

  finish(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    if (this.stopped) return;
    this.stopped = true;
    for (const [id, bar] of this.treeBars) this.drawTree(id, bar);
    // A last redraw prints the lines logged since the previous one (stop() would drop them).
    if (!this.bars) return;
    if (this.fileBars.size + this.treeBars.size > 0) this.bars.update();
    this.bars.stop();
  }

  private onEvent(event: TransferEvent): void {
    if (this.stopped) return;
    const t = this.book.apply(event);
    const treeId = event.type === 'tree-progress' ? event.transferId : event.parentId;
    if (treeId) this.updateTree(treeId);
    if (!t) return;
    switch (event.type) {
      case 'started':
      case 'progress':
        this.updateFile(t);
        return;
      case 'completed':
        if (!t.source) return;
        this.updateFile(t, event.durationMs);
        if (t.parentId) {
          this.log(
            event.skipped
              ? `skipped ${t.source} (${event.skipped === 'same' ? 'unchanged' : 'exists'})`
              : `copied ${t.source} -> ${t.destination} (${formatBytes(event.bytes)})`,
          );
          this.removeFile(t.id);
        }
        return;
      case 'failed':
        if (t.source) this.log(`failed ${t.source}: ${event.error.message} [${event.error.code}]`);
        this.removeFile(t.id);
        return;
      case 'retry':
        this.log(`retry ${event.operation} (attempt ${event.attempt}): ${event.reason}`);
        return;
      case 'warning':
        this.log(`warning: ${event.message}`);
        return;
      case 'routed':
        this.log(
          `routed ${event.requested} via ${event.route} ${event.uri} (${event.reasonCodes.join(', ')})`,
        );
        return;
      default:
        return;
    }
  }

  /**
   * A line above the bars. cli-progress only buffers logged lines until its next redraw, so with no
   * bar drawn (or after the last redraw) the line goes to stderr directly instead of being lost.
   */
  private log(line: string): void {
    const text = `${escapeControls(line)}\n`;
    if (this.stopped || this.fileBars.size + this.treeBars.size === 0) this.io.stderr.write(text);
    else this.multibar.log(text);
  }

  private updateFile(t: TrackedTransfer, durationMs?: number): void {
    if (!t.source) return;
    let bar = this.fileBars.get(t.id);
    const total = t.totalBytes ?? 0;
    const done = durationMs === undefined ? t.bytes : Math.max(t.bytes, total);
    const rate = durationMs === undefined ? t.rate : done / (Math.max(durationMs, 1) / 1000);
    const payload = {
      name: shortName(escapeControls(t.destination || t.source), this.nameWidth).padEnd(this.nameWidth),
      pct: total > 0 ? `${String(Math.floor((done / total) * 100)).padStart(3)}%` : ' --%',
      done: formatBytes(done),
      size: t.totalBytes === undefined ? '?' : formatBytes(total),
      speed: formatRate(rate),
      etaText: durationMs === undefined ? formatEta(t.etaSeconds) : '0s',
    };
    if (!bar) {
      bar = this.multibar.create(Math.max(total, 1), Math.min(done, Math.max(total, 1)), payload);
      this.fileBars.set(t.id, bar);
    } else {
      bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(done, Math.max(total, 1)), payload);
    }
  }

  private removeFile(id: string): void {
    const bar = this.fileBars.get(id);
    if (bar) this.multibar.remove(bar);
    this.fileBars.delete(id);
    this.book.drop(id);
  }

  private updateTree(id: string): void {
    let bar = this.treeBars.get(id);
    if (!bar) {
      bar = this.multibar.create(1, 0, this.treePayload(this.book.trees.get(id)!));
      this.treeBars.set(id, bar);
    }
    this.drawTree(id, bar);
  }

  private drawTree(id: string, bar: Bar): void {
    const tree = this.book.trees.get(id);
    if (!tree) return;
    const done = this.book.treeBytes(tree);
    const total = Math.max(tree.knownTotal, done, 1);
    bar.setTotal(total);
    bar.update(done, this.treePayload(tree));
  }

  private treePayload(tree: TrackedTree) {
    const done = this.book.treeBytes(tree);
    const elapsed = Math.max(Date.now() - tree.startedAt, 1) / 1000;
    const rate = done / elapsed;
    const settled = tree.filesDone + tree.filesSkipped + tree.filesFailed;
    const files = `total ${settled}/${tree.filesQueued}${tree.listingComplete ? '' : '+'}`;
    const total = tree.knownTotal;
    const eta = tree.listingComplete && rate > 0 ? Math.max(0, (total - done) / rate) : undefined;
    return {
      name: shortName(files, this.nameWidth).padEnd(this.nameWidth),
      pct: total > 0 ? `${String(Math.min(100, Math.floor((done / total) * 100))).padStart(3)}%` : ' --%',
      done: formatBytes(done),
      size: `${formatBytes(total)}${tree.listingComplete ? '' : '+'}`,
      speed: formatRate(rate),
      etaText: formatEta(eta),
    };
  }
}
