import type { SignerKey, TrustedKey } from '@touchpoint/protocol/signing';

/** The calls a load-generator process answers (see loadgen-child.ts). */

export interface DeviceCredential {
  id: string;
  /** Absent for the unauthenticated baselines. */
  token?: string;
}

export interface ConnectParams {
  /** The device group (one per broker under test); default 'default'. */
  group?: string;
  host: string;
  port: number;
  devices: DeviceCredential[];
  /** Handshakes in progress at once in this process. */
  concurrency: number;
  keepaliveS: number;
  /** Subscribe to the device's command topic (QoS 1). */
  subscribe: boolean;
  /** Publish an online presence (QoS 1) and set the offline one as the will. */
  presence: boolean;
  /** Set the retain flag on presence and will, as the agent does. */
  retainPresence: boolean;
  /** Stop starting new connections this long after the first (the rest count as not attempted). */
  budgetMs?: number;
  /** Answer commands as a stub agent that verifies signatures against these keys. */
  agent?: { trusted: TrustedKey[] };
}

export interface ConnectResult {
  connected: number;
  failed: number;
  /** Devices never started because the time budget ran out. */
  notAttempted: number;
  errors: string[];
  startedAt: number;
  finishedAt: number;
}

export interface IngestStartParams {
  group?: string;
  qos: 0 | 1;
  /** QoS 1: publishes in flight per device. QoS 0: messages per corked batch. */
  window: number;
  runTag: string;
}

export interface IngestStopResult {
  sent: number;
  acked: number;
  unacked: number;
}

export interface SubscriberParams {
  host: string;
  port: number;
  filter: string;
  qos: 0 | 1;
  clientId: string;
  username?: string;
  password?: string;
}

/** A counter with the time it was read, taken in the process that counts. */
export interface Sample {
  count: number;
  at: number;
}

export interface ConsoleRunParams {
  targets: string[];
  rate: number;
  warmup: number;
  count: number;
  drainMs: number;
  action: string;
  params: Record<string, unknown>;
  signer: SignerKey;
}

export interface ConsoleRunResult {
  /** ms from scheduled send to `succeeded` received, for the measured (post-warmup) commands. */
  latencies: number[];
  issued: number;
  succeeded: number;
  lost: number;
  maxLagMs: number;
}

export interface AgentStats {
  commands: number;
  verified: number;
  rejected: number;
  resultsSent: number;
}

export interface ApiRunParams {
  httpPort: number;
  staff: { name: string; password: string };
  targets: string[];
  rate: number;
  warmup: number;
  count: number;
  action: string;
  params: Record<string, unknown>;
}

export interface ApiRunResult {
  /** Every accepted POST: the command id, when it was scheduled, when the 201 arrived. */
  sent: { id: string; scheduledAt: number; respondedAt: number; measured: boolean }[];
  failed: number;
  errors: string[];
  maxLagMs: number;
}
