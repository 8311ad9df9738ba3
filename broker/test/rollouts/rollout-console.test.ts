import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '@touchpoint/console/assets';
import { DEFAULT_MODELS_DIR, loadModel } from '@touchpoint/models';
import { generateSignerKey } from '@touchpoint/protocol/signing';
import { contentFromModel, type ContentVersion } from '../../src/content/index.js';
import { SignedContentDocuments } from '../../src/rollouts/content-documents.js';
import { eventually, startTestBroker, type TestBroker } from '../helpers.js';
import { ScriptedDevice } from './scripted-device.js';

/**
 * The console's Rollouts view in Chromium (issue 18): an admin watches a rollout converge per group, pauses
 * and resumes it, and sees it stop by itself with the KPI that was worse and the cohort rolled back. A doc
 * screenshot with TP_SCREENSHOTS=1 (docs/images/rollouts-console.png).
 */
let tb: TestBroker;
let browser: Browser;
let page: Page;
let consoleDir: string;
let v2: ContentVersion;
const devices: ScriptedDevice[] = [];
const contentKey = generateSignerKey('maker-content-1');
const TIMEOUT = { timeout: 15_000 };

async function deepText(locator: Locator): Promise<string> {
  return locator.first().evaluate((root) => {
    const parts: string[] = [];
    const walk = (node: Node) => {
      if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
      const shadow = (node as Element).shadowRoot;
      if (shadow) walk(shadow);
      for (const child of Array.from(node.childNodes)) walk(child);
    };
    walk(root);
    return parts.join(' ').replace(/\s+/g, ' ');
  });
}

beforeAll(async () => {
  consoleDir = mkdtempSync(join(tmpdir(), 'tp-rollout-console-'));
  await buildConsole({ outDir: consoleDir, quiet: true });
  tb = await startTestBroker({ consoleDir, contentKey });
  const fleet = tb.broker.fleet;
  const body = contentFromModel(loadModel(join(DEFAULT_MODELS_DIR, 'coffee-machine'), { simulator: false }));
  const v1 = await fleet.content.importBaseline('coffee-machine', body, { id: 'models-dir' });
  const descale = body.flows['descale.json'] as { title: Record<string, string> };
  const draft = await fleet.content.createDraft({
    model: 'coffee-machine',
    parentId: v1.id,
    body: {
      ...body,
      flows: { ...body.flows, 'descale.json': { ...descale, title: { ...descale.title, en: 'Descale now' } } },
    },
    summary: 'descale, reworded',
    author: { id: 'editor-1' },
  });
  await fleet.content.propose(draft.id, { id: 'editor-1' });
  v2 = await fleet.content.approve(draft.id, { id: 'reviewer-1' });
  // What the broker serves at /content/: the devices install exactly those bytes.
  const docs = new SignedContentDocuments(contentKey, `http://127.0.0.1:${tb.broker.httpPort}`);
  const served = new Map([v1, v2].map((v) => [docs.url(v.id), docs.document(v).bytes]));
  for (const id of ['rc-1', 'rc-2', 'rc-3', 'rc-4']) {
    const d = new ScriptedDevice({
      deviceId: id,
      token: (await fleet.provisionDevice(id, 'coffee-machine')).token,
      url: tb.url,
      firmware: '2.4',
      commandKeys: [fleet.signer],
      contentKeys: [{ keyId: contentKey.keyId, publicKeyPem: contentKey.publicKeyPem }],
      documents: served,
    });
    d.contentVersion = docs.document(v1).sha256;
    await d.online();
    devices.push(d);
  }
  await eventually(
    async () => (await Promise.all(devices.map((d) => fleet.devices.get(d.id)))).every((d) => d?.online),
    5_000,
    'the fleet online',
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(devices.map((d) => d.offline()));
  await tb?.cleanup();
  rmSync(consoleDir, { recursive: true, force: true });
});

describe('the Rollouts view in Chromium (issue 18)', () => {
  it('shows convergence per group, pauses and resumes, and shows the rollout stop by itself with the worse KPI', async () => {
    const fleet = tb.broker.fleet;
    const { staff, password } = await fleet.staff.add('ro-web', 'admin', 'Rhea Rollout', { mustChangePassword: false });
    const created = await fleet.rollouts.create(
      { versionId: v2.id, cohort: { percent: 50, tags: [], firmware: [] }, waves: 1, thresholds: { minSessions: 2 } },
      staff,
    );
    const arms = await fleet.store.all(
      fleet.store.q.selectFrom('rollout_devices').select(['device_id', 'arm']).where('rollout_id', '=', created.id),
    );
    const cohort = devices.filter((d) => arms.some((a) => a.device_id === d.id && a.arm === 'candidate'));
    const control = devices.filter((d) => !cohort.includes(d));

    await page.goto(`http://127.0.0.1:${tb.broker.httpPort}/#/rollouts`);
    await page.locator('tpc-login-panel input[name=name]').fill('ro-web');
    await page.locator('tpc-login-panel input[name=password]').fill(password);
    await page.locator('tpc-login-panel button[type=submit]').click();
    const view = page.locator('tpc-rollouts-panel');
    const card = view.locator(`section[data-rollout="${created.id}"]`);
    await card.waitFor(TIMEOUT);
    await expect.poll(() => deepText(card.locator('tr[data-group="wave 1"]')), TIMEOUT).toContain('2 of 2');
    // Judged (the broker's timer does this every minute): not enough sessions yet.
    expect((await fleet.rollouts.evaluate()).get(created.id)?.verdict).toBe('continue');
    // The view reads every 5 s; a reload shows the judgement at once.
    await page.reload();
    await expect.poll(() => deepText(card), TIMEOUT).toContain('Waiting for 2 finished help sessions');

    await card.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => deepText(card.locator('tpc-badge[data-status]')), TIMEOUT).toContain('paused');
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => deepText(card.locator('tpc-badge[data-status]')), TIMEOUT).toContain('running');
    expect((await fleet.audit.list({ action: 'rollout.pause' })).map((a) => a.actor)).toEqual([staff.id]);

    // The new version's sessions escalate; the control's resolve: the next judgement stops the rollout.
    for (const d of cohort) for (let i = 0; i < 2; i++) await d.session('escalated', { ces: 2 });
    for (const d of control) for (let i = 0; i < 2; i++) await d.session('resolved', { ces: 6 });
    await eventually(
      async () => (await fleet.rollouts.evaluate()).get(created.id)?.verdict === 'abort',
      10_000,
      'the rollout to stop by itself',
    );
    await page.reload();
    await expect
      .poll(() => deepText(card.locator('tpc-badge[data-status]')), TIMEOUT)
      .toContain('stopped and rolled back');
    await expect.poll(() => deepText(card.locator('tr[data-kpi="escalationRate"]')), TIMEOUT).toContain('worse');
    await expect.poll(() => deepText(card.locator('tr[data-group="wave 1"]')), TIMEOUT).toContain('2 of 2');
    expect(await card.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    await docScreenshot(view);
  });
});

async function docScreenshot(target: Locator): Promise<void> {
  if (process.env['TP_SCREENSHOTS'] !== '1') return;
  await target.screenshot({ path: join(DEFAULT_DOC_IMAGES, 'rollouts-console.png') });
}

const DEFAULT_DOC_IMAGES = new URL('../../../docs/images/', import.meta.url).pathname;
