import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, startTouchStack, type TouchStack } from '@touchpoint/test/touch-ui';
import type { BenchContext, BenchRow, BenchSuite, SuiteResult } from '../types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CPU_THROTTLE = 4;
const VIEWPORT = { width: 800, height: 480 };

/** The baseline: the smallest Lit page there is, bundled the same way and served from loopback. */
const HELLO_ENTRY = `
import { LitElement, html } from 'lit';
class TpHello extends LitElement {
  render() { return html\`<h1>Hello</h1>\`; }
  firstUpdated() { performance.mark('tp:first-render'); performance.mark('tp:interactive'); }
}
customElements.define('tp-hello', TpHello);
`;
const HELLO_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><script type="module" src="./hello.js"></script></head><body><tp-hello></tp-hello></body></html>';

interface Page {
  url: string;
  gzipBytes: number;
  close(): Promise<void>;
}

async function helloPage(): Promise<Page> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-bench-hello-'));
  await writeFile(join(dir, 'entry.js'), HELLO_ENTRY);
  await build({
    entryPoints: [join(dir, 'entry.js')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    outfile: join(dir, 'hello.js'),
    nodePaths: [join(ROOT, 'node_modules')],
    logLevel: 'silent',
  });
  await writeFile(join(dir, 'index.html'), HELLO_HTML);
  const code = await readFile(join(dir, 'hello.js'));
  const server: Server = createServer((req, res) => {
    const name = req.url === '/' ? 'index.html' : (req.url ?? '').slice(1);
    if (name !== 'index.html' && name !== 'hello.js') return void res.writeHead(404).end();
    readFile(join(dir, name)).then(
      (body) =>
        res.writeHead(200, { 'content-type': extname(name) === '.js' ? 'text/javascript' : 'text/html' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface Timing {
  firstRender: number;
  fcp: number;
  interactive: number;
}

/** One cold load in a fresh context (empty cache) with the CPU throttled through CDP. */
async function measure(browser: Browser, url: string): Promise<Timing> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
    await page.goto(url);
    await page.waitForFunction(
      () =>
        performance.getEntriesByName('tp:interactive').length > 0 &&
        performance.getEntriesByName('first-contentful-paint').length > 0,
      undefined,
      { timeout: 30_000 },
    );
    return await page.evaluate(() => ({
      firstRender: performance.getEntriesByName('tp:first-render')[0]?.startTime ?? Number.NaN,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      interactive: performance.getEntriesByName('tp:interactive')[0]?.startTime ?? Number.NaN,
    }));
  } finally {
    await context.close();
  }
}

function roundsOf(ctx: BenchContext): number {
  const asked = (ctx as BenchContext & { rounds?: number }).rounds;
  return Math.max(3, typeof asked === 'number' ? asked : ctx.quick ? 3 : 7);
}

/**
 * The touchscreen UI's cold load in Chromium with 4x CPU throttling, against
 * the real agent (virtual MCU in-process, real broker): first render (the
 * app's first Lit update), first contentful paint, and time to interactive
 * (help topics loaded over the agent's WebSocket and tappable); plus the
 * bundle size gzipped. Baseline: a minimal static Lit "hello" page, loaded in
 * the same rounds (A B A B).
 */
export const suite: BenchSuite = {
  name: 'touch-ui',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const rounds = roundsOf(ctx);
    const { buildTouchUi } = (await import(pathToFileURL(join(ROOT, 'device-agent', 'ui', 'build.mjs')).href)) as {
      buildTouchUi(o: { outDir: string; quiet?: boolean }): Promise<{ gzipBytes: number; entryGzipBytes: number }>;
    };
    const outDir = await mkdtemp(join(tmpdir(), 'tp-bench-ui-'));
    let stack: TouchStack | undefined;
    let hello: Page | undefined;
    let browser: Browser | undefined;
    try {
      const bundle = await buildTouchUi({ outDir, quiet: true });
      stack = await startTouchStack({ deviceId: 'cm-bench-ui', pty: false });
      hello = await helloPage();
      browser = await chromium.launch(CHROMIUM);
      const ui: Timing[] = [];
      const base: Timing[] = [];
      // One warm-up of each (Chromium's own first start is not the UI's cost).
      await measure(browser, stack.kioskUrl);
      await measure(browser, hello.url);
      for (let i = 0; i < rounds; i++) {
        ctx.log(`touch-ui round ${i + 1}/${rounds}`);
        ui.push(await measure(browser, stack.kioskUrl));
        base.push(await measure(browser, hello.url));
      }
      const row = (metric: string, pick: (t: Timing) => number, goal?: string, note?: string): BenchRow => ({
        metric,
        unit: 'ms',
        system: 'touchpoint touch UI',
        rounds: ui.map(pick),
        baseline: { system: 'static Lit hello page', rounds: base.map(pick) },
        higherIsBetter: false,
        ...(goal ? { goal } : {}),
        ...(note ? { note } : {}),
      });
      return {
        suite: 'touch-ui',
        loadShape: `cold load in a fresh Chromium context, ${VIEWPORT.width}x${VIEWPORT.height}, CPU throttled ${CPU_THROTTLE}x (CDP Emulation.setCPUThrottlingRate), served by the agent on loopback with a virtual coffee machine and a real broker; ${rounds} rounds alternating with the baseline`,
        rows: [
          row(
            'first render (4x CPU)',
            (t) => t.firstRender,
            '< 200 ms',
            "navigation start to the root element's first Lit render",
          ),
          row('first contentful paint (4x CPU)', (t) => t.fcp),
          row(
            'time to interactive (4x CPU)',
            (t) => t.interactive,
            undefined,
            'help topics loaded over the agent WebSocket and tappable; the baseline has nothing to load',
          ),
          {
            metric: 'JS bundle gzipped',
            unit: 'KB',
            system: 'touchpoint touch UI',
            rounds: Array.from({ length: rounds }, () => bundle.gzipBytes / 1024),
            baseline: {
              system: 'static Lit hello page',
              rounds: Array.from({ length: rounds }, () => hello!.gzipBytes / 1024),
            },
            higherIsBetter: false,
            goal: '< 60 KB',
            note: `every chunk; the first screen loads ${(bundle.entryGzipBytes / 1024).toFixed(1)} KB of it (the video call is lazy)`,
          },
        ],
      };
    } finally {
      await browser?.close();
      await hello?.close();
      await stack?.stop();
      await rm(outDir, { recursive: true, force: true });
    }
  },
};
