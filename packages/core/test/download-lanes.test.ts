import { describe, expect, it } from 'vitest';
import { LanePlan } from '../src/transfer/lane-plan.js';
import { LANE_GAIN, LaneProbe, LINEAR_SHARE } from '../src/transfer/lane-probe.js';
import { planParts } from '../src/transfer/part-plan.js';

// The two pure halves of the adaptive download: who reads which parts (LanePlan) and when another
// connection is opened (LaneProbe, on a fake clock). The wire behaviour is tested on s3rver
// (packages/s3/test/adaptive-download.test.ts).

describe('LanePlan', () => {
  const parts = planParts(10, 1); // ten 1-byte parts: indices 0..9

  it('the first lane takes every missing part in one run; the next takes the far half of its spare parts', () => {
    const plan = new LanePlan(parts, new Set());
    const first = plan.assign()!;
    expect(first).toMatchObject({ id: 0, next: 0, end: 10, requestEnd: 10 });
    const second = plan.assign()!;
    // Parts 1..9 are spare (0 is being read): the far ceil(9/2) = 5 go to the new lane.
    expect(second).toMatchObject({ id: 1, next: 5, end: 10, requestEnd: 10 });
    expect(first.end).toBe(5);
    expect(plan.active).toBe(2);
  });

  it('a lane whose run ends steals the busiest tail; with nothing to share it ends', () => {
    const plan = new LanePlan(parts, new Set());
    const a = plan.assign()!;
    const b = plan.assign()!; // a: 0..4, b: 5..9
    for (let i = 0; i < 4; i++) expect(plan.partDone(a)).toBe(true);
    expect(plan.partDone(a)).toBe(false); // part 4 done; part 5 is b's: a's request is over
    const again = plan.assign(a)!;
    expect(again).toMatchObject({ id: 0, next: 8, end: 10 }); // b reads 5, spare 6..9: a takes 8, 9
    expect(b.end).toBe(8);
    expect(plan.partDone(b)).toBe(true);
    expect(plan.partDone(b)).toBe(true);
    expect(plan.partDone(b)).toBe(false); // 5, 6, 7 done
    expect(plan.assign(b)).toMatchObject({ next: 9, end: 10 }); // a reads 8, spare 9: b takes it
    expect(plan.partDone(a)).toBe(false); // 8 done
    expect(plan.assign(a)).toBeUndefined();
    expect(plan.partDone(b)).toBe(false);
    expect(plan.assign(b)).toBeUndefined();
    expect(plan.complete()).toBe(true);
    expect(plan.active).toBe(0);
  });

  it('a retired lane finishes its part and gives the rest back, which the remaining lane takes', () => {
    const plan = new LanePlan(parts, new Set());
    const a = plan.assign()!;
    const b = plan.assign()!; // a: 0..4 (request to 9), b: 5..9
    b.retire = true;
    expect(plan.partDone(b)).toBe(false); // finishes part 5, releases 6..9
    expect(plan.active).toBe(1);
    for (let i = 0; i < 4; i++) plan.partDone(a);
    expect(plan.partDone(a)).toBe(false); // part 4 done; 5 is done already: a new request is needed
    expect(plan.assign(a)).toMatchObject({ next: 6, end: 10 });
  });

  it('a retired lane whose parts follow its neighbour is continued by that neighbour', () => {
    const plan = new LanePlan(parts, new Set());
    const a = plan.assign()!;
    const b = plan.assign()!; // a: 0..4 (request to 9), b: 5..9
    b.retire = true;
    plan.release(b); // as a retire at its first boundary before reading anything
    for (let i = 0; i < 4; i++) plan.partDone(a);
    expect(plan.partDone(a)).toBe(true); // part 4 done; 5..9 free and inside a's request: taken on
    expect(a).toMatchObject({ next: 5, end: 10 });
  });

  it('the only lane never retires', () => {
    const plan = new LanePlan(parts, new Set());
    const a = plan.assign()!;
    a.retire = true;
    expect(plan.partDone(a)).toBe(true);
    expect(a.retire).toBe(false);
  });

  it('a resumed download assigns the largest missing run first', () => {
    const plan = new LanePlan(parts, new Set([1, 2, 6, 7, 8])); // parts 0,1 done (numbers 1,2); 5,6,7 done
    expect(plan.assign()).toMatchObject({ next: 2, end: 5 });
    expect(plan.assign()).toMatchObject({ next: 8, end: 10 });
  });
});

describe('LaneProbe', () => {
  function clocked(maxLanes: number) {
    let t = 0;
    const probe = new LaneProbe({ maxLanes, now: () => t });
    const advance = (ms: number) => (t += ms);
    // The first lane's first window is its warm-up: measured, never a baseline.
    probe.firstByte();
    probe.bytes(1);
    advance(probe.windowMs);
    expect(probe.decide(1e12, true)).toBe('hold');
    expect(probe.finished).toBe(false);
    return { probe, advance };
  }
  /** One window at `rate` bytes/ms, the new lane's first byte after 5 ms. */
  function windowAt(p: ReturnType<typeof clocked>, rate: number) {
    p.advance(5);
    p.probe.firstByte();
    const ms = p.probe.windowMs;
    p.probe.bytes(rate * ms);
    p.advance(ms);
    return p.probe.decide(1e12, true);
  }

  it('adds one lane, then doubles them while each step pays, up to the cap', () => {
    const p = clocked(8);
    expect(windowAt(p, 100)).toBe('add');
    expect(p.probe.step).toBe(1); // 2 lanes
    expect(windowAt(p, 170)).toBe('add'); // +70 %: pays, but not linear
    expect(p.probe.step).toBe(2); // 4 lanes
    expect(windowAt(p, 300)).toBe('add');
    expect(p.probe.step).toBe(4); // 8 lanes: the cap
    expect(windowAt(p, 500)).toBe('hold');
    expect(p.probe.finished).toBe(true);
  });

  it('after a step that scaled linearly (a cap per connection), opens every lane up to the cap at once', () => {
    const p = clocked(8);
    expect(windowAt(p, 100)).toBe('add');
    expect(windowAt(p, 100 * (1 + LINEAR_SHARE))).toBe('add');
    expect(p.probe.step).toBe(6); // 2 lanes to 8
    expect(windowAt(p, 700)).toBe('hold');
    expect(p.probe.finished).toBe(true);
    // The jump must pay as any step does: six lanes on two bring +150 % (three lanes' worth).
    const q = clocked(8);
    expect(windowAt(q, 100)).toBe('add');
    expect(windowAt(q, 200)).toBe('add');
    expect(windowAt(q, 400)).toBe('retire');
    expect(q.probe.step).toBe(6);
  });

  it('stops at the first step that does not pay, and retires its lanes', () => {
    const flat = clocked(8);
    expect(windowAt(flat, 100)).toBe('add');
    expect(windowAt(flat, 170)).toBe('add');
    expect(windowAt(flat, 170 * (LANE_GAIN + 0.2))).toBe('retire'); // four lanes must bring +50 %
    expect(flat.probe.step).toBe(2);
    expect(flat.probe.finished).toBe(true);
    // The second lane must add half of what the first moves: +30 % is noise or a shared bottleneck.
    const modest = clocked(8);
    expect(windowAt(modest, 100)).toBe('add');
    expect(windowAt(modest, 130)).toBe('retire');
    expect(modest.probe.step).toBe(1);
  });

  it('counts only the lanes that could start', () => {
    const p = clocked(8);
    expect(windowAt(p, 100)).toBe('add');
    expect(windowAt(p, 200)).toBe('add');
    p.probe.started(1); // one of the two found work: three lanes
    expect(windowAt(p, 260)).toBe('add'); // +30 % for one lane on two: enough (needs +25 %)
    p.probe.started(0);
    expect(p.probe.finished).toBe(true);
  });

  it('waits for the new lane to start before measuring, and sizes the window by its first byte', () => {
    const p = clocked(4);
    expect(windowAt(p, 100)).toBe('add');
    p.advance(1000);
    expect(p.probe.decide(1e12, true)).toBe('hold'); // the new lane has no first byte yet
    p.advance(50);
    p.probe.firstByte(); // 1050 ms to first byte: window capped at 500 ms
    expect(p.probe.windowMs).toBe(500);
    p.probe.bytes(200 * 500);
    p.advance(499);
    expect(p.probe.decide(1e12, true)).toBe('hold');
    p.advance(1);
    expect(p.probe.decide(1e12, true)).toBe('add');
  });

  it('adds no lane when the bytes left would not repay it, or nothing can be shared', () => {
    const p = clocked(4);
    p.probe.bytes(100 * p.probe.windowMs);
    p.advance(p.probe.windowMs);
    expect(p.probe.decide(100 * p.probe.windowMs, true)).toBe('hold');
    expect(p.probe.finished).toBe(true);
    const q = clocked(4);
    q.advance(q.probe.windowMs);
    expect(q.probe.decide(1e12, false)).toBe('hold');
    expect(q.probe.finished).toBe(true);
    expect(new LaneProbe({ maxLanes: 1 }).finished).toBe(true);
  });
});
