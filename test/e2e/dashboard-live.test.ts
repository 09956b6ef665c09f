// The dashboard's "Recent changes" panel in headless Chromium: with polling slowed to once in 10 minutes, writes made
// through the API appear in the panel, one entry per changed dataset, counted — pushed by the `changed` subscription
// over GraphQL over SSE, not fetched by a poll (the poll count stays where it was).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { blockOffsite, chromiumAvailable, launchChromium } from '../helpers/browser.js';
import { postgresUp } from '../helpers/services.js';

describe.runIf(chromiumAvailable())('the dashboard’s live panel in a browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp({ database: postgresUp ? 'postgres' : 'embedded' }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows each write as it happens, without polling', async () => {
    const origin = new URL(t.url).origin;
    const page = await browser.newPage();
    const offsite = await blockOffsite(page, origin);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/dashboard?interval=600000`, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as any).beaconDashboard.liveConnected && (window as any).beaconDashboard.polls === 1, null, { timeout: 20_000 });
    await expect.poll(() => t.app.live.subscriptions, { timeout: 10_000 }).toBe(1);

    for (const id of ['2', '3', '4']) {
      const response = await t.gql(`mutation($id: ID!) { updateDataset(id: $id, input: { description: "live panel" }) { id } }`, { id });
      expect(response.body.errors).toBeUndefined();
    }
    await page.waitForFunction(() => (window as any).beaconDashboard.changes === 3, null, { timeout: 10_000 });
    const entries = await page.$$eval('#change-list li', (items) => items.map((li) => li.textContent ?? ''));
    expect(entries).toHaveLength(3);
    expect(entries.map((text) => text.split('· ')[1])).toEqual(['Dataset 4', 'Dataset 3', 'Dataset 2']);
    expect(await page.evaluate(() => (window as any).beaconDashboard.polls)).toBe(1);
    expect(pageErrors).toEqual([]);
    expect(offsite).toEqual([]);
    await page.close();
    await expect.poll(() => t.app.live.subscriptions, { timeout: 10_000 }).toBe(0);
  });
});
