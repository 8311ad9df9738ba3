import type {
  CaseStatus,
  ChatLiveChange,
  CommandStatus,
  DeviceEvent,
  DiagnosticsMessage,
  HelpTraceEntry,
  PhoneUpMessage,
  SignalMessage,
} from '@touchpoint/protocol';
import { SafeEventEmitter } from '@touchpoint/runtime';

/** What the fleet announces as it happens; the console's live channel and tests listen here. */
export interface LiveEvents {
  presence: [{ deviceId: string; online: boolean; at: number }];
  /** A birth on a new connection: the device came online (issue 15); a refresh of the same connection is not one. */
  birth: [{ deviceId: string; connectionId: string; at: number; contentVersion?: string | undefined }];
  /** The stored snapshot, and the size of its payload as the device sent it. */
  diagnostics: [DiagnosticsMessage, number];
  event: [{ deviceId: string; at: number; event: DeviceEvent }];
  help: [{ deviceId: string; sessionId: string; flowId: string; entry: HelpTraceEntry }];
  case: [{ caseId: string; deviceId: string; status: CaseStatus; change: 'opened' | 'updated' }];
  /** A staff note on a case (webhooks' case.updated, the Zammad connector; issue 17). */
  caseNote: [{ caseId: string; deviceId: string; staffId: string; at: number; text: string }];
  command: [
    {
      commandId: string;
      deviceId: string;
      status: CommandStatus;
      code?: string | undefined;
      reason?: string | undefined;
    },
  ];
  /** A case's chat changed (issue 17, "Live chat"; broker/src/chat). */
  chat: [ChatLiveChange];
  audit: [{ action: string; actor: string; deviceId?: string | undefined }];
  /** WebRTC signalling a device (or phone) sent up; the console's live channel routes it to the bound staff member. */
  signal: [{ deviceId: string; message: SignalMessage }];
  /** What a device sent about its customer's phone access (issue 17); broker/src/phone relays it. */
  phone: [{ deviceId: string; message: PhoneUpMessage }];
  /**
   * Events may have been missed (cluster mode: the live channel between processes reconnected, issue 15):
   * the console's streams are told to refetch.
   */
  gap: [{ reason: string }];
}

/** A typed emitter whose listener failures are reported (the fleet logs them), never thrown into the ingest path. */
export class LiveBus extends SafeEventEmitter<LiveEvents> {}
