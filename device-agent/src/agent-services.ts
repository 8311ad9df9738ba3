// The services the composition root (agent.ts) hands to every extension. A file of its own so
// that extensions can name the type without importing the root that imports them (issue 14).
import type { AgentHealth, DeviceProfile } from '@touchpoint/protocol';
import type { AgentEvents } from './agent-events.js';
import type { AgentConfig } from './config.js';
import type { EventBus } from './event-bus.js';
import type { AgentActionRegistry } from './extensions/commands/agent-actions.js';
import type { DiagnosticsExtension } from './extensions/diagnostics/diagnostics-extension.js';
import type { McuLink } from './extensions/mcu-link.js';
import type { LocalServer } from './local-server/local-server.js';
import type { Logger } from './logger.js';
import type { MqttConnection } from './mqtt/connection.js';
import type { Outbox } from './outbox/outbox.js';
import type { Reporter } from './outbox/reporter.js';
import type { AgentDatabase } from './store/database.js';

/** The services an extension can use; handed to `hooks.extensions`. */
export interface AgentServices {
  readonly config: AgentConfig;
  readonly profile: DeviceProfile;
  readonly bus: EventBus<AgentEvents>;
  readonly logger: Logger;
  /** Queue events, command results and cases (durable, in order). */
  readonly reporter: Reporter;
  readonly outbox: Outbox;
  readonly connection: MqttConnection;
  readonly mcu: McuLink;
  readonly diagnostics: DiagnosticsExtension;
  /** Agent-local actions by name; add one with `actions.set(name, handler)` before start. */
  readonly actions: AgentActionRegistry;
  /** undefined when `localServer.enabled` is false. */
  readonly localServer: LocalServer | undefined;
  readonly db: AgentDatabase;
  /** dataDir/cache: cleared by the `cache.clear` action; help content lives here. */
  readonly cacheDir: string;
  health(): AgentHealth;
}
