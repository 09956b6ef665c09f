// The benchmark's ratios and issue 15's targets (bench/lib): the best peer is the fastest of each round, the miss
// target compares CPU per request, and the targets read the API-key rows.
import { describe, expect, it } from 'vitest';
import { targets } from '../../bench/lib/report.js';
import { bestPeerRatios, pairedCpuRatios, type Measurement, type PairedRun, type ThroughputResult, type VariantId } from '../../bench/lib/results.js';

function run(variant: VariantId, round: number, rps: number, cpuMsPerRequest = 0.1, p99Ms = 2): Measurement {
  return { variant, round, requests: rps * 5, rps, p50Ms: 1, p99Ms, cpuMsPerRequest, errors: 0 };
}

function result(id: ThroughputResult['id'], measurements: Measurement[], paired?: PairedRun[]): ThroughputResult {
  const variants = [...new Set(measurements.map((m) => m.variant))];
  return { kind: 'throughput', id, title: id, description: '', connections: 50, variants, measurements, notes: [], ...(paired ? { paired } : {}) };
}

/** One paired round: Beacon with its cache (`beacon-key`) and without, CPU ms per request each. */
function pair(round: number, withCache: number, withoutCache: number): PairedRun {
  return {
    round,
    rows: [
      { variant: 'beacon-nocache-key', requests: 1000, cpuMsPerRequest: withoutCache },
      { variant: 'beacon-key', requests: 1000, cpuMsPerRequest: withCache },
    ],
  };
}

describe('bench ratios', () => {
  it('divides by the fastest peer of the same round, whichever it is', () => {
    const a = result('a', [
      run('usual', 0, 1000),
      run('yoga', 0, 2000),
      run('beacon-key', 0, 8000),
      run('usual', 1, 4000),
      run('yoga', 1, 1000),
      run('beacon-key', 1, 8000),
    ]);
    expect(bestPeerRatios(a, 'beacon-key')).toEqual([4, 2]);
    expect(bestPeerRatios(a, 'yoga')).toEqual([1, 0.25]);
  });

  it('has no best-peer ratio where no peer ran', () => {
    expect(bestPeerRatios(result('e', [run('beacon', 0, 100)]), 'beacon')).toEqual([]);
  });

  it('compares CPU per request of a paired round as reference over variant', () => {
    const c = result('c', [], [pair(0, 1.05, 1.0)]);
    expect(pairedCpuRatios(c, 'beacon-key', 'beacon-nocache-key')[0]).toBeCloseTo(1 / 1.05);
  });
});

describe("issue 15's targets", () => {
  it('judge the API-key rows, not anonymous Beacon', () => {
    const a = result('a', [run('bound', 0, 10_000), run('usual', 0, 2000), run('beacon', 0, 9000, 0.1, 2), run('beacon-key', 0, 7000, 0.1, 4)]);
    const b = result('b', [run('bound', 0, 10_000), run('beacon-l2only-key', 0, 6000)]);
    // Back to back the cache looks free (1.10); the paired rounds, which judge, say 0.96.
    const c = result('c', [run('beacon-key', 0, 500, 1.0), run('beacon-nocache-key', 0, 520, 1.1)], [pair(0, 1.0, 0.96)]);
    const [bound, peer, p99, l2, misses] = targets([a, b, c]);
    expect(bound).toMatchObject({ measured: '0.70 [0.70–0.70]', met: false });
    expect(peer).toMatchObject({ measured: '3.50 [3.50–3.50]', met: true });
    expect(p99).toMatchObject({ met: false });
    expect(l2).toMatchObject({ measured: '0.60 [0.60–0.60]', met: true });
    expect(misses).toMatchObject({ measured: '0.96 [0.96–0.96]', met: true });
  });

  it('judge the misses on paired rounds only: back-to-back rounds alone judge nothing', () => {
    const c = result('c', [run('beacon-key', 0, 500, 1.0), run('beacon-nocache-key', 0, 520, 1.0)]);
    expect(targets([c])[4]).toMatchObject({ measured: '–', met: undefined });
    const over = result('c', [], [pair(0, 1.0, 0.94), pair(1, 1.0, 0.93), pair(2, 1.0, 0.99)]);
    expect(targets([over])[4]).toMatchObject({ measured: '0.94 [0.93–0.99]', met: false });
  });

  it('say "not run" for a scenario that did not run', () => {
    expect(targets([]).every((target) => target.met === undefined)).toBe(true);
  });
});
