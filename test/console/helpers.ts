/**
 * Reusable pieces for console browser tests: a broker serving a freshly
 * built console, a simulated device speaking real MQTT, a staff API client
 * and page objects for each console view. The cross-page test with the real
 * device UI builds on these.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { buildConsole } from '@touchpoint/console/assets';
import {
  CSRF_HEADER,
  commandEnvelope,
  deviceTopic,
  header,
  type CaseOpenMessage,
  type DiagnosticsMessage,
  type HelpTraceEntry,
} from '@touchpoint/protocol';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Builds the console into a temp dir (so tests never race a developer's console/dist). */
export async function buildConsoleInto(dir: string): Promise<void> {
  await buildConsole({ outDir: dir, quiet: true });
}

export interface ConsoleStack {
  broker: RunningBroker;
  baseUrl: string;
  mqttUrl: string;
  /** The admin's own password (the printed one-time password was changed at the first login). */
  admin: { name: string; password: string };
  dataDir: string;
  /** Creates a staff member through the API as the admin and signs in once to replace the one-time password; returns the password that works. */
  addStaff(name: string, role: 'viewer' | 'agent' | 'admin', displayName?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-console-e2e-'));
  const consoleDir = join(dataDir, 'console');
  mkdirSync(consoleDir);
  await buildConsoleInto(consoleDir);
  const broker = await startBroker({
    dataDir,
    host: '127.0.0.1',
    mqttPort: 0,
    httpPort: 0,
    consoleDir,
    log: 'silent',
    expirySweepMs: 250,
  });
  const baseUrl = `http://127.0.0.1:${broker.httpPort}`;
  const adminApi = new StaffApi(baseUrl);
  const admin = {
    name: broker.initialAdmin!.name,
    password: await adminApi.loginReady(broker.initialAdmin!.name, broker.initialAdmin!.password),
  };
  return {
    broker,
    baseUrl,
    mqttUrl: `mqtt://127.0.0.1:${broker.mqttPort}`,
    admin,
    dataDir,
    async addStaff(name, role, displayName = name) {
      const res = await adminApi.post('/api/staff', { name, displayName, role });
      if (res.status !== 201) throw new Error(`could not create ${name}: ${JSON.stringify(res.body)}`);
      return new StaffApi(baseUrl).loginReady(name, (res.body as { password: string }).password);
    },
    async close() {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The console API from Node, with a cookie jar and the CSRF header. */
export class StaffApi {
  /** The session cookie, also for a live stream a test opens itself (test/cluster/api.test.ts). */
  cookie = '';
  private csrf = '';
  constructor(private readonly base: string) {}

  async login(name: string, password: string): Promise<void> {
    const res = await fetch(`${this.base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    if (!res.ok) throw new Error(`login failed: ${res.status}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    this.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  /**
   * Logs in as a member does the first time: a generated password must be replaced before the API does
   * anything else, so it is changed to `next`. Returns the password that works from now on.
   */
  async loginReady(name: string, password: string, next = `${password}-own`): Promise<string> {
    const res = await fetch(`${this.base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    if (!res.ok) throw new Error(`login failed: ${res.status}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const session = (await res.json()) as { csrfToken: string; mustChangePassword: boolean };
    this.csrf = session.csrfToken;
    if (!session.mustChangePassword) return password;
    const changed = await fetch(`${this.base}/api/me/password`, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/json', [CSRF_HEADER]: this.csrf },
      body: JSON.stringify({ currentPassword: password, newPassword: next }),
    });
    if (!changed.ok) throw new Error(`password change failed: ${changed.status}`);
    this.cookie = (changed.headers.get('set-cookie') ?? '').split(';')[0]!;
    this.csrf = ((await changed.json()) as { csrfToken: string }).csrfToken;
    return next;
  }

  async get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(this.base + path, { headers: { cookie: this.cookie } });
    return { status: res.status, body: await res.json() };
  }

  async post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/json', [CSRF_HEADER]: this.csrf },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }
}

export type CommandAnswer = 'succeeded' | 'failed' | 'reject' | 'ignore';

/**
 * A device on real MQTT, until the device-agent drives the browser tests:
 * presence, diagnostics, help-session events, escalations, and answers to
 * commands (accepted, then the chosen outcome).
 */
export class SimulatedDevice {
  readonly commands: { id: string; action: string; params: Record<string, unknown> }[] = [];
  answer: CommandAnswer = 'succeeded';
  private client: MqttClient | undefined;
  private readonly connectionId = `conn-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    readonly deviceId: string,
    private readonly token: string,
    private readonly mqttUrl: string,
  ) {}

  static async provision(
    stack: ConsoleStack,
    deviceId: string,
    model = 'coffee-machine',
    tags: string[] = [],
  ): Promise<SimulatedDevice> {
    const { token } = await stack.broker.fleet.provisionDevice(deviceId, model, tags);
    return new SimulatedDevice(deviceId, token, stack.mqttUrl);
  }

  private topic(kind: Parameters<typeof deviceTopic>[1]) {
    return deviceTopic(this.deviceId, kind);
  }

  async connect(firmwareVersion = '2.4.1'): Promise<void> {
    const offline = JSON.stringify({
      ...header(),
      deviceId: this.deviceId,
      state: 'offline',
      connectionId: this.connectionId,
    });
    this.client = await mqtt.connectAsync(this.mqttUrl, {
      clientId: this.deviceId,
      username: this.deviceId,
      password: this.token,
      reconnectPeriod: 0,
      clean: false,
      will: { topic: this.topic('presence'), payload: Buffer.from(offline), qos: 1, retain: true },
    });
    this.client.on('message', (topic, payload) => void this.onMessage(topic, payload));
    await this.client.subscribeAsync(this.topic('command'), { qos: 1 });
    await this.client.subscribeAsync(this.topic('caseStatus'), { qos: 1 });
    await this.publish(
      'presence',
      {
        ...header(),
        deviceId: this.deviceId,
        state: 'online',
        connectionId: this.connectionId,
        model: 'coffee-machine',
        agentVersion: '0.1.0',
        firmwareVersion,
      },
      true,
    );
  }

  readonly caseStatuses: string[] = [];

  private async onMessage(topic: string, payload: Buffer) {
    if (topic === this.topic('caseStatus')) {
      this.caseStatuses.push((JSON.parse(payload.toString()) as { status: string }).status);
      return;
    }
    if (topic !== this.topic('command')) return;
    const envelope = commandEnvelope.parse(JSON.parse(payload.toString()));
    this.commands.push({ id: envelope.id, action: envelope.action, params: envelope.params });
    const result = (status: string, extra: Record<string, unknown> = {}) =>
      this.publish('commandResult', { ...header(), deviceId: this.deviceId, commandId: envelope.id, status, ...extra });
    switch (this.answer) {
      case 'ignore':
        return;
      case 'reject':
        await result('rejected', { code: 'PRECONDITION_FAILED', reason: 'machine is busy' });
        return;
      case 'failed':
      case 'succeeded':
        await result('accepted');
        await new Promise((r) => setTimeout(r, 150));
        await result(this.answer, this.answer === 'failed' ? { reason: 'pump did not start' } : {});
    }
  }

  async publish(kind: Parameters<typeof deviceTopic>[1], message: unknown, retain = false): Promise<void> {
    await this.client!.publishAsync(this.topic(kind), JSON.stringify(message), { qos: 1, retain });
  }

  diagnostics(
    sensors: Record<string, number | boolean | string>,
    errors: string[] = [],
    extra: Partial<DiagnosticsMessage> = {},
  ): Promise<void> {
    const msg: DiagnosticsMessage = {
      ...header(),
      deviceId: this.deviceId,
      reason: 'periodic',
      mcu: { info: { model: 'CM-9', serial: 'SN-0001', firmwareVersion: '2.4.1' }, sensors, errors },
      agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 1, link: 'up', uptimeS: 3600 },
      ...extra,
    };
    return this.publish('diagnostics', msg);
  }

  raiseError(code: string): Promise<void> {
    return this.publish('events', { ...header(), deviceId: this.deviceId, event: { type: 'error.raised', code } });
  }

  help(sessionId: string, flowId: string, entry: HelpTraceEntry): Promise<void> {
    return this.publish('events', {
      ...header(),
      deviceId: this.deviceId,
      event: { type: 'help', sessionId, flowId, entry },
    });
  }

  escalate(caseId: string, reason: string, flowId: string, sessionId: string, trace: HelpTraceEntry[]): Promise<void> {
    const msg: CaseOpenMessage = {
      ...header(),
      deviceId: this.deviceId,
      caseId,
      reason,
      flowId,
      sessionId,
      locale: 'en',
      trace,
      consent: { diagnostics: true, helpSession: true, at: Date.now() },
    };
    return this.publish('caseOpen', msg);
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true);
  }
}

/** The text of an element including everything inside shadow roots (textContent stops at them). */
export async function deepText(locator: Locator): Promise<string> {
  try {
    return await locator.first().evaluate(
      (root) => {
        const parts: string[] = [];
        const walk = (node: Node) => {
          if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
          const shadow = (node as Element).shadowRoot;
          if (shadow) walk(shadow);
          for (const child of Array.from(node.childNodes)) walk(child);
        };
        walk(root);
        return parts.join(' ').replace(/\s+/g, ' ');
      },
      undefined,
      { timeout: 1000 },
    );
  } catch {
    return '';
  }
}

/** Page objects for the console; selectors pierce shadow roots (Playwright CSS does by default). */
export class ConsolePage {
  readonly cspViolations: string[] = [];
  readonly pageErrors: string[] = [];

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) this.cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => this.pageErrors.push(e.message));
  }

  /**
   * A new browser context; `locale` is the browser's language (navigator.language), English unless a
   * test asks for another, so the console's language never depends on the machine's (issue 16).
   */
  static async open(browser: Browser, baseUrl: string, locale = 'en-US'): Promise<ConsolePage> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale });
    return new ConsolePage(await context.newPage(), baseUrl);
  }

  async login(name: string, password: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/queue`);
    await this.page.locator('tpc-login-panel input[name=name]').fill(name);
    await this.page.locator('tpc-login-panel input[name=password]').fill(password);
    await this.page.locator('tpc-login-panel button[type=submit]').click();
    await this.page.locator('tpc-app nav').waitFor();
  }

  /** Signs in with a one-time password; the console then asks for the member's own, which is entered here. */
  async loginFirstTime(name: string, oneTimePassword: string, newPassword: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/queue`);
    await this.page.locator('tpc-login-panel input[name=name]').fill(name);
    await this.page.locator('tpc-login-panel input[name=password]').fill(oneTimePassword);
    await this.page.locator('tpc-login-panel button[type=submit]').click();
    await this.changePassword(oneTimePassword, newPassword);
    await this.page.locator('tpc-app nav').waitFor();
  }

  /** Fills the password form (the required one after a one-time password, or the one behind the header's Password button). */
  async changePassword(current: string, next: string, repeat = next): Promise<void> {
    const form = this.page.locator('tpc-password-panel');
    await form.locator('input[name=current]').fill(current);
    await form.locator('input[name=next]').fill(next);
    await form.locator('input[name=repeat]').fill(repeat);
    await form.locator('button[type=submit]').click();
  }

  liveState(): Locator {
    return this.page.locator('tpc-app header tpc-connection-state');
  }

  async gotoFleet(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/devices`);
    await this.page.locator('tpc-fleet-panel').waitFor();
  }

  fleetRow(deviceId: string): Locator {
    return this.page.locator(`tpc-fleet-panel a.device[data-device="${deviceId}"]`);
  }

  async searchFleet(text: string): Promise<void> {
    await this.page.locator('tpc-fleet-panel input[type=search]').fill(text);
  }

  async gotoDevice(deviceId: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/devices/${encodeURIComponent(deviceId)}`);
    await this.page.locator('tpc-device-panel h1').waitFor();
  }

  devicePresence(): Locator {
    return this.page.locator('tpc-device-panel tpc-badge[data-presence]');
  }

  mirrorScreen(): Locator {
    return this.page.locator('tpc-help-mirror .screen');
  }

  mirrorSteps(): Locator {
    return this.page.locator('tpc-help-mirror li.step');
  }

  /** Picks an action, fills its generated form and submits; with `confirm` (default) also confirms the dialog. */
  async pushFix(actionName: string, fields: Record<string, string> = {}, confirm = true): Promise<void> {
    const panel = this.page.locator('tpc-device-panel');
    await panel.locator('select#action').selectOption(actionName);
    for (const [key, value] of Object.entries(fields)) {
      const field = panel.locator(`tpc-param-form #p-${key}`);
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
      else await field.fill(value);
    }
    await panel.locator('tpc-param-form button[type=submit]').click();
    if (confirm) await panel.locator('tpc-confirm-dialog dialog[open] button.primary').click();
  }

  latestCommand(): Locator {
    return this.page.locator('tpc-device-panel tpc-command-status').first();
  }

  async gotoQueue(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/queue`);
    await this.page.locator('tpc-queue-panel h1').waitFor();
  }

  queueItem(caseId: string): Locator {
    return this.page.locator(`tpc-queue-panel a.case[data-case="${caseId}"]`);
  }

  toast(): Locator {
    return this.page.locator('tpc-toasts .toast');
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, `console-${name}.png`);
    await this.page.screenshot({ path, fullPage: false });
    return path;
  }

  /** A screenshot of one part of the page (a card, a dialog). */
  async screenshotOf(locator: Locator, name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, `console-${name}.png`);
    await locator.screenshot({ path });
    return path;
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
