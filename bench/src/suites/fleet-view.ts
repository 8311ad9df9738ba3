import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { spread } from '../stats.js';
import type { BenchContext, BenchRow, BenchSuite, SuiteResult } from '../types.js';

/**
 * The console's fleet view with 10,000 devices in SQLite (a third online,
 * every tenth with an error, every fiftieth with an open case). Measured per
 * round: the API's first page (100 rows) and an error-code filter, against an
 * authenticated trivial call (GET /api/me) on the same server as the floor;
 * and in headless Chromium, the time from navigation to the first device row,
 * against the queue view (the same app shell and session, one small list).
 */

const DEVICES = 10_000;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const REPO = fileURLToPath(new URL('../../..', import.meta.url));

async function seed(broker: RunningBroker): Promise<void> {
  const fleet = broker.fleet;
  const now = Date.now();
  await fleet.devices.provisionMany(
    Array.from({ length: DEVICES }, (_, i) => ({
      deviceId: `dev-${String(i).padStart(5, '0')}`,
      model: i % 2 ? 'wallbox' : 'coffee-machine',
      tags: i % 13 === 0 ? ['pilot'] : [],
    })),
  );
  fleet.db.transaction(() => {
    fleet.db
      .prepare(
        "UPDATE devices SET online = (CAST(substr(id, 5) AS INTEGER) % 3 = 0), last_seen = ?, firmware_version = '2.4.1', link = 'up', last_diagnostics_at = ?",
      )
      .run(now, now);
    fleet.db.prepare(`UPDATE devices SET errors = '["E05"]' WHERE CAST(substr(id, 5) AS INTEGER) % 10 = 0`).run();
    const insertCase = fleet.db.prepare(
      "INSERT INTO cases (id, msg_id, device_id, opened_at, received_at, reason, flow_id, trace) VALUES (?, ?, ?, ?, ?, 'bench', 'descale', '[]')",
    );
    for (let i = 0; i < DEVICES; i += 50)
      insertCase.run(`case-${i}`, `msg-${i}`, `dev-${String(i).padStart(5, '0')}`, now - i * 1000, now - i * 1000);
  })();
}

async function login(base: string, name: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (!res.ok) throw new Error(`bench login failed: HTTP ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const session = (await res.json()) as { csrfToken: string; mustChangePassword?: boolean };
  if (!session.mustChangePassword) return cookie;
  // The first-start password is one-time: the API answers nothing else until the admin chooses their own.
  const changed = await fetch(`${base}/api/me/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({ currentPassword: password, newPassword: `${password}-own` }),
  });
  if (!changed.ok) throw new Error(`bench password change failed: HTTP ${changed.status}`);
  return (changed.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** Median latency of `n` sequential GETs, in ms. */
async function timeGets(url: string, cookie: string, n: number, check: (body: unknown) => void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    const body: unknown = await res.json();
    times.push(performance.now() - t0);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    check(body);
  }
  return spread(times).median;
}

async function timeView(context: BrowserContext, url: string, selector: string): Promise<number> {
  const page = await context.newPage();
  try {
    const t0 = performance.now();
    await page.goto(url);
    await page.locator(selector).first().waitFor({ timeout: 30_000 });
    return performance.now() - t0;
  } finally {
    await page.close();
  }
}

async function run(ctx: BenchContext): Promise<SuiteResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-bench-fleet-'));
  const skipped: string[] = [];
  const apiFirst: number[] = [];
  const apiFloor: number[] = [];
  const apiFilter: number[] = [];
  const viewFleet: number[] = [];
  const viewQueue: number[] = [];
  let browser: Browser | undefined;
  let broker: RunningBroker | undefined;
  try {
    const consoleDir = join(dataDir, 'console');
    mkdirSync(consoleDir);
    const { buildConsole } = (await import(join(REPO, 'console/build.mjs'))) as {
      buildConsole(o: { outDir: string; quiet: boolean }): Promise<unknown>;
    };
    await buildConsole({ outDir: consoleDir, quiet: true });
    broker = await startBroker({ dataDir, mqttPort: 0, httpPort: 0, consoleDir, log: 'silent' });
    ctx.log(`fleet-view: seeding ${DEVICES} devices`);
    await seed(broker);
    const base = `http://127.0.0.1:${broker.httpPort}`;
    const cookie = await login(base, broker.initialAdmin!.name, broker.initialAdmin!.password);
    const requests = ctx.quick ? 10 : 40;
    const expectPage = (body: unknown) => {
      const page = body as { items: unknown[]; total: number };
      if (page.items.length !== 100 || page.total !== DEVICES)
        throw new Error(`first page returned ${page.items.length} of ${page.total}`);
    };
    if (existsSync(CHROMIUM)) {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    } else skipped.push(`Chromium rows: ${CHROMIUM} is missing`);
    const context = await browser?.newContext({ viewport: { width: 1440, height: 960 } });
    await context?.addCookies([{ name: 'tp_session', value: cookie.split('=')[1]!, url: base }]);

    for (let round = 0; round < ctx.rounds; round++) {
      // Alternate which goes first, so warm caches favour neither.
      const pair = async <T>(a: () => Promise<T>, b: () => Promise<T>): Promise<[T, T]> => {
        if (round % 2 === 0) return [await a(), await b()];
        const second = await b();
        return [await a(), second];
      };
      const [first, floor] = await pair(
        () => timeGets(`${base}/api/devices?limit=100&offset=0`, cookie, requests, expectPage),
        () => timeGets(`${base}/api/me`, cookie, requests, () => undefined),
      );
      apiFirst.push(first);
      apiFloor.push(floor);
      apiFilter.push(
        await timeGets(`${base}/api/devices?limit=100&errorCode=E05&online=true`, cookie, requests, () => undefined),
      );
      if (context) {
        const [fleetMs, queueMs] = await pair(
          () => timeView(context, `${base}/#/devices`, 'tpc-fleet-panel a.device[data-device]'),
          () => timeView(context, `${base}/#/queue`, 'tpc-queue-panel a.case[data-case]'),
        );
        viewFleet.push(fleetMs);
        viewQueue.push(queueMs);
      }
      ctx.log(
        `fleet-view: round ${round + 1}/${ctx.rounds} first page ${first.toFixed(1)} ms (floor ${floor.toFixed(1)} ms)${viewFleet.length ? `, browser ${viewFleet.at(-1)!.toFixed(0)} ms` : ''}`,
      );
    }
  } finally {
    await browser?.close();
    await broker?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const rows: BenchRow[] = [
    {
      metric: 'fleet API first page (100 of 10,000), median of sequential GETs',
      unit: 'ms',
      system: 'touchpoint GET /api/devices',
      rounds: apiFirst,
      baseline: { system: 'touchpoint GET /api/me (auth + JSON floor)', rounds: apiFloor },
      higherIsBetter: false,
      goal: '< 50 ms',
    },
    {
      metric: 'fleet API filtered page (error E05, online)',
      unit: 'ms',
      system: 'touchpoint GET /api/devices?errorCode',
      rounds: apiFilter,
      baseline: { system: 'touchpoint GET /api/me (auth + JSON floor)', rounds: apiFloor },
      higherIsBetter: false,
      goal: '< 50 ms',
    },
  ];
  if (viewFleet.length) {
    rows.push({
      metric: 'fleet view in Chromium: navigation to first device row',
      unit: 'ms',
      system: 'console fleet view (10,000 devices)',
      rounds: viewFleet,
      baseline: { system: 'console queue view (200 open cases)', rounds: viewQueue },
      higherIsBetter: false,
      goal: '< 1500 ms',
    });
  }
  return {
    suite: 'fleet-view',
    loadShape: `${DEVICES} devices in SQLite (1/3 online, 1/10 with error E05, 1/50 with an open case); sequential HTTP GETs over loopback with a staff session; Chromium headless, new page per measurement in one logged-in context`,
    rows,
    ...(skipped.length ? { skipped } : {}),
  };
}

export const suite: BenchSuite = { name: 'fleet-view', run };
