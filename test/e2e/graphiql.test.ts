import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { blockOffsite, chromiumAvailable, launchChromium } from '../helpers/browser.js';

describe.runIf(chromiumAvailable())('GraphiQL in a browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp({ database: 'embedded' }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('runs a typed query and shows its result without any request leaving 127.0.0.1', async () => {
    const page = await browser.newPage();
    const origin = new URL(t.url).origin;
    // Anything not served by Beacon is blocked and recorded: GraphiQL must need nothing from a CDN.
    const offsite = await blockOffsite(page, origin);

    await page.goto(t.url, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 20_000 });
    await page.evaluate(() => {
      const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as {
        CodeMirror: { setValue(text: string): void };
      };
      editor.CodeMirror.setValue('query FromTheBrowser { dataset(id: "1") { id name } health { ok } }');
    });
    // On a loaded machine GraphiQL may still be starting when the button appears: click again until a result shows.
    const result = page.locator('.result-window');
    await expect
      .poll(
        async () => {
          const shown = await result.innerText();
          if (!shown.includes('"data"')) await page.click('.graphiql-execute-button');
          return shown;
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toContain('"ok": true');

    const text = await result.innerText();
    const expected = await t.gql('{ dataset(id: "1") { name } }');
    expect(text).toContain('"id": "1"');
    expect(text).toContain(JSON.stringify(expected.body.data.dataset.name));
    expect(offsite).toEqual([]);

    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/graphiql.png' });
  });
});
