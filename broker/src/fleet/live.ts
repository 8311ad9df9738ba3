import { EventEmitter } from 'node:events';
import type {
  CaseStatus,
  CommandStatus,
  DeviceEvent,
  DiagnosticsMessage,
  HelpTraceEntry,
  SignalMessage,
} from '@touchpoint/protocol';

/** What the fleet announces as it happens; the console's live channel and tests listen here. */
export interface LiveEvents {
  presence: [{ deviceId: string; online: boolean; at: number }];
  /** The stored snapshot, and the size of its payload as the device sent it. */
  diagnostics: [DiagnosticsMessage, number];
  event: [{ deviceId: string; at: number; event: DeviceEvent }];
  help: [{ deviceId: string; sessionId: string; flowId: string; entry: HelpTraceEntry }];
  case: [{ caseId: string; deviceId: string; status: CaseStatus; change: 'opened' | 'updated' }];
  command: [
    {
      commandId: string;
      deviceId: string;
      status: CommandStatus;
      code?: string | undefined;
      reason?: string | undefined;
    },
  ];
  audit: [{ action: string; actor: string; deviceId?: string | undefined }];
  /** WebRTC signalling a device (or phone) sent up; the console's live channel routes it to the bound staff member. */
  signal: [{ deviceId: string; message: SignalMessage }];
}

/** A typed emitter whose listener failures are logged, never thrown into the ingest path. */
export class LiveBus extends EventEmitter<LiveEvents> {
  constructor(private readonly onListenerError: (event: string, err: unknown) => void) {
    super({ captureRejections: false });
    this.setMaxListeners(1000);
  }

  override emit<K extends keyof LiveEvents>(event: K, ...args: LiveEvents[K]): boolean {
    for (const listener of this.listeners(event)) {
      try {
        (listener as (...a: LiveEvents[K]) => void)(...args);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
    return this.listenerCount(event) > 0;
  }
}
