// The chaos harness's judge (test/helpers/chaos.ts): a read that started after a write's ack must show that write
// or a later one. It must flag exactly the reads that break this, or the chaos figures mean nothing.
import { describe, expect, it } from 'vitest';
import { Ledger, percentile, Phases, summarize, type Sample } from '../helpers/chaos.js';

function sample(start: number, end: number, value: unknown, key = 'Dataset:1.description'): Sample {
  return {
    kind: 'background',
    name: 'read',
    instance: 1,
    start,
    end,
    status: 200,
    ok: true,
    cache: 'HIT-L1',
    values: new Map([[key, JSON.stringify(value)]]),
  };
}

describe('the chaos judge', () => {
  // Writes of "a" (sent 0, acked 10), "b" (sent 20, acked 30), "c" (sent 40, acked 50).
  const ledger = new Ledger();
  ledger.record('Dataset:1.description', 0, 10, 'a');
  ledger.record('Dataset:1.description', 20, 30, 'b');
  ledger.record('Dataset:1.description', 40, 50, 'c');

  it('flags a read that started after an ack and shows an older value, with the missed ack', () => {
    const stale = sample(31, 32, 'a');
    ledger.judge([stale]);
    expect(stale.stale).toEqual(['Dataset:1.description']);
    expect(stale.missedAck).toBe(30);
  });

  it('accepts the acked value, and a later write in flight before the read ended', () => {
    const acked = sample(31, 32, 'b');
    const inFlight = sample(35, 45, 'c');
    ledger.judge([acked, inFlight]);
    expect(acked.stale).toEqual([]);
    expect(inFlight.stale).toEqual([]);
    expect(acked.judged && inFlight.judged).toBe(true);
  });

  it('does not accept a value of a write sent after the read ended (it cannot have been seen)', () => {
    const impossible = sample(31, 35, 'c');
    ledger.judge([impossible]);
    expect(impossible.stale).toEqual(['Dataset:1.description']);
  });

  it('accepts either value for a read that started while the write was in flight (not yet acked)', () => {
    const before = sample(25, 28, 'a');
    const after = sample(25, 28, 'b');
    ledger.judge([before, after]);
    expect(before.stale).toEqual([]);
    expect(after.stale).toEqual([]);
  });

  it('does not judge reads before the first recorded write, failed reads, or facets it has no writes of', () => {
    const early = sample(5, 6, 'zzz');
    const failed = { ...sample(60, 61, 'a'), ok: false };
    const unknown = sample(60, 61, 'a', 'Other:1');
    ledger.judge([early, failed, unknown]);
    for (const s of [early, failed, unknown]) {
      expect(s.stale).toEqual([]);
      expect(s.judged).toBe(false);
    }
  });

  it('summarizes per phase by start time: counts, stale reads, percentiles', () => {
    const phases = new Phases();
    phases.mark('before', 0);
    phases.mark('during', 30);
    const reads = [sample(1, 11, 'a'), sample(31, 33, 'a'), sample(32, 34, 'b')];
    ledger.judge(reads);
    const [before, during] = summarize(reads, phases);
    expect(before).toMatchObject({ phase: 'before', requests: 1, stale: 0, p50: 10 });
    expect(during).toMatchObject({ phase: 'during', requests: 2, stale: 1, failed: 0 });
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([1, 2, 3, 4, 100], 0.99)).toBe(100);
  });
});
