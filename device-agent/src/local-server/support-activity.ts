import {
  ErrorCode,
  TouchpointError,
  uiSupportAnswerRequest,
  uiSupportHistoryRequest,
  uiSupportRemoteRequest,
  type CaseStatusMessage,
  type DeviceProfile,
  type LocalizedText,
  type SupportReceipt,
  type UiAgentMessage,
} from '@touchpoint/protocol';
import type { z } from 'zod';
import type { AgentEvents, CommandIssuer } from '../agent-events.js';
import type { EventBus } from '../event-bus.js';
import type { ExtensionContext } from '../extension-context.js';
import type { Logger } from '../logger.js';
import type { SupportHistory } from './support-history.js';

/** A staff command waiting for the customer's "Allow" (profile `needsCustomer`). */
interface Asking {
  commandId: string;
  action: string;
  label: LocalizedText | undefined;
  reason: LocalizedText;
  until: number;
  issuer: CommandIssuer | undefined;
}

/** LocalServer.handle, as this needs it. */
type Handle = <S extends z.ZodType>(type: string, schema: S, handler: (request: z.infer<S>) => unknown) => () => void;

interface Running {
  commandId: string;
  action: string;
  label: LocalizedText | undefined;
  percent: number | undefined;
  message: string | undefined;
  issuer: CommandIssuer | undefined;
}

/** Whom the support history names: the staff member's name (and role), or only the role (agent config touchscreen.staffNames). */
export type StaffNaming = 'name' | 'role';

/**
 * What support does on the device, for the touchscreen (issue 16: the customer
 * always knows what support does): a staff command that passed every check is
 * pushed as `command` accepted with the profile's name of the action, then its
 * `progress`, then its result; the fleet's status of the customer's case as
 * `case.status`. A command refused before it ran changed nothing on the device
 * and is not shown. A UI that connects (or reloads) meanwhile is greeted with
 * the running command and the open case's status.
 *
 * An action the profile marks `needsCustomer` asks first: `support.ask` until
 * the customer answers (`support.answer`) or the command's wait ends. While the
 * customer allows remote control (`support.remote`, for `remoteControlMinutes`,
 * revocable), such a question is answered "allowed" at once and the action
 * shows as running like any other.
 */
export class SupportActivity {
  private running: Running | undefined;
  private caseStatus: CaseStatusMessage | undefined;
  private asking: Asking | undefined;
  private remoteUntil: number | null = null;
  private endRemote: (() => void) | undefined;
  private bus: EventBus<AgentEvents> | undefined;
  private context: ExtensionContext | undefined;

  constructor(
    private readonly profile: DeviceProfile,
    private readonly broadcast: (message: UiAgentMessage) => void,
    private readonly options: {
      remoteControlMinutes: number;
      logger: Logger;
      history: SupportHistory;
      staffNames?: StaffNaming;
      now?: () => number;
    },
  ) {}

  /** The customer's answers from the touchscreen. */
  register(handle: Handle): void {
    handle('support.answer', uiSupportAnswerRequest, (request) => this.answer(request.commandId, request.allow));
    handle('support.remote', uiSupportRemoteRequest, (request) => this.allowRemote(request.minutes));
    handle('support.history', uiSupportHistoryRequest, () => ({ receipts: this.options.history.list() }));
  }

  /** Until when the customer allows remote control (ms since epoch), or null. */
  get remoteControlUntil(): number | null {
    return this.remoteUntil !== null && this.remoteUntil > this.now() ? this.remoteUntil : null;
  }

  start(context: ExtensionContext, bus: EventBus<AgentEvents>): void {
    // After an in-process restart nothing of the previous run is running: its commands are reported interrupted.
    this.running = undefined;
    this.asking = undefined;
    this.bus = bus;
    this.context = context;
    // Remote control is the customer's choice in this run only: a restarted agent asks again.
    this.remoteUntil = null;
    this.endRemote = undefined;
    bus.emit('support.remote', { until: null });
    context.on(bus, 'command.consent.asked', ({ commandId, action, until, issuer }) => {
      const spec = this.profile.actions.find((a) => a.name === action);
      if (this.remoteControlUntil !== null) {
        this.options.logger.info('action allowed by remote control', { commandId, action });
        bus.emit('command.consent.answered', { commandId, allowed: true, by: 'remote-control' });
        return;
      }
      const asking: Asking = {
        commandId,
        action,
        label: spec?.label,
        reason: spec?.needsCustomer ?? spec?.label ?? { de: action, en: action },
        until,
        issuer,
      };
      this.asking = asking;
      this.broadcast(askMessage(asking));
    });
    context.on(bus, 'command.accepted', ({ commandId, action, issuer }) => {
      if (this.asking?.commandId === commandId) this.asking = undefined;
      const label = this.profile.actions.find((a) => a.name === action)?.label;
      this.running = { commandId, action, label, percent: undefined, message: undefined, issuer };
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
      const asked = this.asking;
      if (asked?.commandId === r.commandId && r.status !== 'accepted') {
        // Declined, no answer, or its precondition no longer held: the question closes with the reason.
        this.asking = undefined;
        this.receipt(asked, r.status, r.code);
        this.broadcast({
          type: 'command',
          commandId: asked.commandId,
          action: asked.action,
          ...(asked.label ? { label: asked.label } : {}),
          status: r.status,
          ...(r.code ? { code: r.code } : {}),
        });
        return;
      }
      const running = this.running;
      if (running?.commandId !== r.commandId || r.status === 'accepted') return;
      this.running = undefined;
      this.receipt(running, r.status, r.code);
      this.broadcast({
        ...this.commandMessage(running, r.status),
        ...(r.code ? { code: r.code } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
      });
    });
    context.on(bus, 'case.opened', (c) => {
      this.options.history.add({
        id: `case:${c.caseId}`,
        at: c.at,
        kind: 'case',
        outcome: 'opened',
        // What the consent sheet lists and the case carries (help-session/case-opener.ts).
        shared: ['diagnostics', 'help-session'],
        diagnostics: { errors: c.errors.slice(0, 64), readings: this.readings(c.sensors) },
        by: { role: 'support' },
      });
    });
    context.on(bus, 'case.status', (s) => {
      this.caseStatus = s;
      // The fleet's news about the case updates its one line; what was shared at escalation stays on it.
      const id = `case:${s.caseId}`;
      const before = this.options.history.list().find((r) => r.id === id);
      this.options.history.add({
        id,
        at: this.now(),
        kind: 'case',
        outcome: s.status === 'open' ? 'opened' : s.status,
        shared: before?.shared ?? ['diagnostics', 'help-session'],
        ...(before?.diagnostics ? { diagnostics: before.diagnostics } : {}),
        by: this.by(s.agentName ? { name: s.agentName } : undefined),
      });
      this.broadcast(caseStatusMessage(s));
    });
    context.on(bus, 'video.call.ended', (call) => {
      this.options.history.add({
        id: `call:${call.sessionId}`,
        at: call.endedAt,
        kind: 'call',
        outcome: 'ended',
        shared: [...(call.camera ? (['camera'] as const) : []), ...(call.microphone ? (['microphone'] as const) : [])],
        durationS: Math.max(0, Math.round((call.endedAt - call.acceptedAt) / 1000)),
        by: this.by({ name: call.staffName }),
      });
    });
  }

  /** The sensors a snapshot held, by the profile's names (a sensor the profile does not know keeps its id). */
  private readings(ids: string[]): LocalizedText[] {
    return ids.slice(0, 64).map((id) => this.profile.sensors.find((s) => s.id === id)?.label ?? { de: id, en: id });
  }

  /** Who did it, as the receipt names them: the name (unless configured to show the role only) and the role. */
  private by(who: { name?: string; role?: CommandIssuer['role'] } | undefined): SupportReceipt['by'] {
    const role = who?.role === 'admin' || who?.role === 'agent' ? who.role : 'support';
    const name = this.options.staffNames === 'role' ? undefined : who?.name;
    return { role, ...(name ? { name } : {}) };
  }

  /** The customer's receipt for a staff action that needed them or ran: what, how it ended, when (issue 16). */
  private receipt(
    command: { commandId: string; action: string; label: LocalizedText | undefined; issuer: CommandIssuer | undefined },
    status: string,
    code: string | undefined,
  ): void {
    const outcome =
      status === 'succeeded'
        ? 'succeeded'
        : code === ErrorCode.CUSTOMER_DECLINED
          ? 'declined'
          : code === ErrorCode.CUSTOMER_NO_ANSWER
            ? 'no-answer'
            : 'failed';
    this.options.history.add({
      id: command.commandId,
      at: this.now(),
      kind: 'fix',
      action: command.action,
      ...(command.label ? { label: command.label } : {}),
      outcome,
      shared: [],
      by: this.by(command.issuer),
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private remoteMessage(): UiAgentMessage {
    return { type: 'support.remote', until: this.remoteControlUntil, minutes: this.options.remoteControlMinutes };
  }

  private answer(commandId: string, allow: boolean): void {
    if (this.asking?.commandId !== commandId)
      throw new TouchpointError(ErrorCode.NOT_FOUND, 'no action is waiting for this answer');
    this.options.logger.info('customer answered a staff action', { commandId, allowed: allow });
    this.bus?.emit('command.consent.answered', { commandId, allowed: allow, by: 'customer' });
  }

  private allowRemote(minutes: number): { until: number | null } {
    this.endRemote?.();
    this.endRemote = undefined;
    const granted = minutes === 0 ? 0 : Math.min(minutes, this.options.remoteControlMinutes);
    this.remoteUntil = granted === 0 ? null : this.now() + granted * 60_000;
    this.options.logger.info(granted === 0 ? 'remote control ended' : 'remote control allowed', { minutes: granted });
    if (this.remoteUntil !== null)
      this.endRemote = this.context?.after(granted * 60_000, () => {
        this.remoteUntil = null;
        this.endRemote = undefined;
        this.broadcast(this.remoteMessage());
        this.bus?.emit('support.remote', { until: null });
      });
    this.broadcast(this.remoteMessage());
    this.bus?.emit('support.remote', { until: this.remoteUntil });
    // A question already on screen is answered by the permission just given.
    const asked = this.asking;
    if (asked && this.remoteUntil !== null)
      this.bus?.emit('command.consent.answered', { commandId: asked.commandId, allowed: true, by: 'customer' });
    return { until: this.remoteUntil };
  }

  /** What a UI that just connected needs to show the same as the others. */
  greeting(): UiAgentMessage[] {
    const messages: UiAgentMessage[] = [];
    messages.push(this.remoteMessage());
    if (this.asking && this.asking.until > this.now()) messages.push(askMessage(this.asking));
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

function askMessage(a: Asking): UiAgentMessage {
  return {
    type: 'support.ask',
    commandId: a.commandId,
    action: a.action,
    ...(a.label ? { label: a.label } : {}),
    reason: a.reason,
    until: a.until,
  };
}

function caseStatusMessage(s: CaseStatusMessage): UiAgentMessage {
  return {
    type: 'case.status',
    caseId: s.caseId,
    status: s.status,
    ...(s.agentName ? { agentName: s.agentName } : {}),
  };
}
