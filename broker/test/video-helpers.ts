import type { MqttClient } from 'mqtt';
import {
  CSRF_HEADER,
  Filters,
  deviceTopic,
  header,
  signalMessage,
  signalTopic,
  type SignalMessage,
} from '@touchpoint/protocol';
import type { StaffRole } from '../src/fleet/staff.js';
import { connect, eventually, type TestBroker } from './helpers.js';
import type { SseStream } from './sse.js';

export { openSse, type SseStream } from './sse.js';

/** A staff login made directly on the fleet (no login throttle in the way), used over HTTP like the console does. */
export interface StaffLogin {
  id: string;
  cookie: string;
  csrf: string;
  token: string;
}

export async function staffLogin(tb: TestBroker, name: string, role: StaffRole): Promise<StaffLogin> {
  const existing = tb.broker.fleet.staff.listAll().find((m) => m.name === name);
  const id = existing?.id ?? (await tb.broker.fleet.staff.add(name, role, name.toUpperCase())).staff.id;
  const { token, csrfToken } = tb.broker.fleet.staff.createSession(id);
  return { id, cookie: `tp_session=${token}`, csrf: csrfToken, token };
}

export function httpBase(tb: TestBroker): string {
  return `http://127.0.0.1:${tb.broker.httpPort}`;
}

export interface JsonReply<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
}

/** A JSON request as the console or the phone page makes it. */
export async function call<T = Record<string, unknown>>(
  tb: TestBroker,
  method: 'GET' | 'POST',
  path: string,
  opts: { staff?: StaffLogin; bearer?: string; body?: unknown; host?: string } = {},
): Promise<JsonReply<T>> {
  const headers: Record<string, string> = {};
  if (opts.staff) {
    headers.cookie = opts.staff.cookie;
    if (method === 'POST') headers[CSRF_HEADER] = opts.staff.csrf;
  }
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (method === 'POST') headers['content-type'] = 'application/json';
  if (opts.host) headers.host = opts.host;
  const res = await fetch(httpBase(tb) + path, {
    method,
    headers,
    ...(method === 'POST' ? { body: JSON.stringify(opts.body ?? {}) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as T, text };
}

/** Waits for a stream's end, or fails naming what should have ended it. */
export async function streamEnds(stream: SseStream, what: string, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    await Promise.race([stream.ended, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The device's side of a call, spoken by a real MQTT.js client with the
 * device's own credential: it sees only its own `rtc/+/down`, and answers
 * with rising sequence numbers like the agent does.
 */
export class FakeVideoDevice {
  readonly down: SignalMessage[] = [];
  private upSeq = 0;

  private constructor(
    readonly deviceId: string,
    readonly mqtt: MqttClient,
  ) {}

  static async connect(tb: TestBroker, deviceId: string): Promise<FakeVideoDevice> {
    const { token } = await tb.broker.fleet.provisionDevice(deviceId, 'coffee-machine', ['berlin']);
    const client = await connect(tb.url, { clientId: deviceId, username: deviceId, password: token });
    const device = new FakeVideoDevice(deviceId, client);
    client.on('message', (_topic, payload) => {
      const parsed = signalMessage.safeParse(JSON.parse(payload.toString()));
      if (parsed.success) device.down.push(parsed.data);
    });
    await client.subscribeAsync(Filters.deviceSignalsDown(deviceId), { qos: 1 });
    await client.publishAsync(
      deviceTopic(deviceId, 'presence'),
      JSON.stringify({ ...header(), deviceId, state: 'online', connectionId: `c-${deviceId}` }),
      { qos: 1, retain: true },
    );
    await eventually(async () => (await tb.broker.fleet.devices.get(deviceId))?.online, 5_000, `${deviceId} online`);
    return device;
  }

  /** The phone links sent down for a session, oldest first (tokens only). */
  links(sessionId: string): string[] {
    return this.down
      .filter((m) => m.sessionId === sessionId && m.kind === 'handoff')
      .map((m) => (m as Extract<SignalMessage, { kind: 'handoff' }>).url);
  }

  async waitFor(
    sessionId: string,
    what: string,
    match: (m: SignalMessage) => boolean,
    after = 0,
  ): Promise<SignalMessage> {
    return eventually(
      () => this.down.slice(after).find((m) => m.sessionId === sessionId && match(m)),
      5_000,
      `the device to receive ${what}`,
    );
  }

  /** The nth phone link of a session (0 = the one sent with the ring). */
  async link(sessionId: string, n: number): Promise<string> {
    await eventually(() => this.links(sessionId).length > n, 5_000, `phone link #${n} of ${sessionId}`);
    return this.links(sessionId)[n]!;
  }

  async up(sessionId: string, body: Record<string, unknown>): Promise<void> {
    const request = this.down.find((m) => m.sessionId === sessionId && m.kind === 'request');
    if (!request) throw new Error(`no request for ${sessionId} reached the device`);
    const message = signalMessage.parse({
      ...header(),
      ...body,
      sessionId,
      staffId: request.staffId,
      from: 'device',
      seq: this.upSeq++,
    });
    await this.mqtt.publishAsync(signalTopic(this.deviceId, sessionId, 'up'), JSON.stringify(message), { qos: 1 });
  }

  async end(): Promise<void> {
    await this.mqtt.endAsync();
  }
}

/** The token at the end of a phone link. */
export const tokenOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);
