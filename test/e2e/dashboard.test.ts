// The dashboard in headless Chromium: loaded from Beacon with every request that does not go to Beacon blocked, it
// polls while traffic runs (hits, misses, writes that invalidate, a failing operation), and must draw every chart
// (series data present and the series' colours on the canvases), fill the operations table, show the firing alert,
// and leave a screenshot in test-output/dashboard.png.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { blockOffsite, chromiumAvailable, launchChromium } from '../helpers/browser.js';
import { postgresUp } from '../helpers/services.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A steady mix until stopped: repeated reads (hits), varied reads (misses), writes, and an operation that fails. */
async function traffic(t: TestApp, running: () => boolean): Promise<number> {
  let sent = 0;
  for (let i = 0; running(); i += 1) {
    const id = String((i % 12) + 1);
    const batch = [
      t.gql('query Datasets { datasets(first: 5) { nodes { id name category } } }'),
      t.gql('query Categories { categories { name datasetCount } }'),
      t.gql('query Dataset($id: ID!) { dataset(id: $id) { id name rowCount } }', { id }),
      t.gql('query TopUpdated { topUpdatedDatasets(limit: 5) { id name updatedAt } }'),
    ];
    if (i % 5 === 0) batch.push(t.gql('mutation Rename($id: ID!, $d: String!) { updateDataset(id: $id, input: { description: $d }) { id } }', { id, d: `edited ${i}` }));
    if (i % 2 === 0) batch.push(t.gql('query Broken { datasets { nope } }'));
    await Promise.all(batch);
    sent += batch.length;
    await sleep(25);
  }
  return sent;
}

/** How many pixels of a chart's canvas are (close to) the given colour. */
function pixelsOfColour(page: Page, chartId: string, hex: string): Promise<number> {
  return page.evaluate(
    ([id, colour]) => {
      const canvas = document.querySelector(`#${id} canvas`) as HTMLCanvasElement | null;
      if (!canvas) return -1;
      const context = canvas.getContext('2d')!;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      const [r, g, b] = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16));
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 200 && Math.abs(data[i]! - r!) < 40 && Math.abs(data[i + 1]! - g!) < 40 && Math.abs(data[i + 2]! - b!) < 40) count += 1;
      }
      return count;
    },
    [chartId, hex] as const,
  );
}

describe.runIf(chromiumAvailable())('the dashboard in a browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      // One-second buckets: a test's few seconds of traffic still make a timeline worth drawing.
      startTestApp({ database: postgresUp ? 'postgres' : 'embedded', env: { PERFORMANCE_BUCKET_SECONDS: '1' } }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('draws live charts, the operations table and the firing alerts, with nothing loaded from outside Beacon', async () => {
    const origin = new URL(t.url).origin;
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    const offsite = await blockOffsite(page, origin);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    let running = true;
    const load = traffic(t, () => running);
    try {
      await page.goto(`${origin}/dashboard?interval=500`, { waitUntil: 'load' });
      // Wait for enough polls that every chart has points: the timeline (1 s buckets) and the poll-to-poll deltas.
      await expect
        .poll(
          () =>
            page.evaluate(() => {
              const state = (window as any).beaconDashboard;
              const data = (id: string) => state.charts[id]?.data ?? [];
              const some = (series: Array<number | null> = []) => series.some((v) => v !== null && v > 0);
              return (
                state.polls >= 6 &&
                data('chart-requests')[0].length >= 3 &&
                some(data('chart-requests')[1]) &&
                some(data('chart-latency')[2]) &&
                some(data('chart-hits')[2]) &&
                some(data('chart-invalidations')[1]) &&
                some(data('chart-l1')[1]) &&
                // The alert needs ALERT_MIN_SAMPLES (20) failed requests in the window: on a loaded machine the
                // charts fill before the traffic has sent that many, so wait for the alert as well.
                Array.from(document.querySelectorAll('#alert-list li')).some((li) => li.textContent?.includes('error rate of Broken'))
              );
            }),
          { timeout: 45_000, interval: 250 },
        )
        .toBe(true);
    } finally {
      running = false;
    }
    const sent = await load;
    expect(sent).toBeGreaterThan(50);
    // One more poll after the traffic, so the tables show all of it.
    const polls = await page.evaluate(() => (window as any).beaconDashboard.polls);
    await page.waitForFunction((before) => (window as any).beaconDashboard.polls > before, polls, { timeout: 10_000 });

    // Each chart drew its series: the series' colours are on its canvas (axes and grid are grey).
    const colours: Array<[string, string]> = [
      ['chart-requests', '#2563eb'],
      ['chart-latency', '#f59e0b'],
      ['chart-hits', '#2563eb'],
      ['chart-invalidations', '#ea580c'],
      ['chart-l1', '#0891b2'],
    ];
    for (const [chart, colour] of colours) expect(await pixelsOfColour(page, chart, colour), chart).toBeGreaterThan(30);

    const rows = await page.locator('#top-operations tbody tr td:first-child').allInnerTexts();
    expect(rows).toEqual(expect.arrayContaining(['Datasets', 'Categories', 'Dataset', 'TopUpdated', 'Rename', 'Broken']));
    const alerts = await page.locator('#alert-list li').allInnerTexts();
    expect(alerts.some((text) => text.includes('error rate of Broken is 100.0%'))).toBe(true);
    expect(await page.locator('#health').innerText()).toBe('OK');
    expect(await page.locator('#kpi-hit').innerText()).toMatch(/^\d+(\.\d)?%$/);

    expect(pageErrors).toEqual([]);
    expect(offsite).toEqual([]);
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/dashboard.png', fullPage: true });
  }, 120_000);
});
