import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, TouchpointError, type SimulatorControlParsed, type SimulatorState } from '@touchpoint/protocol';
import { controlSocketPath, sendControl, startControlSocket } from '../src/commands/demo/control-socket.js';

/**
 * The demo's control socket (issue 16): what crosses it is validated with protocol's schemas, bad input
 * gets a named error line and is reported, and nothing a client sends ends the demo.
 */
const dir = mkdtempSync(join(tmpdir(), 'tp-control-socket-'));
const refused: string[] = [];
const applied: SimulatorControlParsed[] = [];
let server: Server;

const state = (deviceId: string): SimulatorState => ({
  deviceId,
  model: 'coffee-machine',
  errors: [],
  codes: [],
  scenarios: ['empty_tank'],
  network: 'online',
});

/** One raw line to the socket, the reply line parsed. */
function raw(text: string): Promise<{ ok: boolean; code?: string; message?: string }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlSocketPath(dir));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('end', () => resolve(JSON.parse(reply) as { ok: boolean; code?: string }));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  server = await startControlSocket(dir, {
    state: (deviceId) => (deviceId === 'sim-01' ? state(deviceId) : undefined),
    control: (deviceId, control) => {
      if (deviceId !== 'sim-01')
        return Promise.reject(new TouchpointError(ErrorCode.NOT_FOUND, `device ${deviceId} is not a simulated device`));
      applied.push(control);
      return Promise.resolve(state(deviceId));
    },
    refused: (reason) => refused.push(reason),
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo control socket', () => {
  it('is reachable only by its owner', () => {
    expect(statSync(controlSocketPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'demo')).mode & 0o777).toBe(0o700);
  });

  it('applies a valid control and answers the state', async () => {
    const reply = await sendControl(dir, { deviceId: 'sim-01', control: { control: 'scenario', name: 'empty_tank' } });
    expect(reply).toEqual({ ok: true, state: state('sim-01') });
    expect(applied).toEqual([{ control: 'scenario', name: 'empty_tank' }]);
  });

  it('answers bad input with a named error, reports it and keeps serving', async () => {
    expect(await raw('not json\n')).toMatchObject({ ok: false, code: 'BAD_JSON' });
    expect(await raw('{"deviceId":"sim-01","control":{"control":"raise","code":"__proto__"}}\n')).toMatchObject({
      ok: false,
      code: 'SCHEMA_INVALID',
    });
    expect(await raw(`${'x'.repeat(5000)}\n`)).toMatchObject({ ok: false, code: 'PAYLOAD_TOO_LARGE' });
    expect(await sendControl(dir, { deviceId: 'real-01', state: true })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    expect(await sendControl(dir, { deviceId: 'real-01', control: { control: 'offline' } })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    expect(refused).toHaveLength(5);
    expect(refused[0]).toMatch(/^BAD_JSON: /);
    // Still serving after all of it.
    expect((await sendControl(dir, { deviceId: 'sim-01', state: true })).ok).toBe(true);
    expect(applied).toHaveLength(1);
  });

  it('tells the CLI when no demo runs on a data dir', async () => {
    await expect(sendControl(join(dir, 'elsewhere'), { deviceId: 'sim-01', state: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no demo is running with data dir'),
    });
  });
});
