import type { CaseStatusMessage, DeviceProfile, LocalizedText, UiAgentMessage } from '@touchpoint/protocol';
import type { AgentEvents } from '../agent-events.js';
import type { EventBus } from '../event-bus.js';
import type { ExtensionContext } from '../extension-context.js';

interface Running {
  commandId: string;
  action: string;
  label: LocalizedText | undefined;
  percent: number | undefined;
  message: string | undefined;
}

/**
 * What support does on the device, for the touchscreen (issue 16: the customer
 * always knows what support does): a staff command that passed every check is
 * pushed as `command` accepted with the profile's name of the action, then its
 * `progress`, then its result; the fleet's status of the customer's case as
 * `case.status`. A command refused before it ran changed nothing on the device
 * and is not shown. A UI that connects (or reloads) meanwhile is greeted with
 * the running command and the open case's status.
 */
export class SupportActivity {
  private running: Running | undefined;
  private caseStatus: CaseStatusMessage | undefined;

  constructor(
    private readonly profile: DeviceProfile,
    private readonly broadcast: (message: UiAgentMessage) => void,
  ) {}

  start(context: ExtensionContext, bus: EventBus<AgentEvents>): void {
    // After an in-process restart nothing of the previous run is running: its commands are reported interrupted.
    this.running = undefined;
    context.on(bus, 'command.accepted', ({ commandId, action }) => {
      const label = this.profile.actions.find((a) => a.name === action)?.label;
      this.running = { commandId, action, label, percent: undefined, message: undefined };
      this.broadcast(this.commandMessage(this.running, 'accepted'));
    });
    context.on(bus, 'command.progress', (p) => {
      const running = this.running;
      if (running?.commandId !== p.commandId) return;
      running.percent = p.percent;
      running.message = p.message?.slice(0, 256);
      this.broadcast(this.progressMessage(running));
    });
    context.on(bus, 'command.result', (r) => {
      const running = this.running;
      if (running?.commandId !== r.commandId || r.status === 'accepted') return;
      this.running = undefined;
      this.broadcast({
        ...this.commandMessage(running, r.status),
        ...(r.code ? { code: r.code } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
      });
    });
    context.on(bus, 'case.status', (s) => {
      this.caseStatus = s;
      this.broadcast(caseStatusMessage(s));
    });
  }

  /** What a UI that just connected needs to show the same as the others. */
  greeting(): UiAgentMessage[] {
    const messages: UiAgentMessage[] = [];
    const running = this.running;
    if (running) {
      messages.push(this.commandMessage(running, 'accepted'));
      if (running.percent !== undefined) messages.push(this.progressMessage(running));
    }
    const s = this.caseStatus;
    if (s && (s.status === 'open' || s.status === 'claimed')) messages.push(caseStatusMessage(s));
    return messages;
  }

  private commandMessage(running: Running, status: 'accepted' | 'rejected' | 'succeeded' | 'failed' | 'expired') {
    return {
      type: 'command',
      commandId: running.commandId,
      action: running.action,
      ...(running.label ? { label: running.label } : {}),
      status,
    } as const;
  }

  private progressMessage(running: Running): UiAgentMessage {
    return {
      type: 'progress',
      commandId: running.commandId,
      action: running.action,
      ...(running.label ? { label: running.label } : {}),
      percent: running.percent ?? 0,
      ...(running.message ? { message: running.message } : {}),
    };
  }
}

function caseStatusMessage(s: CaseStatusMessage): UiAgentMessage {
  return {
    type: 'case.status',
    caseId: s.caseId,
    status: s.status,
    ...(s.agentName ? { agentName: s.agentName } : {}),
  };
}
