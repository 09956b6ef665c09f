// The metrics recorded on every request, cache hits included, kept as plain numbers per label set and handed to the
// exposition only when /metrics is scraped. prom-client validates the label object and builds its hash on every
// inc() and observe(): on the fast lane that was about 7% of a cache hit's CPU (npm run bench:profile -- --scenario
// a). Here a request costs a Map lookup by a key the caller joins from the label values, and an addition.
//
// What is kept between scrapes is bounded by the label sets, which are few: operation names are capped
// (operations.ts), outcomes, routes, methods and statuses are small sets. The exposition is prom-client's own:
// counters are added into a prom-client Counter when it collects; the histogram formats its series exactly as
// prom-client's Histogram does (test/unit/observability-hot-metrics.test.ts compares the two texts).
import { Counter, type Metric, type Registry } from 'prom-client';

type Labels<L extends string> = Record<L, string>;

/** One line of the exposition, in the shape prom-client's registry formats. */
interface SampleValue {
  metricName: string;
  labels: Record<string, string | number>;
  /** The series' labels, kept apart for the text exposition (as prom-client's Histogram does). */
  sharedLabels?: Record<string, string>;
  value: number;
}

interface MetricData {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: SampleValue[];
}

interface Options<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registry: Registry;
}

/** A counter whose increments are summed per label set and added to a prom-client Counter when it is scraped. */
export class DeferredCounter<L extends string> {
  private readonly pending = new Map<string, { labels: Labels<L>; count: number }>();

  constructor(options: Options<L>) {
    const pending = this.pending;
    new Counter<L>({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames,
      registers: [options.registry],
      collect() {
        for (const entry of pending.values()) {
          if (entry.count === 0) continue;
          this.inc(entry.labels, entry.count);
          entry.count = 0;
        }
      },
    });
  }

  /** Counts one. `key` names the label set (the values joined); `labels` is kept the first time the key is seen. */
  inc(key: string, labels: Labels<L>): void {
    this.series(key, labels).count += 1;
  }

  /** The running count of one label set, for a caller that counts it often: `series.count += 1` is all it costs. */
  series(key: string, labels: Labels<L>): { count: number } {
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { labels, count: 0 };
      this.pending.set(key, entry);
    }
    return entry;
  }
}

interface Series<L extends string> {
  labels: Labels<L>;
  /** Observations per bucket, not cumulative; the last slot counts those above every bound. */
  buckets: number[];
  count: number;
  sum: number;
}

/** A histogram registered as a custom metric: prom-client's exposition, without its per-observation label work. */
export class DeferredHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  private readonly series = new Map<string, Series<L>>();

  constructor(
    options: Options<L>,
    private readonly upperBounds: readonly number[],
  ) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    options.registry.registerMetric(this as unknown as Metric);
  }

  /** Records one value. `key` names the label set, as for DeferredCounter.inc. */
  observe(key: string, labels: Labels<L>, value: number): void {
    let series = this.series.get(key);
    if (!series) {
      series = { labels, buckets: new Array<number>(this.upperBounds.length + 1).fill(0), count: 0, sum: 0 };
      this.series.set(key, series);
    }
    const bounds = this.upperBounds;
    let slot = 0;
    while (slot < bounds.length && value > bounds[slot]!) slot += 1;
    series.buckets[slot]! += 1;
    series.count += 1;
    series.sum += value;
  }

  /** For the text exposition: the series' labels apart (as sharedLabels), as prom-client's Histogram gives them. */
  getForPromString(): MetricData {
    const values: SampleValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, buckets, count, sum } of this.series.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, slot) => {
        cumulative += buckets[slot]!;
        values.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** For JSON: each value's labels with the series' labels merged in. */
  async get(): Promise<MetricData> {
    const data = this.getForPromString();
    return { ...data, values: data.values.map(({ sharedLabels, labels, ...value }) => ({ ...value, labels: { ...labels, ...sharedLabels } })) };
  }

  reset(): void {
    this.series.clear();
  }
}
