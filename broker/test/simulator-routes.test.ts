import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  TouchpointError,
  staffWithPassword,
  type SimulatorControlParsed,
  type SimulatorState,
} from '@touchpoint/protocol';
import type { SimulatorBackend } from '../src/index.js';
import { ApiClient } from './api-client.js';
import { startTestBroker, type TestBroker } from './helpers.js';

/**
 * Issue 16: the demo's Simulator panel talks to /api/devices/:id/simulator. Any staff member sees a
 * simulated device's state, only agents and admins drive it, every control is audited, a bad control
 * is a 400 with a named code, and a broker without a simulator (not the demo) has no such route.
 */
class RecordingBackend implements SimulatorBackend {
  readonly received: SimulatorControlParsed[] = [];
  errors: string[] = [];

  state(deviceId: string): SimulatorState | undefined {
    if (deviceId !== 'sim-01') return undefined;
    return {
      deviceId,
      model: 'coffee-machine',
      errors: this.errors,
      codes: [{ code: 'E03', severity: 'critical', label: 'Grinder jammed' }],
      scenarios: ['empty_tank'],
      network: 'online',
    };
  }

  control(deviceId: string, control: SimulatorControlParsed): Promise<SimulatorState> {
    this.received.push(control);
    if (control.control === 'raise' && control.code !== 'E03')
      return Promise.reject(new TouchpointError(ErrorCode.BAD_PARAMS, `no error ${control.code}`));
    if (control.control === 'raise') this.errors = [control.code];
    return Promise.resolve(this.state(deviceId)!);
  }
}

describe('/api/devices/:id/simulator', () => {
  const backend = new RecordingBackend();
  let tb: TestBroker;
  let plain: TestBroker;
  let admin: ApiClient;
  let viewer: ApiClient;
  let viewerId: string;

  beforeAll(async () => {
    tb = await startTestBroker({ simulator: backend });
    const base = `http://127.0.0.1:${tb.broker.httpPort}`;
    admin = new ApiClient(base);
    await admin.loginReady(tb.broker.initialAdmin!.name, tb.broker.initialAdmin!.password);
    const created = await admin.post('/api/staff', { name: 'vera', displayName: 'Vera', role: 'viewer' });
    const vera = staffWithPassword.parse(created.body);
    viewerId = vera.staff.id;
    viewer = new ApiClient(base);
    await viewer.loginReady('vera', vera.password!);
    plain = await startTestBroker();
  });

  afterAll(async () => {
    await tb?.cleanup();
    await plain?.cleanup();
  });

  it('shows a simulated device to any staff member and answers 404 for one that is not simulated', async () => {
    const seen = await viewer.get<SimulatorState>('/api/devices/sim-01/simulator');
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ deviceId: 'sim-01', scenarios: ['empty_tank'], network: 'online' });
    const real = await viewer.get<{ error: { code: string } }>('/api/devices/real-01/simulator');
    expect(real.status).toBe(404);
    expect(real.body.error.code).toBe('NOT_FOUND');
  });

  it('applies a control for an admin and audits it with the staff member', async () => {
    const res = await admin.post<SimulatorState>('/api/devices/sim-01/simulator', { control: 'raise', code: 'E03' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual(['E03']);
    const [entry] = await tb.broker.fleet.audit.list({ action: 'simulator.control', limit: 10 });
    expect(entry).toMatchObject({
      actorRole: 'admin',
      deviceId: 'sim-01',
      outcome: 'ok',
      detail: { control: 'raise', code: 'E03', via: 'console' },
    });
  });

  it('refuses a viewer (403, audited) and a request without the CSRF header, and applies nothing', async () => {
    const before = backend.received.length;
    const res = await viewer.post<{ error: { code: string } }>('/api/devices/sim-01/simulator', { control: 'offline' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN_ROLE');
    const refused = (await tb.broker.fleet.audit.list({ action: 'simulator.control', limit: 10 })).filter(
      (r) => r.actor === viewerId && r.outcome === 'refused',
    );
    expect(refused).toHaveLength(1);
    const noCsrf = await admin.post('/api/devices/sim-01/simulator', { control: 'offline' }, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(backend.received.length).toBe(before);
  });

  it('answers a bad control with 400 and a named code, and a failed one is audited as failed', async () => {
    const bad = await admin.post<{ error: { code: string } }>('/api/devices/sim-01/simulator', {
      control: 'raise',
      code: 'e03; rm -rf',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('SCHEMA_INVALID');
    const unknown = await admin.post('/api/devices/sim-01/simulator', { control: 'explode' });
    expect(unknown.status).toBe(400);
    const failed = await admin.post<{ error: { code: string } }>('/api/devices/sim-01/simulator', {
      control: 'raise',
      code: 'E99',
    });
    expect(failed.status).toBe(400);
    expect(failed.body.error.code).toBe('BAD_PARAMS');
    const [entry] = await tb.broker.fleet.audit.list({ action: 'simulator.control', limit: 10 });
    expect(entry).toMatchObject({ outcome: 'failed', detail: { control: 'raise', code: 'E99', error: 'BAD_PARAMS' } });
  });

  it('is not a route of a broker without a simulator (every deployment but the demo)', async () => {
    const api = new ApiClient(`http://127.0.0.1:${plain.broker.httpPort}`);
    await api.loginReady(plain.broker.initialAdmin!.name, plain.broker.initialAdmin!.password);
    const res = await api.get<{ error: { code: string } }>('/api/devices/sim-01/simulator');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
