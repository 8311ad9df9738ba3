import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type BrokerOptions, type RunningBroker } from '@touchpoint/broker';
import {
  deliveryListResponse,
  webhookWithSecret,
  type DeliveryView,
  type WebhookWithSecret,
} from '@touchpoint/protocol';
import { SimulatedDevice, StaffApi } from '../console/helpers.js';

/** Quick retries for tests: three attempts, 100–300 ms apart. Production defaults are in broker/src/webhooks/worker.ts. */
export const FAST_RETRIES: NonNullable<BrokerOptions['webhooks']> = {
  maxAttempts: 3,
  backoffMinMs: 100,
  backoffMaxMs: 300,
  pollMs: 500,
  timeoutMs: 3_000,
};

/** Reads until `check` holds (the admin API, the database); fails with `what` and the last value after 15 s. */
export async function until<T>(read: () => Promise<T> | T, check: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real broker on loopback ports with its admin signed in, and a device on real MQTT (issue 17's webhook tests). */
export class WebhookStack {
  admin!: StaffApi;
  /** The admin's own password (the one-time password was replaced at the first login). */
  adminPassword = '';
  private constructor(
    public broker: RunningBroker,
    readonly dataDir: string,
    private readonly options: Partial<BrokerOptions>,
  ) {}

  static async start(options: Partial<BrokerOptions> = {}): Promise<WebhookStack> {
    const dataDir = mkdtempSync(join(tmpdir(), 'tp-webhooks-'));
    const all = { dataDir, host: '127.0.0.1', mqttPort: 0, httpPort: 0, log: 'silent' as const, ...options };
    const stack = new WebhookStack(await startBroker(all), dataDir, all);
    stack.admin = new StaffApi(stack.baseUrl);
    stack.adminPassword = await stack.admin.loginReady(
      stack.broker.initialAdmin!.name,
      stack.broker.initialAdmin!.password,
    );
    return stack;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.broker.httpPort}`;
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.broker.mqttPort}`;
  }

  async device(deviceId: string): Promise<SimulatedDevice> {
    const { token } = await this.broker.fleet.provisionDevice(deviceId, 'coffee-machine');
    const device = new SimulatedDevice(deviceId, token, this.mqttUrl);
    await device.connect();
    return device;
  }

  /** Stops the broker and starts it again on the same data directory and MQTT port; the admin signs in again. */
  async restart(): Promise<void> {
    const mqttPort = this.broker.mqttPort;
    await this.broker.close();
    this.broker = await startBroker({ ...this.options, dataDir: this.dataDir, mqttPort } as BrokerOptions);
    this.admin = new StaffApi(this.baseUrl);
    await this.admin.login('admin', this.adminPassword);
  }

  async createWebhook(body: Record<string, unknown>): Promise<WebhookWithSecret> {
    const res = await this.admin.post('/api/webhooks', body);
    if (res.status !== 201) throw new Error(`webhook not created: ${res.status} ${JSON.stringify(res.body)}`);
    return webhookWithSecret.parse(res.body);
  }

  async deliveries(query = ''): Promise<DeliveryView[]> {
    const res = await this.admin.get(`/api/webhook-deliveries${query}`);
    if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${JSON.stringify(res.body)}`);
    return deliveryListResponse.parse(res.body).items;
  }

  async close(): Promise<void> {
    await this.broker.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
