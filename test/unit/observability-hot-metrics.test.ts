// The deferred metrics (src/observability/hot-metrics.ts) against prom-client's own: fed the same observations, the
// two registries print the same exposition text, byte for byte, before and after further observations and resets.
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DeferredCounter, DeferredHistogram } from '../../src/observability/hot-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

function pair() {
  const reference = new Registry();
  const deferred = new Registry();
  const help = { counter: 'Requests by operation and outcome.', histogram: 'Latency by operation.' };
  const referenceCounter = new Counter({ name: 'x_requests_total', help: help.counter, labelNames: ['operation', 'outcome'], registers: [reference] });
  const referenceHistogram = new Histogram({ name: 'x_duration_seconds', help: help.histogram, labelNames: ['operation'], buckets: BUCKETS, registers: [reference] });
  const counter = new DeferredCounter({ name: 'x_requests_total', help: help.counter, labelNames: ['operation', 'outcome'], registry: deferred });
  const histogram = new DeferredHistogram({ name: 'x_duration_seconds', help: help.histogram, labelNames: ['operation'], registry: deferred }, BUCKETS);
  return {
    reference,
    deferred,
    record(operation: string, outcome: string, seconds: number) {
      referenceCounter.inc({ operation, outcome });
      referenceHistogram.observe({ operation }, seconds);
      counter.inc(`${outcome} ${operation}`, { operation, outcome });
      histogram.observe(operation, { operation }, seconds);
    },
  };
}

describe('deferred request metrics', () => {
  it('print exactly what prom-client prints for the same observations, across scrapes', async () => {
    const { reference, deferred, record } = pair();
    expect(await deferred.metrics()).toBe(await reference.metrics());
    // Values on bucket bounds, between them, above them all; label values that need escaping.
    const operations = ['Panel', 'Ranking', 'say "hi"\\n', '(anonymous)'];
    const values = [0, 0.001, 0.0011, 0.01, 0.05, 1, 3.5];
    for (const [k, operation] of operations.entries()) {
      for (const value of values) record(operation, k % 2 ? 'success' : 'client_error', value);
    }
    const first = await reference.metrics();
    expect(first).toContain('x_duration_seconds_bucket{le="0.001",operation="Panel"} 2');
    expect(await deferred.metrics()).toBe(first);
    // Counts handed over at a scrape are not handed over twice.
    expect(await deferred.metrics()).toBe(await reference.metrics());
    record('Panel', 'success', 0.2);
    record('Later', 'server_error', 0.0005);
    expect(await deferred.metrics()).toBe(await reference.metrics());
    // The JSON form too, but for prom-client's exemplar slots (always empty here).
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      metrics.map(({ values, ...metric }) => ({ ...metric, values: values.map((value) => ({ ...value, exemplar: undefined })) }));
    expect(withoutExemplars(await deferred.getMetricsAsJSON())).toEqual(withoutExemplars(await reference.getMetricsAsJSON()));
  });
});
