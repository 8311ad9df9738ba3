import { join } from 'node:path';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import type { SigningOptions } from './signer/open-signer.js';
import type { VideoOptions } from './video/options.js';
import type { SimulatorBackend } from './simulator/simulator-routes.js';
import type { WebhookOptions } from './webhooks/service.js';
import type { SignerKey } from '@touchpoint/protocol/signing';
import { DEFAULT_DEVICE_BUDGET } from './fleet/budget.js';
import { DEFAULT_RECORD_LIMITS } from './fleet/record-limits.js';
import { DEFAULT_RETENTION, type RetentionOptions, type RetentionPolicy } from './fleet/retention.js';
import type { FleetLimits } from './fleet/fleet.js';

export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

export interface BrokerLimits {
  /** Largest MQTT packet accepted, checked on the stream before aedes buffers it. */
  maxPacketBytes: number;
  /** Bytes a socket may send before its CONNECT is accepted. */
  maxPreAuthBytes: number;
  /** Close sockets that never send CONNECT [MQTT-3.1.0-1]. */
  connectTimeoutMs: number;
  /** Disconnect a subscriber whose socket does not drain, so it cannot stall delivery to others. */
  drainTimeoutMs: number;
  /** Messages queued for a client while its session is being set up. */
  queueLimit: number;
  /** Inbound QoS 2 messages awaiting PUBREL per client. */
  maxInflightInbound: number;
  /** Messages aedes routes concurrently. */
  concurrency: number;
  maxTopicLevels: number;
  /**
   * Longest keep alive honoured, in seconds. A client asking for more, or for none (0), gets this as a
   * server idle timeout: silent for 1.5 × this, it is disconnected (docs/protocol.md).
   */
  keepaliveLimitS: number;
  /** aedes' broker heartbeat; stored wills of a previous broker run are swept every four of these. */
  heartbeatIntervalMs: number;
  /**
   * Per-device ingest budget (issue 12 #9): messages per second sustained, and the burst after a quiet
   * spell. Over it, a message is acknowledged, not stored, quarantined and counted (`rejected.OVER_BUDGET`).
   */
  deviceMessagesPerSecond: number;
  deviceMessageBurst: number;
  /** The same budget in payload bytes. */
  deviceBytesPerSecond: number;
  deviceByteBurst: number;
  /** Largest payload stored per record kind (`rejected.PAYLOAD_TOO_LARGE` above), well below maxPacketBytes. */
  maxDiagnosticsBytes: number;
  maxEventBytes: number;
  maxCaseBytes: number;
  /** Presence, command results and WebRTC signalling. */
  maxOtherMessageBytes: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024,
  maxPreAuthBytes: 8 * 1024,
  connectTimeoutMs: 10_000,
  drainTimeoutMs: 10_000,
  queueLimit: 100,
  maxInflightInbound: 100,
  concurrency: 1000,
  maxTopicLevels: 10,
  keepaliveLimitS: 600,
  heartbeatIntervalMs: 60_000,
  deviceMessagesPerSecond: DEFAULT_DEVICE_BUDGET.messagesPerSecond,
  deviceMessageBurst: DEFAULT_DEVICE_BUDGET.messageBurst,
  deviceBytesPerSecond: DEFAULT_DEVICE_BUDGET.bytesPerSecond,
  deviceByteBurst: DEFAULT_DEVICE_BUDGET.byteBurst,
  maxDiagnosticsBytes: DEFAULT_RECORD_LIMITS.diagnosticsBytes,
  maxEventBytes: DEFAULT_RECORD_LIMITS.eventBytes,
  maxCaseBytes: DEFAULT_RECORD_LIMITS.caseBytes,
  maxOtherMessageBytes: DEFAULT_RECORD_LIMITS.otherBytes,
};

/** Retention of device history; each table's policy may be given in part. See docs/protocol.md. */
export type RetentionSettings = Partial<Omit<RetentionOptions, RetentionTableName>> & {
  [K in RetentionTableName]?: Partial<RetentionPolicy>;
};
type RetentionTableName = 'diagnostics' | 'events' | 'presence' | 'bundles';

/** The fleet's share of the limits, in the shape the fleet service takes. */
export function fleetLimits(limits: BrokerLimits, retention: RetentionSettings = {}): FleetLimits {
  return {
    ingest: {
      budget: {
        messagesPerSecond: limits.deviceMessagesPerSecond,
        messageBurst: limits.deviceMessageBurst,
        bytesPerSecond: limits.deviceBytesPerSecond,
        byteBurst: limits.deviceByteBurst,
      },
      records: {
        diagnosticsBytes: limits.maxDiagnosticsBytes,
        eventBytes: limits.maxEventBytes,
        caseBytes: limits.maxCaseBytes,
        otherBytes: limits.maxOtherMessageBytes,
      },
    },
    retention: {
      ...DEFAULT_RETENTION,
      ...retention,
      diagnostics: { ...DEFAULT_RETENTION.diagnostics, ...retention.diagnostics },
      events: { ...DEFAULT_RETENTION.events, ...retention.events },
      presence: { ...DEFAULT_RETENTION.presence, ...retention.presence },
      bundles: { ...DEFAULT_RETENTION.bundles, ...retention.bundles },
    },
  };
}

export interface BrokerOptions {
  dataDir: string;
  host?: string;
  /** 0 picks an ephemeral port. */
  mqttPort?: number;
  /** HTTP server for the console, the API and MQTT over WebSocket (`/mqtt`). */
  httpPort?: number;
  tls?: TlsFiles;
  mqttsPort?: number;
  limits?: Partial<BrokerLimits>;
  /** Directory with the built console (index.html + assets). */
  consoleDir?: string;
  /**
   * Where device models are read from (profile.json, flows/), in order: each a model folder or a folder of
   * model folders; the first folder that declares a model wins (--models-dir, TP_MODELS_DIR). Default: the bundled examples.
   */
  modelsDirs?: string[] | undefined;
  /**
   * The origin staff and phones reach this broker at, e.g. https://support.example.com (TP_PUBLIC_URL).
   * It is the one allowed browser Origin for MQTT over WebSocket, the origin of phone links, and when it is
   * https the session cookie is Secure by default. Required for phone links when the broker listens off loopback.
   */
  publicUrl?: string | undefined;
  /** Mark the session cookie `Secure`. Default: true when `publicUrl` is https. */
  secureCookies?: boolean | undefined;
  /**
   * Addresses of reverse proxies whose X-Forwarded-For is believed (TP_TRUSTED_PROXIES, comma-separated).
   * Default none: the peer address is the client.
   */
  trustedProxies?: string[] | undefined;
  /** How often live integration connections are checked against their account (revoked or rotated elsewhere). Default 5 s. */
  integrationCheckMs?: number;
  /** How often queued commands are checked for expiry. */
  expirySweepMs?: number;
  /**
   * The maker's help content key (issue 18, docs/help-lifecycle.md): rollouts sign approved content versions with
   * it and devices fetch them from this broker's `/content/`. Without it a rollout is refused.
   */
  contentKey?: SignerKey | undefined;
  /** How often running rollouts are judged against their control group. Default 60 s. */
  rolloutEvaluateMs?: number;
  /** Where commands are signed and how the key is unlocked (issue 12 #10, docs/keys.md). Default: in process, passphrase from the environment. */
  signing?: SigningOptions;
  /** How often the signer is asked whether the key list changed (a rotation with no command sent since). */
  keyCheckMs?: number;
  /** How long diagnostics, events and presence history are kept (default 30/90/90 days, with per-device row caps). */
  retention?: RetentionSettings;
  /** Video calls: ring timeout, STUN/TURN, the public URL for phone links. Default: from TP_* environment variables. */
  video?: VideoOptions;
  /** The demo's simulated devices (`touchpoint demo`): serves /api/devices/:id/simulator for the console's Simulator panel. */
  simulator?: SimulatorBackend;
  /** Webhook delivery: concurrency, timeout, attempts and back-off (docs/integrations.md#retries-and-the-dead-letter-list). */
  webhooks?: Partial<WebhookOptions>;
  /** Log output; `silent` for tests and benchmarks. */
  log?: 'info' | 'debug' | 'warn' | 'silent';
}

export function dataPaths(dataDir: string) {
  return {
    database: join(dataDir, 'fleet.sqlite'),
    mqttSessions: join(dataDir, 'mqtt-sessions'),
    signingKey: join(dataDir, 'keys', 'command-signing.json'),
  };
}

/** The public URL as an origin (`https://host[:port]`), or a clear configuration error. */
export function checkPublicUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `--public-url must be an absolute http(s) URL such as https://support.example.com, got ${JSON.stringify(value)}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `--public-url must use https (or http on a LAN), got ${url.protocol}`,
    );
  return url.origin;
}
