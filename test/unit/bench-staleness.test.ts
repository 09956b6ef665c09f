// The truth check of the mixed-workload benchmark (bench/lib/staleness.ts, bench/lib/mixed-workload.ts): a benchmark
// that reports "0 stale reads" is only worth something if its detector sees a stale read when there is one.
import { describe, expect, it } from 'vitest';
import {
  completedRunsEntity,
  datasetEntity,
  datasetName,
  nameVersion,
  shownByDashboard,
  shownByModels,
  zipf,
  seededRandom,
} from '../../bench/lib/mixed-workload.js';
import { RecentWritesCheck, StalenessTracker } from '../../bench/lib/staleness.js';

const dashboard = (datasets: Array<[string, string]>) => ({
  topUpdatedDatasets: datasets.slice(0, 1).map(([id, name]) => ({ id, name })),
  datasets: { nodes: datasets.map(([id, name]) => ({ id, name })) },
});

describe('the stale-read detector of the mixed workload', () => {
  it('counts a read sent after a rename was acknowledged that shows the old name as stale', () => {
    const tracker = new StalenessTracker();
    tracker.acknowledge(datasetEntity(7), 42, 100);
    const verdict = tracker.judge(101, shownByDashboard(dashboard([['7', 'Health Permits Lagos'], ['21', 'Dataset 21 w3']])));
    expect(verdict).toMatchObject({ followedWrite: true, stale: true, example: { entity: 'Dataset:7', shown: 0, required: 42 } });
  });

  it('accepts the written name, or a later one', () => {
    const tracker = new StalenessTracker();
    tracker.acknowledge(datasetEntity(7), 42, 100);
    expect(tracker.judge(101, shownByDashboard(dashboard([['7', datasetName(7, 42)]])))).toEqual({ followedWrite: true, stale: false });
    expect(tracker.judge(101, shownByDashboard(dashboard([['7', datasetName(7, 57)]]))).stale).toBe(false);
  });

  it('does not judge a read sent before the acknowledgement (it may or may not see the write)', () => {
    const tracker = new StalenessTracker();
    tracker.acknowledge(datasetEntity(7), 42, 100);
    expect(tracker.judge(100, shownByDashboard(dashboard([['7', 'old']])))).toEqual({ followedWrite: false, stale: false });
  });

  it('requires the newest write acknowledged before the read, not the newest of all', () => {
    const tracker = new StalenessTracker();
    tracker.acknowledge(datasetEntity(7), 10, 100);
    tracker.acknowledge(datasetEntity(7), 20, 200);
    expect(tracker.judge(150, shownByDashboard(dashboard([['7', datasetName(7, 10)]]))).stale).toBe(false);
    expect(tracker.judge(250, shownByDashboard(dashboard([['7', datasetName(7, 10)]]))).stale).toBe(true);
  });

  it('counts a model page without a run whose completion was acknowledged as stale', () => {
    const tracker = new StalenessTracker();
    tracker.acknowledge(completedRunsEntity(7), 5003, 100);
    const page = (ids: number[]) => ({ modelRuns: { nodes: ids.map((id) => ({ id: String(id) })) } });
    expect(tracker.judge(101, shownByModels(7, page([4507, 4007]))).stale).toBe(true);
    expect(tracker.judge(101, shownByModels(7, page([5003, 4507]))).stale).toBe(false);
    // Another dataset's page shows nothing that was written.
    expect(tracker.judge(101, shownByModels(8, page([4508])))).toEqual({ followedWrite: false, stale: false });
  });

  it('reads the version a renamed dataset carries, 0 for a name no write gave', () => {
    expect(nameVersion(datasetName(12, 345))).toBe(345);
    expect(nameVersion('Finance Budgets Oslo')).toBe(0);
  });

  it('draws Zipf ranks in range, the first the most frequent', () => {
    const draw = zipf(500, 1);
    const random = seededRandom(1);
    const counts = new Map<number, number>();
    for (let k = 0; k < 20_000; k++) {
      const rank = draw(random);
      expect(rank).toBeGreaterThanOrEqual(1);
      expect(rank).toBeLessThanOrEqual(500);
      counts.set(rank, (counts.get(rank) ?? 0) + 1);
    }
    expect(counts.get(1)!).toBeGreaterThan(counts.get(2)!);
    expect(counts.get(2)!).toBeGreaterThan(counts.get(50) ?? 0);
  });

  it('counts a last-updated list that leaves out the dataset renamed last as stale, unless enough renames since could', () => {
    const check = new RecentWritesCheck(2);
    check.sent('Dataset:7', 100)(110);
    // Sent at 120, after the rename of 7 was acknowledged: 7 must be listed, nothing else was written.
    expect(check.judge(120, 130, ['Dataset:3', 'Dataset:4'])).toMatchObject({ followedWrite: true, stale: true });
    expect(check.judge(120, 130, ['Dataset:7', 'Dataset:3'])).toEqual({ followedWrite: true, stale: false });
    // Two renames of other datasets that may have started after 7's (acknowledged after it was sent, or not yet) may
    // push it out of a list of two.
    check.sent('Dataset:8', 95)(125);
    check.sent('Dataset:9', 105);
    expect(check.judge(120, 140, ['Dataset:9', 'Dataset:8']).stale).toBe(false);
    // A rename acknowledged before 7's was sent cannot, nor can one sent after the read's answer arrived.
    const early = new RecentWritesCheck(2);
    early.sent('Dataset:5', 10)(20);
    early.sent('Dataset:7', 100)(110);
    early.sent('Dataset:9', 200)(210);
    expect(early.judge(120, 130, ['Dataset:5', 'Dataset:4']).stale).toBe(true);
  });
});
