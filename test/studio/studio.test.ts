import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, FrameLocator, Locator } from 'playwright-core';
import { docScreenshot } from '../helpers/doc-screenshot.js';
import {
  ConsolePage,
  REPO_ROOT,
  StaffApi,
  deepText,
  launchChromium,
  startConsoleStack,
  type ConsoleStack,
} from '../console/helpers.js';

/**
 * Issue 18, the flow studio in Chromium with a real broker: an editor opens the coffee machine's flows,
 * starts a draft, types a flow with a broken `next` and sees the validator's problem at steps.fill.next,
 * fixes it, plays it in the preview (the touch UI's own player and the agent's engine in an 800×480 frame)
 * with sensor values she picks, in English and German, and proposes it; as author she cannot approve it
 * (the console says so and the broker refuses), a second reviewer reads the diff and approves it.
 */
const FILE = 'water-tank-empty.json';
const WAIT = { timeout: 15_000 };
const flowOnDisk = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/coffee-machine/flows', FILE), 'utf8')) as {
  steps: Record<string, Record<string, unknown>>;
};

/** The flow file as the editor will hold it, with `edit` applied to a copy. */
function flowText(edit: (steps: Record<string, Record<string, unknown>>) => void): string {
  const flow = structuredClone(flowOnDisk);
  edit(flow.steps);
  return `${JSON.stringify(flow, null, 2)}\n`;
}

let stack: ConsoleStack;
let browser: Browser;
const pw: Record<string, string> = {};

async function expectText(locator: Locator, text: string | RegExp): Promise<void> {
  if (typeof text === 'string') await expect.poll(() => deepText(locator), WAIT).toContain(text);
  else await expect.poll(() => deepText(locator), WAIT).toMatch(text);
}

/** Replaces the editor's whole text as a paste would. */
async function replaceText(page: ConsolePage, text: string): Promise<void> {
  await page.page.locator('tpc-json-editor .cm-content').click();
  await page.page.keyboard.press('Control+A');
  await page.page.keyboard.insertText(text);
}

beforeAll(async () => {
  stack = await startConsoleStack();
  browser = await launchChromium();
  pw.erika = await stack.addStaff('erika', 'agent', 'Erika Editor');
  pw.paul = await stack.addStaff('paul', 'agent', 'Paul Reviewer');
  const admin = new StaffApi(stack.baseUrl);
  await admin.login(stack.admin.name, stack.admin.password);
  const staff = (await admin.get('/api/staff')).body as { items: { id: string; name: string }[] };
  const id = (name: string) => staff.items.find((m) => m.name === name)!.id;
  // Erika may review too: what stops her approving her own version is the four-eyes rule, not a missing role.
  expect((await admin.post(`/api/staff/${id('erika')}/content-roles`, { roles: ['editor', 'reviewer'] })).status).toBe(
    200,
  );
  expect((await admin.post(`/api/staff/${id('paul')}/content-roles`, { roles: ['reviewer'] })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('flow studio', () => {
  it('edits, validates, previews and proposes a flow; a second person approves it', async () => {
    const erika = await ConsolePage.open(browser, stack.baseUrl);
    await erika.login('erika', pw.erika!);
    await erika.page.goto(`${stack.baseUrl}/#/studio/coffee-machine`);
    const studio = erika.page.locator('tpc-studio-panel');
    // The first open starts the history with the models dir's content, live.
    await expectText(studio.locator('tpc-version-history tr[data-version="1"]'), /live/);

    await studio.locator(`button[data-file="${FILE}"]`).click();
    await studio.locator('#new-draft').click();
    await expectText(studio.locator('[role=status]').first(), 'Draft v2 created');
    await expect.poll(() => erika.page.url(), WAIT).toMatch(/#\/studio\/coffee-machine\/[^/]+$/);
    const versionId = erika.page.url().split('/').pop()!;

    // A broken `next`: the problem is listed with its path and marked in the editor.
    await replaceText(
      erika,
      flowText((s) => (s['fill']!['next'] = 'check_tnk')),
    );
    const problems = studio.locator('#problems');
    await expectText(problems.locator('li[data-path="steps.fill.next"]'), /no step "check_tnk"[\s\S]*UNKNOWN_STEP/);
    await expect.poll(() => studio.locator('.cm-lintRange-error').count(), WAIT).toBeGreaterThan(0);
    expect(await studio.locator('#propose').isDisabled()).toBe(true);
    await expectText(studio, 'The preview starts when this flow file has no problems.');

    // Fixed, with a clearer first step.
    const fixed = flowText((s) => {
      s['fill']!['text'] = {
        de: 'Füllen Sie den Tank bis MAX mit frischem Wasser und setzen Sie ihn fest ein.',
        en: 'Fill the tank with fresh water up to MAX and push it firmly back in.',
      };
    });
    await replaceText(erika, fixed);
    await expectText(problems, 'No problems');

    // The preview: the touch UI's player at 800×480; a full tank resolves, an empty one asks again.
    const frame: FrameLocator = studio.frameLocator('tpc-flow-preview iframe');
    const box = await studio.locator('tpc-flow-preview iframe').boundingBox();
    expect(box && [Math.round(box.width), Math.round(box.height)]).toEqual([820, 500]); // 800×480 inside a 10px bezel
    await expectText(frame.locator('tp-flow-player .text'), 'Fill the tank with fresh water up to MAX');
    const level = studio.locator('tpc-flow-preview input[data-sensor="water_tank_level"]');
    await level.fill('50');
    await level.press('Tab');
    await frame.locator('tp-flow-player #next').click();
    await expectText(frame.locator('tp-flow-player'), 'The water tank is detected');
    await expectText(studio.locator('tpc-flow-preview'), 'On screen: step resolved');
    await studio.locator('tpc-flow-preview #preview-locale').selectOption('de');
    await expectText(frame.locator('tp-flow-player'), 'Der Wassertank ist erkannt');
    await level.fill('0');
    await level.press('Tab');
    await studio.locator('tpc-flow-preview #preview-restart').click();
    await expectText(frame.locator('tp-flow-player .text'), 'Füllen Sie den Tank bis MAX');
    await frame.locator('tp-flow-player #next').click();
    await expectText(frame.locator('tp-flow-player'), 'Tank wird nicht erkannt');
    await docScreenshot(studio, 'studio-editor-preview.png');

    await studio.locator('#summary').fill('Clearer text on filling the tank');
    await studio.locator('#propose').click();
    await expectText(studio.locator('[role=status]').first(), 'v2 is proposed');
    await expectText(studio.locator('tpc-version-history tr[data-version="2"]'), 'proposed');
    // Four eyes: the author holds the reviewer role but gets no approve button, and the broker refuses her.
    await expectText(studio.locator('#own-version'), 'another reviewer approves or rejects it');
    expect(await studio.locator('#approve').count()).toBe(0);
    const erikaApi = new StaffApi(stack.baseUrl);
    await erikaApi.login('erika', pw.erika!);
    const own = await erikaApi.post(`/api/content/versions/${versionId}/approve`, {});
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({ error: { code: 'FORBIDDEN_ROLE' } });

    // The second person reads the diff per step and approves.
    const paul = await ConsolePage.open(browser, stack.baseUrl);
    await paul.login('paul', pw.paul!);
    await paul.page.goto(`${stack.baseUrl}/#/studio/coffee-machine/${versionId}`);
    const review = paul.page.locator('tpc-studio-panel');
    const diff = review.locator('tpc-content-diff');
    await expectText(diff.locator(`section[data-file="${FILE}"]`), 'Step fill');
    await expectText(diff, 'Fill the tank with fresh water up to MAX');
    await expectText(diff, 'Lift the water tank out on the right-hand side');
    expect(await review.locator('#save').count()).toBe(0); // not his draft: read-only
    await review.locator('#review-note').fill('Shorter and clearer');
    await docScreenshot(review, 'studio-review.png');
    await review.locator('#approve').click();
    await expectText(review.locator('tpc-version-history tr[data-version="2"]'), /approved[\s\S]*Paul Reviewer/);

    const audit = (await erikaApi.get('/api/audit?limit=50')).body as {
      items: { actor: string; action: string; outcome: string; target?: string }[];
    };
    const steps = audit.items
      .filter((e) => e.action.startsWith('content.') && e.target === versionId)
      .map((e) => `${e.action}:${e.outcome}`)
      .reverse();
    expect(steps).toEqual([
      'content.draft:ok',
      'content.edit:ok',
      'content.propose:ok',
      'content.approve:refused',
      'content.approve:ok',
    ]);
    expect([...erika.cspViolations, ...paul.cspViolations]).toEqual([]);
    expect([...erika.pageErrors, ...paul.pageErrors]).toEqual([]);
  }, 180_000);
});
