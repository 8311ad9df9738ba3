import { Child } from '../ipc.js';
import type {
  AgentStats,
  ConnectParams,
  ConnectResult,
  DeviceCredential,
  IngestStartParams,
  IngestStopResult,
} from './loadgen-protocol.js';
import type { PacedParams, PacedResult } from './paced-ingest.js';

const ENTRY = new URL('./loadgen-child.ts', import.meta.url);

/** Most simulated devices one load-generator process holds: well below the 20,000 open-file limit. */
export const DEVICES_PER_PROCESS = 2_500;

/** Several load-generator processes, with devices dealt out round-robin. */
export class LoadgenPool {
  private constructor(readonly children: Child[]) {}

  static async start(processes: number, label = 'loadgen'): Promise<LoadgenPool> {
    const children = await Promise.all(
      Array.from({ length: processes }, (_, i) => Child.spawn(ENTRY, `${label}-${i}`)),
    );
    return new LoadgenPool(children);
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid);
  }

  static processesFor(devices: number): number {
    return Math.max(1, Math.ceil(devices / DEVICES_PER_PROCESS));
  }

  /** Connects every device, spread over the processes; the rate counts from the first start to the last finish. */
  async connect(devices: DeviceCredential[], params: Omit<ConnectParams, 'devices'>): Promise<ConnectResult> {
    const shares = this.children.map(() => [] as DeviceCredential[]);
    devices.forEach((d, i) => shares[i % shares.length]!.push(d));
    const results = await Promise.all(
      this.children.map((c, i) => c.call<ConnectResult>('connectDevices', { ...params, devices: shares[i] })),
    );
    return {
      connected: results.reduce((n, r) => n + r.connected, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      notAttempted: results.reduce((n, r) => n + r.notAttempted, 0),
      errors: results.flatMap((r) => r.errors).slice(0, 5),
      startedAt: Math.min(...results.map((r) => r.startedAt)),
      finishedAt: Math.max(...results.map((r) => r.finishedAt)),
    };
  }

  async ingestStart(params: IngestStartParams): Promise<void> {
    await Promise.all(this.children.map((c) => c.call('ingestStart', params)));
  }

  async ingestStop(settleMs: number): Promise<IngestStopResult> {
    const rs = await Promise.all(this.children.map((c) => c.call<IngestStopResult>('ingestStop', { settleMs })));
    return {
      sent: rs.reduce((n, r) => n + r.sent, 0),
      acked: rs.reduce((n, r) => n + r.acked, 0),
      unacked: rs.reduce((n, r) => n + r.unacked, 0),
    };
  }

  /** Paced ingest timed to receipts, the rate and count split evenly over the processes. */
  async paced(params: PacedParams & { group?: string }): Promise<PacedResult[]> {
    const n = this.children.length;
    return Promise.all(
      this.children.map((c) =>
        c.call<PacedResult>('pacedIngest', {
          ...params,
          rate: params.rate / n,
          warmup: Math.ceil(params.warmup / n),
          count: Math.ceil(params.count / n),
        }),
      ),
    );
  }

  async agentStats(): Promise<AgentStats> {
    const rs = await Promise.all(this.children.map((c) => c.call<AgentStats>('agentStats')));
    return rs.reduce((a, r) => ({
      commands: a.commands + r.commands,
      verified: a.verified + r.verified,
      rejected: a.rejected + r.rejected,
      resultsSent: a.resultsSent + r.resultsSent,
    }));
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.children.map((c) => c.call('closeAll')));
  }

  async closeGroup(group: string): Promise<void> {
    await Promise.all(this.children.map((c) => c.call('closeGroup', { group })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((c) => c.stop()));
  }
}
