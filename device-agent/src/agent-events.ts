import type {
  CaseStatusMessage,
  CommandEnvelope,
  CommandResultMessage,
  DeviceEventMessage,
  DiagnosticsMessage,
  HelpUiMessage,
  LinkState,
  McuInfo,
  VideoUiMessage,
} from '@touchpoint/protocol';
import type { McuEvent } from './bridge/mcu-bridge.js';
import type { ReportKind } from './outbox/outbox.js';

export type CommandIssuer = NonNullable<CommandEnvelope['issuer']>;

/** Everything extensions say to each other. Payloads are plain data. */
export interface AgentEvents {
  'mqtt.connected': { connectionId: string; reconnects: number };
  'mqtt.disconnected': { reason: string };
  'mcu.link': { state: LinkState; reason?: string };
  'mcu.event': McuEvent;
  'mcu.info': McuInfo;
  'diagnostics.snapshot': DiagnosticsMessage;
  'command.result': CommandResultMessage;
  /**
   * A staff command passed every check and starts to run (the touchscreen shows it, issue 16). `issuer`: who
   * issued it, from the signed command (absent from older fleets).
   */
  'command.accepted': { commandId: string; action: string; issuer?: CommandIssuer };
  'command.progress': { commandId: string; action: string; percent: number; message?: string };
  /** A staff command for an action that needs the customer waits for their answer until `until` (issue 16). */
  'command.consent.asked': { commandId: string; action: string; until: number; issuer?: CommandIssuer };
  /** The customer's answer, or `remote-control` when they had allowed remote control beforehand. */
  'command.consent.answered': { commandId: string; allowed: boolean; by: 'customer' | 'remote-control' };
  'case.status': CaseStatusMessage;
  /** The customer escalated: the case is queued with this snapshot's errors and sensor readings (issue 16, receipts). */
  'case.opened': { caseId: string; at: number; errors: string[]; sensors: string[] };
  /** A video call the customer accepted has ended (issue 16, receipts): who called, what was shared, how long. */
  'video.call.ended': {
    sessionId: string;
    staffName: string;
    camera: boolean;
    microphone: boolean;
    acceptedAt: number;
    endedAt: number;
  };
  /** The customer allowed remote control until `until` (ms since epoch), or it ended (null; issue 16). */
  'support.remote': { until: number | null };
  /** An event report (help trace, MCU error, link, video) went into the outbox. */
  'event.reported': DeviceEventMessage;
  'report.queued': { kind: ReportKind; messageId: string; seq: number };
  /** The fleet's receipt says it stored the report (issue 15); the outbox has deleted it. */
  'report.delivered': { kind: ReportKind; messageId: string; seq: number };
  /** `help.install` put new help content live: `dir` holds `flows/` (see installedHelpDir). */
  'help.installed': { dir: string; sha256: string; flows: number };
  /** What the help session pushed to the touchscreen; the customer's phone mirrors it (issue 17). */
  'help.ui': HelpUiMessage;
  /** What the video extension pushed to the touchscreen; the customer's phone offers to join the call (issue 17). */
  'video.ui': VideoUiMessage;
}
