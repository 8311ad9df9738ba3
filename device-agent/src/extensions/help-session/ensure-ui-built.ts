import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCode } from '@touchpoint/protocol';
import type { Extension } from '../../extension.js';
import type { Logger } from '../../logger.js';

const here = dirname(fileURLToPath(import.meta.url));
/** device-agent/ui in a source checkout. */
export const UI_ROOT = resolve(here, '..', '..', '..', 'ui');

export type UiBuildOutcome = 'configured' | 'fresh' | 'built' | 'unavailable' | 'failed';

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, name)));
  return newest;
}

/**
 * In a source checkout the agent serves device-agent/ui/dist. When that is
 * missing or older than the UI sources, build it now (esbuild, well under a
 * second), so `npm start` on a fresh clone shows the touch UI. A configured
 * `localServer.uiDir` (a packaged device) is never touched.
 */
export function ensureUiBuilt(
  configuredUiDir: string | undefined,
  logger: Logger,
  uiRoot: string = UI_ROOT,
): Promise<UiBuildOutcome> {
  if (configuredUiDir !== undefined || process.env.TOUCHPOINT_UI_BUILD === '0') return Promise.resolve('configured');
  // Agents started side by side in one process (the demo) share one build.
  const running = inFlight.get(uiRoot);
  if (running) return running;
  const run = check(uiRoot, logger).finally(() => inFlight.delete(uiRoot));
  inFlight.set(uiRoot, run);
  return run;
}

const inFlight = new Map<string, Promise<UiBuildOutcome>>();

async function check(uiRoot: string, logger: Logger): Promise<UiBuildOutcome> {
  const dist = join(uiRoot, 'dist');
  const buildScript = join(uiRoot, 'build.mjs');
  const builtAt = await newestMtime(join(dist, 'index.html'));
  if (!existsSync(buildScript)) {
    if (!builtAt)
      logger.warn(`the touch UI is not built and there is no ${buildScript} to build it; set localServer.uiDir`, {
        code: ErrorCode.NOT_FOUND,
      });
    return builtAt ? 'fresh' : 'unavailable';
  }
  const sourcesAt = Math.max(
    await newestMtime(join(uiRoot, 'src')),
    await newestMtime(join(uiRoot, 'index.html')),
    await newestMtime(buildScript),
  );
  if (builtAt && builtAt >= sourcesAt) return 'fresh';
  // Build next to dist and swap it in, so a running agent never serves a half-written bundle.
  const staging = `${dist}.tmp-${process.pid}-${randomUUID()}`;
  try {
    const { buildTouchUi } = (await import(pathToFileURL(buildScript).href)) as {
      buildTouchUi(o: { outDir: string; quiet?: boolean }): Promise<unknown>;
    };
    await buildTouchUi({ outDir: staging, quiet: true });
    if ((await newestMtime(join(dist, 'index.html'))) >= sourcesAt) {
      // Another process built it meanwhile: keep theirs.
      await rm(staging, { recursive: true, force: true });
      return 'fresh';
    }
    await rm(dist, { recursive: true, force: true });
    await rename(staging, dist).catch(async () => rm(staging, { recursive: true, force: true }));
    logger.info('touch UI built', { dir: dist });
    return 'built';
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    logger.warn(`could not build the touch UI: ${(err as Error).message}; run node ${buildScript}`, {
      code: ErrorCode.INTERNAL,
    });
    return 'failed';
  }
}

/** Runs ensureUiBuilt once when the agent starts (before the UI is first requested). */
export class UiBuildExtension implements Extension {
  readonly name = 'ui-build';
  /** A UI that cannot be built leaves the agent's other duties running (the server answers 503 with a hint). */
  readonly optional = true;
  constructor(
    private readonly configuredUiDir: string | undefined,
    private readonly logger: Logger,
  ) {}
  async start(): Promise<void> {
    await ensureUiBuilt(this.configuredUiDir, this.logger);
  }
  stop(): void {}
}
