/**
 * When an adaptive download opens another connection. Measured on this project's machine (2
 * cores, loopback; docs/architecture.md has the table): one stream is fastest where the server or
 * the CPU is the bottleneck (s3rver, moto, any local server: parallel parts were slower there),
 * while a link that caps each connection (a long-haul path, a per-flow shaper) scales almost
 * linearly with connections. So a download starts with one lane and the probe adds lanes (one,
 * then doubling: 2, 4, 8, or straight to the cap after a step that scaled linearly, see
 * {@link LINEAR_SHARE}) while each step raises the measured throughput by at least
 * {@link LANE_GAIN} and each added lane by at least {@link MARGINAL_SHARE} of what an average lane
 * already moved; the first step that does not stops the probing, and its lanes are retired (each
 * stops after its current part; the others take its rest).
 */
export const LANE_GAIN = 1.15;

/**
 * A new lane must add at least this share of the average lane's throughput (so going from one lane
 * to two, or from two to four, must raise it by 50 %). On a capped link each lane adds
 * a whole lane's worth; where the server is the bottleneck a second lane adds nothing, and
 * window-to-window noise on a busy machine (measured up to ±30 % in 200 ms windows) rarely reaches
 * +50 %, so noise does not open lanes that slow the download down.
 */
export const MARGINAL_SHARE = 0.5;

/**
 * A step whose new lanes each added at least this share of an average lane scaled linearly: the
 * signature of a cap per connection, not of a shared bottleneck. Then the next step opens every
 * lane left up to the cap at once instead of doubling again, which saves a window or two of a
 * capped download's ramp.
 */
export const LINEAR_SHARE = 0.8;

/**
 * Shortest measuring window: shorter ones were too noisy on a busy 2-core machine (100 ms windows
 * measured a third lane on a capped link at +2 %).
 */
const MIN_WINDOW_MS = 300;
/** Longest measuring window (a slow first byte is mostly the server's time, not the link's ramp-up). */
const MAX_WINDOW_MS = 500;
/** A window spans this many times a new connection's time to first byte, so TCP's ramp-up is inside it. */
const WINDOWS_PER_FIRST_BYTE = 4;

/** What the probe decides at the end of a window. */
export type ProbeDecision = 'add' | 'retire' | 'hold';

/** Inputs of {@link LaneProbe}. */
export interface LaneProbeOptions {
  /** Lanes at most (the copy's `concurrency`). */
  maxLanes: number;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

/**
 * Throughput over windows, and the lane rule above. The download reports bytes as they arrive
 * ({@link bytes}), each new lane's first byte ({@link firstByte}), and asks {@link decide} when
 * {@link windowMs} has passed. Probing ends for good at the first step that did not pay.
 */
export class LaneProbe {
  private readonly now: () => number;
  private windowStart: number;
  private windowBytes = 0;
  private lanes = 1;
  /** Lanes added by the last `add` (the ones a `retire` takes back). */
  private added = 0;
  /** Throughput with `lanes - added` lanes, once measured. */
  private before: number | undefined;
  private waitingSince: number | undefined;
  private window = MIN_WINDOW_MS;
  private done = false;
  /** The first lane's first window is its warm-up (client and server JIT, caches): not a baseline. */
  private warmedUp = false;

  constructor(private readonly options: LaneProbeOptions) {
    this.now = options.now ?? (() => performance.now());
    this.windowStart = this.now();
    this.waitingSince = this.windowStart;
    if (options.maxLanes <= 1) this.done = true;
  }

  /** Whether probing is over (no more lanes will be added or retired). */
  get finished(): boolean {
    return this.done;
  }

  /** Lanes the last `add` asked for, or the last `retire` takes back. */
  get step(): number {
    return this.added;
  }

  /**
   * The download could start only `count` of the lanes the last `add` asked for (the rest found
   * no work to share); with none, probing ends.
   */
  started(count: number): void {
    this.lanes -= this.added - count;
    this.added = count;
    if (count === 0) this.done = true;
  }

  /** How long the current window lasts, in ms. */
  get windowMs(): number {
    return this.window;
  }

  /** Bytes arrived (any lane). */
  bytes(count: number): void {
    if (this.waitingSince === undefined) this.windowBytes += count;
  }

  /** The lanes just added are all receiving: the window starts now, sized by how long that took. */
  firstByte(): void {
    if (this.waitingSince === undefined) return;
    const t = this.now();
    const wait = t - this.waitingSince;
    this.window = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, wait * WINDOWS_PER_FIRST_BYTE));
    this.waitingSince = undefined;
    this.windowStart = t;
    this.windowBytes = 0;
  }

  /** Stop probing (a new lane found no work, or the download is ending). */
  stop(): void {
    this.done = true;
  }

  /**
   * At the end of a window: `add` {@link step} more lanes (the last ones paid, or this is the
   * first window), `retire` the {@link step} newest (they did not pay), or `hold`. No lane is added when
   * `bytesLeft` would take less than two windows at the current rate (a new connection would not
   * repay its start) or when `canShare` is false (no run to give it); then probing ends.
   */
  decide(bytesLeft: number, canShare: boolean): ProbeDecision {
    if (this.done || this.waitingSince !== undefined) return 'hold';
    const elapsed = this.now() - this.windowStart;
    if (elapsed < this.window) return 'hold';
    const rate = this.windowBytes / elapsed;
    if (!this.warmedUp) {
      // A baseline taken from a stream's slow start would make any second lane look like a gain.
      this.warmedUp = true;
      this.windowStart = this.now();
      this.windowBytes = 0;
      return 'hold';
    }
    const before = this.before;
    // The throughput the last step's lanes reach when each adds `share` of an average older lane.
    const withShare = (share: number) => before! * (1 + (share * this.added) / (this.lanes - this.added));
    if (before !== undefined && rate < Math.max(before * LANE_GAIN, withShare(MARGINAL_SHARE))) {
      // A lane that did not pay is not worth its connection (nor its share of the server).
      this.done = true;
      return 'retire';
    }
    const worthAnother = canShare && bytesLeft > rate * this.window * 2;
    if (!worthAnother || this.lanes >= this.options.maxLanes) {
      this.done = true;
      return 'hold';
    }
    const linear = before !== undefined && rate >= withShare(LINEAR_SHARE);
    this.before = rate;
    // The lanes double while each doubling pays (1, 2, 4, 8): a capped link reaches its width in
    // three windows instead of seven; the first step is a single lane, which is all a local
    // server ever gets. A step that scaled linearly goes straight to the cap (1, 2, 8).
    const left = this.options.maxLanes - this.lanes;
    this.added = linear ? left : Math.min(this.lanes, left);
    this.lanes += this.added;
    this.waitingSince = this.now();
    return 'add';
  }
}
