// Debian's Chromium driven by playwright-core (which never downloads a browser of its own).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { servicesRequired } from './services.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when Chromium is installed; under CI its absence is a failure, elsewhere a printed skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)`;
  if (servicesRequired) throw new Error(reason);
  console.warn(`skipping browser tests: ${reason}`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Blocks every request the page makes outside `origin` (data: and blob: URLs aside) and returns the list of what it
 * blocked, so a test can assert that a page served by Beacon needs nothing from a CDN.
 */
export async function blockOffsite(page: Page, origin: string): Promise<string[]> {
  const offsite: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  return offsite;
}
