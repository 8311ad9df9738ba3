import { diagnosticsMessage, newId, type WebhookEvent, type WebhookEventType } from '@touchpoint/protocol';
import type { CaseRecord, Cases } from '../fleet/cases.js';
import type { Devices } from '../fleet/devices.js';
import type { LiveBus } from '../fleet/live.js';
import type { Staff } from '../fleet/staff.js';

/** What the events are made from: the fleet's stores, and where the console shows a case. */
export interface EventSources {
  live: LiveBus;
  cases: Cases;
  devices: Devices;
  staff: Staff;
  /** The console's address of a case (for a link back from a ticket); undefined when the broker has no URL. */
  caseUrl: (caseId: string) => string | undefined;
}

/**
 * Where the event being emitted on the LiveBus happened (issue 15 with 17). In cluster mode the live relay
 * emits other processes' events on the same bus; each event is queued once, by the process where it
 * happened, so those are not queued again here.
 */
export interface EventOrigin {
  /** False while the bus emits an event that another process announced (LiveRelay.relayingRemote). */
  local(): boolean;
  /** Called instead of queueing for such an event: its origin has queued it, so deliveries may be due now. */
  remote?(): void;
}

/** Statuses the device reports; `queued` and `delivered` are the fleet's own bookkeeping, not a result. */
const DEVICE_RESULTS = new Set(['accepted', 'rejected', 'succeeded', 'failed', 'expired']);

/** The case as a webhook carries it. `full` adds what a ticket needs: the trace and a diagnostics summary. */
export function caseData(c: CaseRecord, sources: Omit<EventSources, 'live'>, full: boolean): Record<string, unknown> {
  const names = sources.staff.displayNames();
  const base = {
    id: c.id,
    deviceId: c.deviceId,
    // Synchronous (webhook events are queued in the listener): the registry's remembered models (loaded at start).
    model: sources.devices.knownModel(c.deviceId) ?? null,
    reason: c.reason,
    flowId: c.flowId,
    status: c.status,
    locale: c.locale,
    openedAt: c.openedAt,
    receivedAt: c.receivedAt,
    assignee: c.assignee ? { id: c.assignee, displayName: names.get(c.assignee) ?? c.assignee } : null,
    resolvedAt: c.resolvedAt,
    url: sources.caseUrl(c.id) ?? null,
  };
  if (!full) return base;
  const diagnostics = diagnosticsMessage.safeParse(c.diagnostics);
  return {
    ...base,
    trace: c.trace,
    diagnostics: diagnostics.success
      ? {
          at: diagnostics.data.ts,
          sensors: diagnostics.data.mcu.sensors,
          errors: diagnostics.data.mcu.errors,
          firmware: diagnostics.data.mcu.info?.firmwareVersion ?? null,
        }
      : null,
  };
}

/**
 * Turns the fleet's LiveBus into webhook events (issue 17), in the process that produced them, and hands each
 * to `sink` (the queue). Listening to the bus leaves the stores as they are; the bus reports a listener's
 * failure instead of throwing it into ingest. Without `origin` every event is this process's own (the
 * embedded broker). Returns the unsubscribe.
 */
export function watchFleetEvents(
  sources: EventSources,
  sink: (event: WebhookEvent) => void,
  origin?: EventOrigin,
): () => void {
  const emit = (type: WebhookEventType, data: Record<string, unknown>, time = Date.now()) =>
    sink({ id: newId(), type, time, data });
  // Decided before anything is read: an event relayed from another process is only a reason to look at the queue.
  const here =
    <A extends unknown[]>(listener: (...args: A) => void) =>
    (...args: A): void => {
      if (origin && !origin.local()) return origin.remote?.();
      listener(...args);
    };
  const offs = [
    sources.live.subscribe(
      'case',
      here((e) => {
        const c = sources.cases.get(e.caseId);
        if (!c) return;
        if (e.change === 'opened') return emit('case.opened', { case: caseData(c, sources, true) });
        if (e.status === 'resolved' || e.status === 'closed')
          return emit('case.resolved', { case: caseData(c, sources, false) });
        emit('case.updated', {
          case: caseData(c, sources, false),
          change: e.status === 'claimed' ? 'claimed' : 'status',
        });
      }),
    ),
    sources.live.subscribe(
      'caseNote',
      here((e) => {
        const c = sources.cases.get(e.caseId);
        if (!c) return;
        const name = sources.staff.displayNames().get(e.staffId) ?? e.staffId;
        emit(
          'case.updated',
          {
            case: caseData(c, sources, false),
            change: 'note',
            note: { staffId: e.staffId, staff: name, at: e.at, text: e.text },
          },
          e.at,
        );
      }),
    ),
    sources.live.subscribe(
      'chat',
      here((e) => {
        // Issue 17: each new message, either way, and the customer's taps; typing and read marks are not messages.
        if (e.change !== 'message' && e.change !== 'answer') return;
        const c = sources.cases.get(e.caseId);
        if (!c) return;
        const staff = e.staffId
          ? { id: e.staffId, displayName: sources.staff.displayNames().get(e.staffId) ?? e.staffId }
          : null;
        emit(
          'chat.message',
          {
            case: caseData(c, sources, false),
            message: { id: e.messageId ?? null, from: e.from, kind: e.kind ?? null, text: e.text ?? null, staff },
          },
          e.at,
        );
      }),
    ),
    sources.live.subscribe(
      'command',
      here((e) => {
        if (!DEVICE_RESULTS.has(e.status)) return;
        emit('command.result', {
          commandId: e.commandId,
          deviceId: e.deviceId,
          status: e.status,
          code: e.code ?? null,
          reason: e.reason ?? null,
        });
      }),
    ),
    sources.live.subscribe(
      'event',
      here((e) => {
        if (e.event.type !== 'error.raised') return;
        emit(
          'error.raised',
          {
            deviceId: e.deviceId,
            model: sources.devices.knownModel(e.deviceId) ?? null,
            code: e.event.code,
            at: e.at,
          },
          e.at,
        );
      }),
    ),
  ];
  return () => offs.forEach((off) => off());
}
