import type { Part } from './part-plan.js';

/**
 * One connection of an adaptive download: it streams the parts `next` to `end - 1` (indices into
 * the plan's parts) from one ranged request that covers up to `requestEnd - 1`. Another lane may
 * take the far end of its run (lowering `end`); it may take free parts right after `end` (raising
 * it, up to `requestEnd`) without a new request.
 */
export interface Lane {
  /** Lane number, from 0 (the first lane, which starts at the object's first missing byte). */
  readonly id: number;
  /** Index of the part being read (or read next). */
  next: number;
  /** Index after the lane's last part. */
  end: number;
  /** Index after the last part its open request covers. */
  requestEnd: number;
  /** Stop after the current part and give the rest back (the lane did not pay for itself). */
  retire: boolean;
}

const FREE = 0;
const OWNED = 1;
const DONE = 2;

/**
 * Who downloads which part: the parts of an object shared out among lanes as contiguous runs. A
 * new lane takes the largest free run, else the far half of the run with the most parts left, so
 * each lane reads long sequential stretches (one request each), the first lane writes from the
 * start, and lanes that finish early take over others' tails instead of idling. One concept: no
 * I/O, no timers; ranged-download.ts drives it.
 */
export class LanePlan {
  private readonly state: Uint8Array;
  private readonly lanes = new Set<Lane>();
  private nextId = 0;

  /**
   * @param parts Every part of the object, in offset order.
   * @param done Part numbers (1-based) already on disk (a resumed download).
   */
  constructor(
    readonly parts: readonly Part[],
    done: ReadonlySet<number>,
  ) {
    this.state = new Uint8Array(parts.length);
    for (const part of parts) if (done.has(part.number)) this.state[part.number - 1] = DONE;
  }

  /** Lanes still reading. */
  get active(): number {
    return this.lanes.size;
  }

  /** Whether work could be given to another lane (free parts, or a run with parts to spare). */
  hasWorkToShare(): boolean {
    return this.firstFreeRun() !== undefined || this.victim() !== undefined;
  }

  /**
   * Give a lane (new, or one whose run ended) its next run: the largest free run, else the far half
   * of the busiest lane's run. Undefined when there is nothing left to share (the lane ends).
   */
  assign(lane?: Lane): Lane | undefined {
    const run = this.largestFreeRun() ?? this.splitBusiest();
    if (!run) {
      if (lane) this.lanes.delete(lane);
      return undefined;
    }
    for (let i = run.start; i < run.end; i++) this.state[i] = OWNED;
    const next: Lane = lane ?? { id: this.nextId++, next: 0, end: 0, requestEnd: 0, retire: false };
    next.next = run.start;
    next.end = run.end;
    next.requestEnd = run.end;
    this.lanes.add(next);
    return next;
  }

  /**
   * The lane finished its current part. Returns whether it reads on from the same request: it has
   * parts left, or free parts follow within its request (taken on); false when it must stop reading
   * this request (then `assign` it again, unless it retired).
   */
  partDone(lane: Lane): boolean {
    this.state[lane.next] = DONE;
    lane.next += 1;
    if (lane.retire && this.lanes.size > 1) {
      this.release(lane);
      return false;
    }
    lane.retire = false;
    if (lane.next < lane.end) return true;
    while (lane.end < lane.requestEnd && this.state[lane.end] === FREE) {
      this.state[lane.end] = OWNED;
      lane.end += 1;
    }
    return lane.next < lane.end;
  }

  /** The lane failed or was stopped: its unfinished parts become free again. */
  release(lane: Lane): void {
    for (let i = lane.next; i < lane.end; i++) if (this.state[i] === OWNED) this.state[i] = FREE;
    lane.end = lane.next;
    this.lanes.delete(lane);
  }

  /** The `count` most recently started lanes still reading (the ones a throughput probe judges). */
  newest(count: number): Lane[] {
    return [...this.lanes].sort((a, b) => b.id - a.id).slice(0, count);
  }

  /** Whether every part is on disk. */
  complete(): boolean {
    return this.state.every((s) => s === DONE);
  }

  private firstFreeRun(): { start: number; end: number } | undefined {
    const start = this.state.indexOf(FREE);
    if (start < 0) return undefined;
    let end = start;
    while (end < this.state.length && this.state[end] === FREE) end++;
    return { start, end };
  }

  private largestFreeRun(): { start: number; end: number } | undefined {
    let best: { start: number; end: number } | undefined;
    for (let i = 0; i < this.state.length; ) {
      if (this.state[i] !== FREE) {
        i++;
        continue;
      }
      let end = i;
      while (end < this.state.length && this.state[end] === FREE) end++;
      if (!best || end - i > best.end - best.start) best = { start: i, end };
      i = end;
    }
    return best;
  }

  /** The lane with the most whole parts left after the one it is reading. */
  private victim(): Lane | undefined {
    let best: Lane | undefined;
    for (const lane of this.lanes) {
      const spare = lane.end - lane.next - 1;
      if (spare >= 1 && (!best || spare > best.end - best.next - 1)) best = lane;
    }
    return best;
  }

  /** Take the far half (rounded up) of the busiest lane's spare parts; the lane stops before them. */
  private splitBusiest(): { start: number; end: number } | undefined {
    const lane = this.victim();
    if (!lane) return undefined;
    const spare = lane.end - lane.next - 1;
    const start = lane.end - Math.ceil(spare / 2);
    const end = lane.end;
    lane.end = start;
    for (let i = start; i < end; i++) this.state[i] = FREE;
    return { start, end };
  }
}
