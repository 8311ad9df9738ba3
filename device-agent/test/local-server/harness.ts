import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import type { Logger } from '@touchpoint/protocol';
import type { AgentEvents } from '../../src/agent-events.js';
import { EventBus } from '../../src/event-bus.js';
import { FLOW_IMAGE_PATH, flowImageHandler } from '../../src/extensions/help-session/flow-images.js';
import { LocalServer } from '../../src/local-server/local-server.js';
import { loadProfile } from '../../src/profile-loader.js';
import { silentLogger } from '../../src/logger.js';

const MODEL_DIR = join(DEFAULT_MODELS_DIR, 'coffee-machine');

/** A fixed secret for tests (the agent makes a random one per boot). */
export const KIOSK_SECRET = 'T'.repeat(43);

export interface LogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

export interface ServerUnderTest {
  server: LocalServer;
  /** http://127.0.0.1:port */
  url: string;
  dir: string;
  logs: LogLine[];
  close(): Promise<void>;
}

/**
 * The real loopback server as the agent builds it: a UI directory with
 * index.html and a hashed asset, the flow image route over a flows folder with
 * an SVG and a PNG, plus a GET route that throws and a POST route.
 */
export async function startLocalServer(
  options: { withUi?: boolean; kioskUrlFile?: (dir: string) => string } = {},
): Promise<ServerUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-local-'));
  const uiDir = join(dir, 'ui');
  const flowsDir = join(dir, 'flows');
  await mkdir(join(flowsDir, 'images'), { recursive: true });
  await mkdir(uiDir, { recursive: true });
  if (options.withUi ?? true) {
    await writeFile(
      join(uiDir, 'index.html'),
      '<!doctype html><title>ui</title><script type="module" src="./app-TEST.js"></script><tp-app></tp-app>',
    );
    await writeFile(join(uiDir, 'app-TEST.js'), 'export {};\n');
  }
  await writeFile(
    join(flowsDir, 'images', 'pic.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>',
  );
  await writeFile(join(flowsDir, 'images', 'pic.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  const logs: LogLine[] = [];
  const record =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      void logs.push({ level, message, fields });
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const server = new LocalServer({
    host: '127.0.0.1',
    port: 0,
    uiDir,
    deviceId: 'cm-local',
    profile: loadProfile(MODEL_DIR),
    agentVersion: '0.0.0',
    bus: new EventBus<AgentEvents>(silentLogger),
    link: () => 'up',
    logger,
    kiosk: { secret: KIOSK_SECRET, ...(options.kioskUrlFile ? { urlFile: options.kioskUrlFile(dir) } : {}) },
  });
  server.route(
    'GET',
    FLOW_IMAGE_PATH,
    flowImageHandler(() => flowsDir),
  );
  server.route('GET', '/api/boom', () => {
    throw new Error('a handler failed');
  });
  server.route('POST', '/api/poke', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await server.start();
  return {
    server,
    url: server.url!,
    dir,
    logs,
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
