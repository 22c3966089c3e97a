// Debian's chromium driven by playwright-core for the admin UI suites: a fresh profile per browser,
// the flags CI needs, and a screenshot (path printed) when a step fails.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.KILN_TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Undefined when the browser suites can run; otherwise why not. Under CI=true a missing browser
 * throws instead: CI installs it (.ci/run), so its absence is a failure there.
 */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `no chromium at ${CHROMIUM} (apt-get install -y chromium, or set KILN_TEST_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`${why}, and CI=true requires the browser tests`);
  console.error(`test/admin: skipping the browser tests: ${why}`);
  return why;
}

export type Browser = { context: BrowserContext; page: Page; close: () => Promise<void> };

/** A new browser with its own empty profile, at the given viewport width; `args` adds Chromium flags. */
export async function openBrowser(width = 1280, height = 900, args: string[] = []): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'kiln-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...args],
    viewport: { width, height },
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const shots = mkdtempSync(join(tmpdir(), 'kiln-admin-shots-'));

/** Runs the steps; on failure saves a screenshot of each page given, prints where, and rethrows. */
export async function withScreenshots(name: string, pages: () => Page[], steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (e) {
    for (const [i, page] of pages().entries()) {
      const file = join(shots, `${name.replace(/[^a-z0-9]+/gi, '-')}-${i}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true });
        console.error(`test/admin: screenshot of the failure: ${file} (${page.url()})`);
      } catch (shotError) {
        console.error(`test/admin: no screenshot: ${(shotError as Error).message}`);
      }
    }
    throw e;
  }
}
