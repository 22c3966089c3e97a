// axe-core run inside the page under test: what a screen reader, a keyboard or low vision would trip
// over that the role/label locators of the other suites do not already catch.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, ImpactValue } from 'axe-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const BLOCKING: ImpactValue[] = ['serious', 'critical'];

export type AxeFinding = { id: string; impact: ImpactValue | undefined; help: string; targets: string[] };

/** Waits until nothing on the page is loading: no spinner notice, no busy region. */
export async function settled(page: Page): Promise<void> {
  // Polled from here: waitForFunction evaluates its string with eval, which the admin's CSP refuses.
  while (await page.evaluate(`Boolean(document.querySelector('.notice-loading, [aria-busy="true"]'))`)) await new Promise((r) => setTimeout(r, 50));
}

/** The violations axe finds on the page as it is now: serious and critical ones, or all with `all`. */
export async function axeFindings(page: Page, all = false): Promise<AxeFinding[]> {
  // Evaluated rather than added as a <script>: the admin's CSP refuses inline scripts, and that is right.
  // Source strings throughout: the server's tsconfig has no DOM types.
  if (!(await page.evaluate(`'axe' in window`))) await page.evaluate(AXE_SOURCE);
  const results = (await page.evaluate(`axe.run(document, { runOnly: ${JSON.stringify(RULES)}, resultTypes: ['violations'] })`)) as AxeResults;
  return results.violations
    .filter((v) => all || (v.impact && BLOCKING.includes(v.impact)))
    .map((v) => ({ id: v.id, impact: v.impact ?? undefined, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Fails naming each serious or critical violation: rule, impact, the elements and what to do. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  // KILN_TEST_AXE_REPORT=1 also prints the moderate and minor findings, which do not fail the test.
  if (process.env.KILN_TEST_AXE_REPORT) {
    for (const f of (await axeFindings(page, true)).filter((f) => !f.impact || !BLOCKING.includes(f.impact))) console.error(`axe on ${where}: ${f.id} (${f.impact}): ${f.help}: ${f.targets.join(', ')}`);
  }
  const found = await axeFindings(page);
  const lines = found.map((f) => `  ${f.id} (${f.impact}): ${f.help}\n    ${f.targets.join('\n    ')}`);
  assert.equal(found.length, 0, `axe on ${where} (${page.url()}):\n${lines.join('\n')}`);
}

/** Fails when the page is wider than the window, so that a phone would scroll it sideways. */
export async function assertNoSideScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth, widest } = (await page.evaluate(`(() => {
    // The element sticking out furthest, named for the failure message.
    let widest = '';
    let right = window.innerWidth;
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect().right;
      if (r > right) {
        right = r;
        widest = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '') + ' (right edge ' + Math.round(r) + ')';
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, widest };
  })()`)) as { scrollWidth: number; innerWidth: number; widest: string };
  assert.ok(scrollWidth <= innerWidth, `${where} scrolls sideways: ${scrollWidth}px wide in a ${innerWidth}px window; widest: ${widest}`);
}
