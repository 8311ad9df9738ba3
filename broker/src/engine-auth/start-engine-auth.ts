import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Counters } from '../counters.js';
import { openFleetStore } from '../db/open-store.js';
import { AuditLog } from '../fleet/audit.js';
import { hashToken } from '../fleet/credentials.js';
import { Devices } from '../fleet/devices.js';
import { Integrations } from '../fleet/integrations.js';
import { loadOrCreateServiceToken } from '../fleet/service-token.js';
import { createLogger, silentLogger, type Logger } from '../logger.js';
import { dataPaths } from '../options.js';
import { DEFAULT_ENGINE_AUTH_SETTINGS, EngineAuth, type EngineAuthSettings } from './decide.js';
import { createEngineAuthServer } from './server.js';

export interface EngineAuthOptions extends Partial<EngineAuthSettings> {
  /** The fleet's data folder: the service token, and the SQLite database when there is no `databaseUrl`. */
  dataDir: string;
  /** The fleet's PostgreSQL database (`--database-url`, issue 15); absent: the data folder's SQLite file. */
  databaseUrl?: string | undefined;
  /** Ends the wait for an unreachable PostgreSQL (the process is stopping). */
  signal?: AbortSignal;
  /** Default 127.0.0.1: the endpoint answers whether a token is right, so it stays on a private interface. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  logger?: Logger;
  log?: 'silent';
}

export interface RunningEngineAuth {
  /** Base URL; RabbitMQ's paths are `${url}/auth/user`, `/auth/vhost`, `/auth/resource`, `/auth/topic`. */
  url: string;
  host: string;
  port: number;
  counters: Counters;
  devices: Devices;
  integrations: Integrations;
  audit: AuditLog;
  /** The built-in service account's token (the fleet's MQTT clients, username `service`, client ids `svc-*`). */
  serviceToken: string;
  close(): Promise<void>;
}

/**
 * `touchpoint engine-auth`: the auth hook of a clustered MQTT engine (issue 15, docs/scale-out.md),
 * a process of its own beside the engine nodes: stateless apart from a short identity cache, so
 * any number of them can answer behind the engine's configured URL.
 */
export async function startEngineAuth(options: EngineAuthOptions): Promise<RunningEngineAuth> {
  const log = options.logger ?? (options.log === 'silent' ? silentLogger : createLogger('engine-auth'));
  // SQLite or PostgreSQL (waits with backoff until PostgreSQL answers, and migrates it).
  const store = await openFleetStore({
    databaseUrl: options.databaseUrl,
    sqlitePath: dataPaths(options.dataDir).database,
    log,
    signal: options.signal,
  });
  const counters = new Counters();
  const devices = new Devices(store);
  const integrations = new Integrations(store);
  const audit = new AuditLog(store);
  const serviceToken = loadOrCreateServiceToken(join(options.dataDir, 'keys', 'service-token'));
  try {
    await integrations.ensureService(hashToken(serviceToken));
  } catch (err) {
    await store.close();
    throw err;
  }
  const settings: EngineAuthSettings = {
    vhost: options.vhost ?? DEFAULT_ENGINE_AUTH_SETTINGS.vhost,
    exchange: options.exchange ?? DEFAULT_ENGINE_AUTH_SETTINGS.exchange,
    identityTtlMs: options.identityTtlMs ?? DEFAULT_ENGINE_AUTH_SETTINGS.identityTtlMs,
  };
  const auth = new EngineAuth({ devices, integrations, audit, counters, log }, settings);
  const server = createEngineAuthServer(auth, counters, log);
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    counters,
    devices,
    integrations,
    audit,
    serviceToken,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}
