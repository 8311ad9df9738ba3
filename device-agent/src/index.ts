import type { CliCommand } from '@touchpoint/protocol';
import { agentCommand } from './cli/agent-command.js';
import { contentCommands } from './cli/content-commands.js';

/** `touchpoint` sub-commands this workspace provides. */
export const commands: CliCommand[] = [agentCommand, ...contentCommands];

export { createAgent, type Agent, type AgentHooks } from './agent.js';
export type { AgentServices } from './agent-services.js';
export { agentConfigSchema, loadConfigFile, parseConfig, type AgentConfig, type AgentConfigInput } from './config.js';
export type { AgentEvents } from './agent-events.js';
export { EventBus, type Listener } from './event-bus.js';
export type { Extension } from './extension.js';
export { ExtensionBase } from './extension-base.js';
export type { ExtensionContext } from './extension-context.js';
export type { Logger } from './logger.js';
export { createLogger, silentLogger } from './logger.js';
export type { McuBridge, McuEvent, McuActionResult } from './bridge/mcu-bridge.js';
export type {
  AgentActionContext,
  AgentActionHandler,
  AgentActionRegistry,
} from './extensions/commands/agent-actions.js';
export { installedHelpDir, helpContentSchema } from './extensions/commands/help-install.js';
export type { ExtraDiagnostics } from './extensions/diagnostics/diagnostics-extension.js';
export { LocalServer, type UiClient, type UiRequestHandler, type HttpHandler } from './local-server/local-server.js';
export { kioskProtocols, kioskSecretOf } from './local-server/kiosk-key.js';
export type { Outbox, ReportKind } from './outbox/outbox.js';
export type { Reporter, CaseInput, CommandResultInput } from './outbox/reporter.js';
export type { MqttConnection } from './mqtt/connection.js';
export { AGENT_VERSION } from './version.js';
