import type {
  CaseStatusMessage,
  CommandResultMessage,
  DiagnosticsMessage,
  LinkState,
  McuInfo,
} from '@touchpoint/protocol';
import type { McuEvent } from './bridge/mcu-bridge.js';
import type { ReportKind } from './outbox/outbox.js';

/** Everything extensions say to each other. Payloads are plain data. */
export interface AgentEvents {
  'mqtt.connected': { connectionId: string; reconnects: number };
  'mqtt.disconnected': { reason: string };
  'mcu.link': { state: LinkState; reason?: string };
  'mcu.event': McuEvent;
  'mcu.info': McuInfo;
  'diagnostics.snapshot': DiagnosticsMessage;
  'command.result': CommandResultMessage;
  /** A staff command passed every check and starts to run (the touchscreen shows it, issue 16). */
  'command.accepted': { commandId: string; action: string };
  'command.progress': { commandId: string; action: string; percent: number; message?: string };
  /** A staff command for an action that needs the customer waits for their answer until `until` (issue 16). */
  'command.consent.asked': { commandId: string; action: string; until: number };
  /** The customer's answer, or `remote-control` when they had allowed remote control beforehand. */
  'command.consent.answered': { commandId: string; allowed: boolean; by: 'customer' | 'remote-control' };
  'case.status': CaseStatusMessage;
  /** The customer allowed remote control until `until` (ms since epoch), or it ended (null; issue 16). */
  'support.remote': { until: number | null };
  'report.queued': { kind: ReportKind; messageId: string; seq: number };
  /** The fleet's receipt says it stored the report (issue 15); the outbox has deleted it. */
  'report.delivered': { kind: ReportKind; messageId: string; seq: number };
  /** `help.install` put new help content live: `dir` holds `flows/` (see installedHelpDir). */
  'help.installed': { dir: string; sha256: string; flows: number };
}
