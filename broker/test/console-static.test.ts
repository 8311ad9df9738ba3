import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '@touchpoint/console/assets';
import { silentLogger } from '../src/logger.js';
import { consoleHandler } from '../src/http/static.js';

// Issue 14: the broker hosts the console through the console workspace's `@touchpoint/console/assets`
// entry (its build function and output folder), not by reading console/src by path.

let server: Server;
let base: string;
let outDir: string;
let builds = 0;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'tp-console-build-'));
  const handler = consoleHandler(
    {
      dir: outDir,
      build: async () => {
        builds++;
        await buildConsole({ outDir, quiet: true });
      },
    },
    silentLogger,
  );
  server = createServer((req, res) => {
    void Promise.resolve(handler(req, res)).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(outDir, { recursive: true, force: true });
});

describe('console hosting through @touchpoint/console/assets', () => {
  it('builds an empty console folder once, on the first requests, and serves the bundle', async () => {
    const [page, route] = await Promise.all([fetch(`${base}/`), fetch(`${base}/devices/cm-1`)]);
    expect(builds).toBe(1);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<tpc-app></tpc-app>');
    // A client-side route gets the same page.
    expect(await route.text()).toBe(html);
    const script = /src="(\/assets\/app-[0-9a-f]{10}\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${base}${script!}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await asset.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(builds).toBe(1);
  }, 120_000);
});
