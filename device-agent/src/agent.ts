import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, TouchpointError, type AgentHealth, type DeviceProfile } from '@touchpoint/protocol';
import type { AgentEvents } from './agent-events.js';
import type { AgentServices } from './agent-services.js';
import type { McuBridge } from './bridge/mcu-bridge.js';
import type { AgentConfig } from './config.js';
import { EventBus } from './event-bus.js';
import type { Extension } from './extension.js';
import { ExtensionRunner } from './extension-runner.js';
import { CommandExtension } from './extensions/commands/command-extension.js';
import { builtinActions, type AgentActionHandler } from './extensions/commands/agent-actions.js';
import { helpContentSource, helpInstallAction } from './extensions/commands/help-install.js';
import { ReplayStore } from './extensions/commands/replay-store.js';
import { DiagnosticsExtension, type ExtraDiagnostics } from './extensions/diagnostics/diagnostics-extension.js';
import { touchUiExtensions } from './extensions/help-session/index.js';
import { videoExtension } from './extensions/video/index.js';
import { LogRing, recordingLogger, supportBundleExtension } from './extensions/support-bundle/index.js';
import { chatExtension } from './extensions/chat/index.js';
import { McuLink } from './extensions/mcu-link.js';
import { loadKioskSecret } from './local-server/kiosk-key.js';
import { LocalServer } from './local-server/local-server.js';
import { childLogger, createLogger, type Logger } from './logger.js';
import { MqttConnection } from './mqtt/connection.js';
import type { TlsMaterial } from './mqtt/stream.js';
import { Outbox } from './outbox/outbox.js';
import { OutboxPublisher } from './outbox/publisher.js';
import { Reporter } from './outbox/reporter.js';
import { loadProfile } from './profile-loader.js';
import { openAgentDatabase } from './store/database.js';
import { AGENT_VERSION } from './version.js';
import { installedContentVersion } from './extensions/commands/content-version.js';

/** How a device maker adapts the agent without forking it. */
export interface AgentHooks {
  /** Agent-local actions (profile `target: "agent"`); they override the built-ins of the same name. */
  actions?: Record<string, AgentActionHandler>;
  /** Extra key/values merged into every diagnostics snapshot (`extra`). */
  diagnostics?: ExtraDiagnostics;
  /** More features (help session, video, signalling), started after the built-ins and stopped before them. */
  extensions?: (services: AgentServices) => Extension[];
  /** Build the MCU bridge yourself (another transport, a test double). Default: @touchpoint/firmware-bridge over config.serial. */
  createBridge?: (config: AgentConfig, profile: DeviceProfile, logger: Logger) => McuBridge;
  /** Called instead of the in-process restart for the `agent.restart` action (e.g. exit and let systemd restart). */
  restart?: (reason: string) => Promise<void> | void;
  logger?: Logger;
  /** The clock for command expiry checks (tests). */
  now?: () => number;
}

export interface Agent {
  readonly services: AgentServices;
  /** Starts every extension; resolves once they run (the broker may still be unreachable). */
  start(): Promise<void>;
  /** Stops every extension in reverse order and closes the database. The agent cannot be started again. */
  stop(): Promise<void>;
  /** Stops and starts every extension in-process (the default `agent.restart`). */
  restart(reason: string): Promise<void>;
  health(): AgentHealth;
}

const here = dirname(fileURLToPath(import.meta.url));
/** device-agent/ui/dist next to the sources; the bundle passes localServer.uiDir instead. */
const DEFAULT_UI_DIR = resolve(here, '..', 'ui', 'dist');

function readTls(config: AgentConfig): TlsMaterial | undefined {
  if (!config.tls) return undefined;
  const read = (path: string | undefined, what: string): Buffer | undefined => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new TouchpointError(ErrorCode.NOT_FOUND, `cannot read TLS ${what} ${path}: ${(err as Error).message}`);
    }
  };
  return {
    ca: read(config.tls.caFile, 'CA file'),
    cert: read(config.tls.certFile, 'certificate'),
    key: read(config.tls.keyFile, 'key'),
    rejectUnauthorized: config.tls.rejectUnauthorized,
    ...(config.tls.servername ? { servername: config.tls.servername } : {}),
  };
}

/**
 * The composition root: builds every service and extension from one config
 * and wires them through the event bus. Nothing else constructs them.
 */
export async function createAgent(config: AgentConfig, hooks: AgentHooks = {}): Promise<Agent> {
  // Recent log lines stay in memory for support bundles (issue 17); redacted only when a bundle is built.
  const logRing = new LogRing();
  const logger = recordingLogger(hooks.logger ?? createLogger(`agent ${config.deviceId}`), logRing);
  const profile = loadProfile(config.profile);
  const tls = readTls(config);
  const bridgeFactory = hooks.createBridge ?? (await import('./bridge/default-bridge.js')).createDefaultBridge;
  const bridge = bridgeFactory(config, profile, childLogger(logger, 'mcu'));

  const db = openAgentDatabase(config.dataDir);
  const cacheDir = join(config.dataDir, 'cache');
  const bus = new EventBus<AgentEvents>(childLogger(logger, 'bus'));
  const outbox = new Outbox(db, config.outbox, childLogger(logger, 'outbox'));
  const reporter = new Reporter(outbox, config.deviceId, bus);
  const mcu = new McuLink(bridge, config.serial.path, bus, childLogger(logger, 'mcu'));
  const startedAt = Date.now();
  // The help content it runs, for the fleet's desired state (issue 18); followed on each install below.
  const content = { version: installedContentVersion(config.dataDir) };

  const connection = new MqttConnection({
    deviceId: config.deviceId,
    brokerUrl: config.brokerUrl,
    token: config.token,
    ...(tls ? { tls } : {}),
    keepaliveS: config.keepaliveS,
    reconnect: config.reconnect,
    presence: () => ({
      model: profile.model,
      agentVersion: AGENT_VERSION,
      profileVersion: profile.version,
      ...(mcu.mcuInfo ? { firmwareVersion: mcu.mcuInfo.firmwareVersion } : {}),
      ...(content.version ? { contentVersion: content.version } : {}),
    }),
    bus,
    logger: childLogger(logger, 'mqtt'),
  });

  // The runner is built with the extensions below; health() is first called once they start.
  const failed: { runner?: ExtensionRunner } = {};
  const failedExtensions = (): string[] => [...(failed.runner?.failed.keys() ?? [])];
  // Whether the customer allows remote control on the touchscreen (issue 16), as the fleet sees it in diagnostics.
  const remoteControl: { until: number | null } = { until: null };
  const health = (): AgentHealth => ({
    outboxDepth: outbox.depth,
    outboxDropped: outbox.dropped,
    reconnects: connection.reconnects,
    link: mcu.link,
    uptimeS: (Date.now() - startedAt) / 1000,
    ...(failedExtensions().length > 0 ? { failedExtensions: failedExtensions() } : {}),
    ...(remoteControl.until !== null && remoteControl.until > Date.now()
      ? { remoteControlUntil: remoteControl.until }
      : {}),
  });

  const diagnostics = new DiagnosticsExtension({
    deviceId: config.deviceId,
    intervalMs: config.diagnosticsIntervalS * 1000,
    dataDir: config.dataDir,
    mcu,
    reporter,
    health,
    bus,
    logger: childLogger(logger, 'diagnostics'),
    ...(hooks.diagnostics ? { extra: hooks.diagnostics } : {}),
  });
  // The fleet learns at once when the customer allows or ends remote control: a snapshot that carries it.
  bus.on('support.remote', ({ until }) => {
    if (until === remoteControl.until) return;
    remoteControl.until = until;
    void diagnostics.snapshot('remote-control');
  });

  // The in-process restart is defined with the agent below; the built-in action reaches it through this slot.
  const self: { restart?: (reason: string) => Promise<void> } = {};
  const actions = builtinActions({
    snapshot: async () => (await diagnostics.snapshot('request'))?.id,
    reconnect: (reason) => connection.reconnectNow(reason),
    restart: (reason) => {
      const run = hooks.restart
        ? Promise.resolve(hooks.restart(reason))
        : (self.restart?.(reason) ?? Promise.resolve());
      run.catch((err: unknown) =>
        logger.error('restart failed', { code: ErrorCode.INTERNAL, error: (err as Error).message }),
      );
    },
    cacheDir,
  });
  actions.set(
    'help.install',
    helpInstallAction({
      dataDir: config.dataDir,
      profile,
      source: helpContentSource(config.helpContent),
      logger: childLogger(logger, 'help.install'),
      installed: (dir, sha256, flows) => bus.emit('help.installed', { dir, sha256, flows }),
    }),
  );
  for (const [name, handler] of Object.entries(hooks.actions ?? {})) actions.set(name, handler);

  const commands = new CommandExtension({
    deviceId: config.deviceId,
    profile,
    trustedKeys: config.trustedKeys,
    ...(config.rootKeys ? { rootKeys: config.rootKeys } : {}),
    clockSkewMs: config.commands.clockSkewS * 1000,
    customerWaitMs: config.commands.customerWaitS * 1000,
    replay: new ReplayStore(db),
    mcu,
    actions,
    reporter,
    connection,
    bus,
    logger: childLogger(logger, 'commands'),
    ...(hooks.now ? { now: hooks.now } : {}),
  });

  const localServer = config.localServer.enabled
    ? new LocalServer({
        host: config.localServer.host,
        port: config.localServer.port,
        uiDir: config.localServer.uiDir ?? DEFAULT_UI_DIR,
        deviceId: config.deviceId,
        profile,
        agentVersion: AGENT_VERSION,
        bus,
        link: () => mcu.link,
        activeErrors: () => mcu.bridge.activeErrors,
        remoteControlMinutes: config.commands.remoteControlMinutes,
        historyFile: join(config.dataDir, 'support-history.json'),
        idleTimeoutS: config.touchscreen.idleTimeoutS,
        staffNames: config.touchscreen.staffNames,
        logger: childLogger(logger, 'local'),
        kiosk: {
          secret: loadKioskSecret(config.dataDir),
          urlFile: config.localServer.kioskUrlFile ?? join(config.dataDir, 'kiosk-url'),
        },
      })
    : undefined;

  const services: AgentServices = {
    config,
    profile,
    bus,
    logger,
    reporter,
    outbox,
    connection,
    mcu,
    diagnostics,
    actions,
    localServer,
    db,
    cacheDir,
    health,
  };

  // One line per committed report: with TOUCHPOINT_LOG_LEVEL=debug the log is a record of what must arrive.
  bus.on('report.queued', ({ kind, messageId, seq }) => logger.debug('report queued', { kind, id: messageId, seq }));

  // Presence carries the firmware version: publish it again once the MCU has told us.
  bus.on('mcu.info', () => connection.refreshPresence());
  bus.on('help.installed', ({ sha256 }) => {
    content.version = sha256;
    connection.refreshPresence();
  });

  // Start order: the MCU and report producers first, then the UI and extras, then the publisher, the connection last
  // (so every subscription is registered before the first CONNACK). Stop runs in reverse.
  const extensions: Extension[] = [
    mcu,
    diagnostics,
    commands,
    ...(localServer
      ? [localServer, ...touchUiExtensions(services), ...[videoExtension(services)].filter((e) => e !== undefined)]
      : []),
    supportBundleExtension(services, logRing),
    ...[chatExtension(services)].filter((e) => e !== undefined),
    ...(hooks.extensions?.(services) ?? []),
    new OutboxPublisher({
      deviceId: config.deviceId,
      outbox,
      connection,
      bus,
      maxInflight: config.outbox.maxInflight,
      receiptTimeoutMs: config.outbox.receiptTimeoutMs,
      logger: childLogger(logger, 'outbox'),
    }),
    connection,
  ];

  const runner = new ExtensionRunner(extensions, childLogger(logger, 'extensions'));
  failed.runner = runner;
  let closed = false;

  const agent: Agent = {
    services,
    health,
    async start() {
      if (closed) throw new TouchpointError(ErrorCode.CONFLICT, 'this agent was stopped; create a new one');
      if (runner.started) return;
      try {
        await runner.startAll();
      } catch (err) {
        await runner.stopAll();
        throw err;
      }
      logger.info('agent started', {
        agentVersion: AGENT_VERSION,
        model: profile.model,
        profileVersion: profile.version,
        broker: config.brokerUrl,
        serial: config.serial.path,
      });
    },
    async stop() {
      if (closed) return;
      closed = true;
      await runner.stopAll();
      db.close();
      logger.info('agent stopped');
    },
    async restart(reason) {
      if (closed) return;
      logger.warn('restarting the agent', { reason });
      await runner.stopAll();
      await runner.startAll();
    },
  };
  self.restart = (reason) => agent.restart(reason);
  return agent;
}
