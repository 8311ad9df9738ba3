import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import {
  ErrorCode,
  TouchpointError,
  simulatorSocketReply,
  simulatorSocketRequest,
  type SimulatorControlParsed,
  type SimulatorSocketReply,
  type SimulatorSocketRequest,
  type SimulatorState,
} from '@touchpoint/protocol';

/** Longest request line; a control is a few dozen bytes. */
const MAX_LINE = 4096;

/** Where a running demo listens for `touchpoint demo sim`: a Unix socket in its data dir. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'demo', 'sim.sock');
}

export interface ControlSocketHandler {
  state(deviceId: string): SimulatorState | undefined;
  /** Applies and audits one control; throws a TouchpointError when it cannot apply. */
  control(deviceId: string, control: SimulatorControlParsed): Promise<SimulatorState>;
  /** A refused or failed request, for the demo's output and counters. */
  refused(reason: string): void;
}

async function answer(line: string, handler: ControlSocketHandler): Promise<SimulatorSocketReply> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, code: ErrorCode.BAD_JSON, message: 'the request is not JSON' };
  }
  const parsed = simulatorSocketRequest.safeParse(json);
  if (!parsed.success)
    return { ok: false, code: ErrorCode.SCHEMA_INVALID, message: parsed.error.issues.map((i) => i.message).join('; ') };
  const request = parsed.data;
  try {
    if ('control' in request) return { ok: true, state: await handler.control(request.deviceId, request.control) };
    const state = handler.state(request.deviceId);
    return state
      ? { ok: true, state }
      : { ok: false, code: ErrorCode.NOT_FOUND, message: `device ${request.deviceId} is not a simulated device` };
  } catch (err) {
    return err instanceof TouchpointError
      ? { ok: false, code: err.code, message: err.message }
      : { ok: false, code: ErrorCode.INTERNAL, message: (err as Error).message };
  }
}

/**
 * The demo's control socket (issue 16). Its access control is the file system: the socket is mode
 * 0600 in the data dir's 0700 `demo/` folder, so only the user who runs the demo reaches it, as with
 * the data itself. One JSON request line, one JSON reply line (protocol's simulatorSocketRequest/Reply).
 */
export async function startControlSocket(dataDir: string, handler: ControlSocketHandler): Promise<Server> {
  const path = controlSocketPath(dataDir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // A socket left by a demo that was killed; a running demo on the same data dir already failed on its ports.
  if (existsSync(path)) rmSync(path);
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0 && buffer.length <= MAX_LINE) return;
      socket.removeAllListeners('data');
      const line = end < 0 ? '' : buffer.slice(0, end);
      const reply: Promise<SimulatorSocketReply> =
        end < 0 || end > MAX_LINE
          ? Promise.resolve({ ok: false, code: ErrorCode.PAYLOAD_TOO_LARGE, message: `request over ${MAX_LINE} bytes` })
          : answer(line, handler);
      void reply.then((r) => {
        if (!r.ok) handler.refused(`${r.code}: ${r.message}`);
        socket.end(`${JSON.stringify(r)}\n`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  return server;
}

/** Sends one request to the demo on `dataDir` and returns its reply; NOT_FOUND when no demo listens there. */
export function sendControl(dataDir: string, request: SimulatorSocketRequest): Promise<SimulatorSocketReply> {
  const path = controlSocketPath(dataDir);
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new TouchpointError(ErrorCode.INTERNAL, `the demo on ${dataDir} did not answer within 15 s`));
    });
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? new TouchpointError(
              ErrorCode.NOT_FOUND,
              `no demo is running with data dir ${dataDir} (${path} is not listening); start one with \`npm start\` or pass its --data-dir`,
            )
          : err,
      ),
    );
    socket.on('end', () => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return reject(new TouchpointError(ErrorCode.BAD_JSON, `the demo answered with something that is not JSON`));
      }
      const parsed = simulatorSocketReply.safeParse(json);
      if (parsed.success) resolve(parsed.data);
      else reject(new TouchpointError(ErrorCode.SCHEMA_INVALID, 'the demo answered with an unexpected reply'));
    });
  });
}
