/**
 * How many files of a tree may be in flight: the tree's `fileConcurrency` at first, halved each
 * time the process runs out of file descriptors (EMFILE), so a tree under a low `ulimit -n` slows
 * down instead of failing files. The limit never grows back within one tree: descriptors that
 * ran out once will run out again.
 */
export class FileSlots {
  private limit: number;
  private active = 0;
  private lastLowered = 0;
  private readonly waiting: Array<() => void> = [];

  /**
   * @param limit Files in flight at first.
   * @param onLowered Told the old and new limit whenever it is lowered (the tree's `warning`).
   */
  constructor(
    limit: number,
    private readonly onLowered: (from: number, to: number) => void,
  ) {
    this.limit = Math.max(1, limit);
  }

  /** The current limit. */
  get current(): number {
    return this.limit;
  }

  /** Wait for a free slot and take it. */
  async acquire(): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  /** Give a slot back. */
  release(): void {
    this.active--;
    this.wake();
  }

  /**
   * Halve the limit (not below 1). Many files hit EMFILE at once: only the first report within a
   * short window lowers it, so one burst halves it once. False when it is already 1.
   */
  lower(): boolean {
    if (this.limit <= 1) return false;
    const now = Date.now();
    if (now - this.lastLowered < 200) return true;
    this.lastLowered = now;
    const from = this.limit;
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.onLowered(from, this.limit);
    return true;
  }

  private wake(): void {
    while (this.waiting.length > 0 && this.active < this.limit) this.waiting.shift()!();
  }
}
