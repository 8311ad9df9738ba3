import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { header, type DiagnosticsMessage } from '@touchpoint/protocol';
import { startBroker, type RunningBroker } from '../src/index.js';
import type { BrokerOptions } from '../src/options.js';

export interface TestBroker {
  broker: RunningBroker;
  dataDir: string;
  url: string;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startTestBroker(options: Partial<BrokerOptions> = {}): Promise<TestBroker> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tp-broker-'));
  const base = { dataDir, mqttPort: 0, httpPort: 0, log: 'silent' as const, expirySweepMs: 200, ...options };
  const tb: TestBroker = {
    broker: await startBroker(base),
    dataDir,
    get url() {
      return `mqtt://127.0.0.1:${tb.broker.mqttPort}`;
    },
    async restart() {
      const port = tb.broker.mqttPort;
      await tb.broker.close();
      tb.broker = await startBroker({ ...base, mqttPort: port });
    },
    async cleanup() {
      await tb.broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return tb;
}

export async function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
}

/** Connects expecting a refusal; resolves with the CONNACK return code. */
export function connectRefused(url: string, opts: IClientOptions): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
    client.once('connect', () => {
      client.end(true);
      reject(new Error('connection was accepted'));
    });
    client.once('error', (err) => {
      client.end(true);
      resolve((err as Error & { code?: number }).code);
    });
  });
}

export function diagnostics(deviceId: string, extra: Partial<DiagnosticsMessage> = {}): DiagnosticsMessage {
  return {
    ...header(),
    deviceId,
    reason: 'periodic',
    mcu: { sensors: { water_tank_level: 55, boiler_temp: 92.5 }, errors: ['E05'] },
    agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 10 },
    ...extra,
  };
}

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
