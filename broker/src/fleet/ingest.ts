import {
  ErrorCode,
  caseOpenMessage,
  commandResultMessage,
  decode,
  deviceEventMessage,
  diagnosticsMessage,
  fail,
  ok,
  presenceMessage,
  signalMessage,
  type DeviceTopicKind,
  type ParsedTopic,
  type Result,
} from '@touchpoint/protocol';
import type { Db } from '../db/database.js';
import type { DeviceProfile, DiagnosticsMessage, HelpTraceEntry } from '@touchpoint/protocol';
import { DEFAULT_DEVICE_BUDGET, DeviceBudget, type DeviceBudgetLimits } from './budget.js';
import type { LiveBus } from './live.js';
import { DEFAULT_RECORD_LIMITS, recordCap, type RecordLimits } from './record-limits.js';
import { SensorKeys } from './sensor-keys.js';

/** What ingest admits from one device (issue 12 #9); see docs/protocol.md, "Limits and retention". */
export interface IngestOptions {
  profiles: ReadonlyMap<string, DeviceProfile>;
  budget?: DeviceBudgetLimits;
  records?: RecordLimits;
}

/** What ingest did with a message: stored, a duplicate (stored before), or stale (an old connection's will). */
/** Every topic but diagnostics: `submit` stores these at once, diagnostics in a group commit. */
type ImmediateTopic =
  { deviceId: string; kind: Exclude<DeviceTopicKind, 'diagnostics'> } | Extract<ParsedTopic, { kind: 'signal' }>;

export type IngestOutcome = 'stored' | 'duplicate' | 'stale' | 'passed';

/**
 * Called once a message is stored or refused; an error means it could not be stored (the device should retry).
 * `messageId` comes with diagnostics, whose id ingest has at hand, so the receipt need not parse them again.
 */
export type IngestCallback = (error: Error | null, result?: Result<IngestOutcome>, messageId?: string) => void;

interface PendingDiagnostics {
  d: DiagnosticsMessage;
  raw: string;
  now: number;
  done: IngestCallback;
}

/**
 * Forward-only command states: a late `accepted` never overwrites `succeeded`,
 * and a finished command stays finished (issue 12, Low: a replayed `rejected`
 * flipped a `succeeded`); later results only go to its history.
 */
const COMMAND_RANK: Record<string, number> = {
  queued: 0,
  delivered: 1,
  accepted: 2,
  rejected: 3,
  succeeded: 3,
  failed: 3,
  expired: 3,
};
const FINISHED = 3;

/**
 * Validates every device message with the protocol schemas and stores it,
 * idempotently by message id. Runs synchronously inside authorizePublish, so a
 * QoS 1 message is in SQLite before its PUBACK is written.
 */
export class Ingest {
  private readonly st;
  private pending: PendingDiagnostics[] = [];
  private flushScheduled = false;
  private readonly budget: DeviceBudget;
  private readonly records: RecordLimits;
  private readonly sensors: SensorKeys;

  constructor(
    private readonly db: Db,
    private readonly live: LiveBus,
    options: IngestOptions = { profiles: new Map() },
  ) {
    this.budget = new DeviceBudget(options.budget ?? DEFAULT_DEVICE_BUDGET);
    this.records = options.records ?? DEFAULT_RECORD_LIMITS;
    this.sensors = new SensorKeys(db, options.profiles);
    this.st = {
      presenceHistory: db.prepare(
        'INSERT OR IGNORE INTO presence_history (msg_id, device_id, state, connection_id, at) VALUES (?, ?, ?, ?, ?)',
      ),
      online: db.prepare(
        'UPDATE devices SET online = 1, connection_id = ?, last_seen = ?, agent_version = COALESCE(?, agent_version), firmware_version = COALESCE(?, firmware_version), profile_version = COALESCE(?, profile_version) WHERE id = ?',
      ),
      offline: db.prepare(
        'UPDATE devices SET online = 0, last_seen = ? WHERE id = ? AND (connection_id IS NULL OR connection_id = ?)',
      ),
      currentConnection: db.prepare('SELECT connection_id FROM devices WHERE id = ?').pluck(),
      connectionState: db.prepare('SELECT online, connection_id FROM devices WHERE id = ?'),
      diagnostics: db.prepare(
        'INSERT OR IGNORE INTO diagnostics (msg_id, device_id, ts, received_at, reason, body) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      // Reports of one device can be stored out of order: competing fleet workers take consecutive messages
      // of a device from one queue (issue 15). The device's error list and link follow the device's clock
      // instead: a snapshot applies only if no newer snapshot, and no newer error event, was stored before it.
      deviceHealth: db.prepare(
        `UPDATE devices SET errors = ?, link = ?, last_diagnostics_at = ? WHERE id = ? AND COALESCE(last_diagnostics_at, 0) <= ?
           AND NOT EXISTS (SELECT 1 FROM events WHERE device_id = devices.id AND ts > ? AND type IN ('error.raised', 'error.cleared'))`,
      ),
      lastSeen: db.prepare('UPDATE devices SET last_seen = MAX(COALESCE(last_seen, 0), ?) WHERE id = ?'),
      // An error event applies only if nothing newer about its code (an event, or a whole snapshot) was stored.
      newerErrorState: db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM events WHERE device_id = ? AND ts > ? AND type IN ('error.raised', 'error.cleared')
             AND json_extract(body, '$.event.code') = ?)
           OR EXISTS (SELECT 1 FROM devices WHERE id = ? AND last_diagnostics_at > ?)`,
        )
        .pluck(),
      event: db.prepare(
        'INSERT OR IGNORE INTO events (msg_id, device_id, ts, received_at, type, session_id, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      deviceErrors: db.prepare('SELECT errors FROM devices WHERE id = ?').pluck(),
      setErrors: db.prepare('UPDATE devices SET errors = ? WHERE id = ?'),
      setLink: db.prepare('UPDATE devices SET link = ? WHERE id = ?'),
      helpStart: db.prepare(
        'INSERT OR IGNORE INTO help_sessions (id, device_id, flow_id, started_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      ),
      // Every help-session write names the device too (issue 12, Low): a session id is not a credential.
      helpOwner: db.prepare('SELECT device_id FROM help_sessions WHERE id = ?').pluck(),
      helpStep: db.prepare('UPDATE help_sessions SET current_step = ?, updated_at = ? WHERE id = ? AND device_id = ?'),
      helpOutcome: db.prepare(
        'UPDATE help_sessions SET outcome = ?, resolution = ?, ms_total = ?, updated_at = ? WHERE id = ? AND device_id = ?',
      ),
      helpRating: db.prepare(
        'UPDATE help_sessions SET ces = ?, helped = ?, updated_at = ? WHERE id = ? AND device_id = ?',
      ),
      commandStatus: db.prepare(
        'INSERT OR IGNORE INTO command_status (command_id, msg_id, status, code, reason, at) SELECT id, ?, ?, ?, ?, ? FROM commands WHERE id = ? AND device_id = ?',
      ),
      commandRow: db.prepare('SELECT device_id, status FROM commands WHERE id = ?'),
      commandUpdate: db.prepare('UPDATE commands SET status = ?, updated_at = ? WHERE id = ?'),
      commandDelivered: db.prepare("INSERT INTO command_status (command_id, status, at) VALUES (?, 'delivered', ?)"),
      caseInsert: db.prepare(
        'INSERT OR IGNORE INTO cases (id, msg_id, device_id, opened_at, received_at, reason, flow_id, session_id, locale, trace, diagnostics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  /**
   * The broker's entry point. Diagnostics, the bulk of the traffic, are
   * validated at once and then stored in a group commit: every snapshot that
   * arrives in one event-loop turn shares one transaction, and `done` runs after
   * the commit, so a QoS 1 message is still stored before its PUBACK. Other
   * messages are stored at once, after any pending group, to keep their order.
   */
  submit(topic: ParsedTopic, payload: Buffer, done: IngestCallback, now: number = Date.now()): void {
    const refused = this.admit(topic, payload, now);
    if (refused) return done(null, refused);
    if (topic.kind === 'diagnostics') {
      // Decoded to text once, for the parse and the stored row. A leading BOM is skipped for the parse, as
      // decode()'s TextDecoder does with bytes, so exactly the same payloads are accepted.
      const raw = payload.toString('utf8');
      const msg = this.validDiagnostics(topic.deviceId, raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw);
      if (!msg.ok) return done(null, msg);
      this.pending.push({ d: msg.value, raw, now, done });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
      return;
    }
    let result: Result<IngestOutcome>;
    try {
      // Not diagnostics (returned above); ParsedTopic's kinds share one member, so TS cannot narrow it by itself.
      result = this.ingest(topic as ImmediateTopic, payload, now);
    } catch (err) {
      return done(err as Error);
    }
    done(null, result);
  }

  /**
   * The cheap checks, before any parsing: the device's budget, then the size
   * cap for this kind of record. A refusal is a named code; the publish hook
   * acknowledges it, quarantines it and counts it (`rejected.<code>`), so an
   * abusive device costs a counter and a bounded quarantine row per message and
   * an honest one, whose burst fits its whole outbox, is never refused.
   */
  private admit(topic: ParsedTopic, payload: Buffer, now: number): Result<IngestOutcome> | undefined {
    const over = this.budget.spend(topic.deviceId, payload.length, now);
    if (over) return fail(ErrorCode.OVER_BUDGET, this.budget.describe(over));
    const cap = recordCap(topic.kind, this.records);
    if (payload.length > cap)
      return fail(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `${topic.kind} payload of ${payload.length} bytes is over the ${cap}-byte cap`,
      );
    return undefined;
  }

  /** Commits the pending group of diagnostics, then answers each message. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let stored: boolean[];
    try {
      // Every ingest transaction begins IMMEDIATE: fleet workers in other processes share this file (issue 15),
      // and a deferred transaction that reads first cannot wait for the write lock (SQLITE_BUSY at once).
      stored = this.db
        .transaction(() => {
          const newest = new Map<string, PendingDiagnostics>();
          const out = batch.map((p) => {
            const inserted =
              this.st.diagnostics.run(p.d.id, p.d.deviceId, p.d.ts, p.now, p.d.reason, p.raw).changes > 0;
            const current = newest.get(p.d.deviceId);
            if (inserted && (!current || p.d.ts >= current.d.ts)) newest.set(p.d.deviceId, p);
            return inserted;
          });
          // One health update per device per group: the newest snapshot (by the device's clock) wins.
          for (const p of newest.values()) {
            const id = p.d.deviceId;
            this.st.deviceHealth.run(JSON.stringify(p.d.mcu.errors), p.d.agent.link, p.d.ts, id, p.d.ts, p.d.ts);
            this.st.lastSeen.run(p.now, id);
          }
          return out;
        })
        .immediate();
    } catch (err) {
      for (const p of batch) p.done(err as Error);
      return;
    }
    batch.forEach((p, i) => {
      if (stored[i]) this.live.emit('diagnostics', p.d, p.raw.length);
      p.done(null, ok(stored[i] ? 'stored' : 'duplicate'), p.d.id);
    });
  }

  /** Stores one message synchronously (after any pending group); diagnostics never come here, `submit` groups them. */
  private ingest(topic: ImmediateTopic, payload: Buffer, now: number): Result<IngestOutcome> {
    this.flush();
    switch (topic.kind) {
      case 'presence':
        return this.presence(topic.deviceId, payload, now);
      case 'events':
        return this.event(topic.deviceId, payload, now);
      case 'commandResult':
        return this.commandResult(topic.deviceId, payload, now);
      case 'caseOpen':
        return this.caseOpen(topic.deviceId, payload, now);
      case 'signal': {
        const msg = decode(signalMessage, payload);
        if (!msg.ok) return msg;
        if (msg.value.sessionId !== topic.sessionId)
          return fail(ErrorCode.SCHEMA_INVALID, 'sessionId does not match the topic');
        if (topic.direction === 'up') this.live.emit('signal', { deviceId: topic.deviceId, message: msg.value });
        return ok('passed');
      }
      case 'command':
      case 'caseStatus':
      case 'keys':
      case 'receipt':
        return fail(ErrorCode.NOT_AUTHORIZED, `devices may not publish on ${topic.kind}`);
    }
  }

  private presence(deviceId: string, payload: Buffer, now: number): Result<IngestOutcome> {
    const msg = decode(presenceMessage, payload);
    if (!msg.ok) return msg;
    const p = msg.value;
    if (p.deviceId !== deviceId)
      return fail(ErrorCode.WRONG_DEVICE, `presence for ${p.deviceId} on ${deviceId}'s topic`);
    if (p.state === 'online') {
      // A birth on a connection the fleet has not seen online is a device coming online (issue 15); a refresh
      // of the same connection's presence (new firmware version) is not.
      const before = this.st.connectionState.get(deviceId) as
        { online: number; connection_id: string | null } | undefined;
      const cameOnline = before !== undefined && (before.online !== 1 || before.connection_id !== p.connectionId);
      this.db
        .transaction(() => {
          this.st.online.run(
            p.connectionId,
            now,
            p.agentVersion ?? null,
            p.firmwareVersion ?? null,
            p.profileVersion ?? null,
            deviceId,
          );
          this.st.presenceHistory.run(p.id, deviceId, 'online', p.connectionId, now);
        })
        .immediate();
      this.live.emit('presence', { deviceId, online: true, at: now });
      if (cameOnline) this.live.emit('birth', { deviceId, connectionId: p.connectionId, at: now });
      return ok('stored');
    }
    // A will from an older connection must not mark the live connection offline.
    const current = this.st.currentConnection.get(deviceId) as string | null | undefined;
    if (current && current !== p.connectionId) return ok('stale');
    this.markOffline(deviceId, p.connectionId, now, p.id);
    return ok('stored');
  }

  /** Marks a device offline if `connectionId` is still its live connection. */
  markOffline(deviceId: string, connectionId: string | null, now: number, msgId: string | null = null): boolean {
    const changed = this.db
      .transaction(() => {
        const res =
          connectionId === null
            ? this.db.prepare('UPDATE devices SET online = 0, last_seen = ? WHERE id = ?').run(now, deviceId)
            : this.st.offline.run(now, deviceId, connectionId);
        if (res.changes > 0) this.st.presenceHistory.run(msgId, deviceId, 'offline', connectionId, now);
        return res.changes > 0;
      })
      .immediate();
    if (changed) this.live.emit('presence', { deviceId, online: false, at: now });
    return changed;
  }

  private validDiagnostics(deviceId: string, payload: string): Result<DiagnosticsMessage> {
    const msg = decode(diagnosticsMessage, payload);
    if (!msg.ok) return msg;
    if (msg.value.deviceId !== deviceId)
      return fail(ErrorCode.WRONG_DEVICE, `diagnostics for ${msg.value.deviceId} on ${deviceId}'s topic`);
    const unknown = this.sensors.unknownKey(deviceId, msg.value.mcu.sensors);
    if (unknown !== undefined) return fail(ErrorCode.UNKNOWN_SENSOR, unknown);
    return msg;
  }

  private event(deviceId: string, payload: Buffer, now: number): Result<IngestOutcome> {
    const msg = decode(deviceEventMessage, payload);
    if (!msg.ok) return msg;
    const m = msg.value;
    if (m.deviceId !== deviceId) return fail(ErrorCode.WRONG_DEVICE, `event for ${m.deviceId} on ${deviceId}'s topic`);
    const e = m.event;
    const sessionId = e.type === 'help' || e.type === 'video' ? e.sessionId : null;
    if (e.type === 'help') {
      const owner = this.st.helpOwner.get(e.sessionId) as string | undefined;
      if (owner !== undefined && owner !== deviceId)
        return fail(ErrorCode.WRONG_DEVICE, `help session ${e.sessionId} belongs to another device`);
    }
    const stored = this.db
      .transaction(() => {
        if (this.st.event.run(m.id, deviceId, m.ts, now, e.type, sessionId, payload.toString('utf8')).changes === 0)
          return false;
        switch (e.type) {
          case 'error.raised':
          case 'error.cleared': {
            if (this.st.newerErrorState.get(deviceId, m.ts, e.code, deviceId, m.ts) === 1) break;
            const errors = new Set(
              JSON.parse((this.st.deviceErrors.get(deviceId) as string | undefined) ?? '[]') as string[],
            );
            if (e.type === 'error.raised') errors.add(e.code);
            else errors.delete(e.code);
            this.st.setErrors.run(JSON.stringify([...errors].sort()), deviceId);
            break;
          }
          case 'link':
            this.st.setLink.run(e.link, deviceId);
            break;
          case 'help':
            this.helpSession(deviceId, e.sessionId, e.flowId, e.entry);
            break;
          case 'video':
            break;
        }
        return true;
      })
      .immediate();
    if (!stored) return ok('duplicate');
    this.live.emit('event', { deviceId, at: m.ts, event: e });
    if (e.type === 'help')
      this.live.emit('help', { deviceId, sessionId: e.sessionId, flowId: e.flowId, entry: e.entry });
    return ok('stored');
  }

  private helpSession(deviceId: string, sessionId: string, flowId: string, entry: HelpTraceEntry): void {
    switch (entry.kind) {
      case 'start':
        this.st.helpStart.run(sessionId, deviceId, flowId, entry.at, entry.at);
        break;
      case 'step':
        this.st.helpStart.run(sessionId, deviceId, flowId, entry.at, entry.at);
        this.st.helpStep.run(entry.stepId, entry.at, sessionId, deviceId);
        break;
      case 'outcome':
        this.st.helpOutcome.run(
          entry.outcome,
          entry.outcome === 'resolved' ? (entry.resolution ?? null) : null,
          entry.msTotal,
          entry.at,
          sessionId,
          deviceId,
        );
        break;
      case 'rating':
        this.st.helpRating.run(entry.ces, entry.helped ? 1 : 0, entry.at, sessionId, deviceId);
        break;
      case 'choice':
      case 'back':
      case 'check':
      case 'action':
        break;
    }
  }

  private commandResult(deviceId: string, payload: Buffer, now: number): Result<IngestOutcome> {
    const msg = decode(commandResultMessage, payload);
    if (!msg.ok) return msg;
    const r = msg.value;
    if (r.deviceId !== deviceId) return fail(ErrorCode.WRONG_DEVICE, `result for ${r.deviceId} on ${deviceId}'s topic`);
    const outcome = this.db
      .transaction((): IngestOutcome | 'unknown' | 'changed' => {
        const command = this.st.commandRow.get(r.commandId) as { device_id: string; status: string } | undefined;
        if (!command || command.device_id !== deviceId) return 'unknown';
        // A result proves delivery, and the PUBACK hook may report it only later (after the session store
        // write). A still-queued command has no device result yet, so this one is not a duplicate.
        if (command.status === 'queued') this.st.commandDelivered.run(r.commandId, now);
        const inserted = this.st.commandStatus.run(
          r.id,
          r.status,
          r.code ?? null,
          r.reason ?? null,
          now,
          r.commandId,
          deviceId,
        );
        if (inserted.changes === 0) return 'duplicate';
        // REPLAY only says the device had the command already (the fleet re-sends pending commands on every
        // birth, issue 15): its first outcome is the one that counts, so this one goes to the history only.
        if (r.status === 'rejected' && r.code === ErrorCode.REPLAY) return 'stored';
        const current = command.status === 'queued' ? 'delivered' : command.status;
        const rank = COMMAND_RANK[current] ?? 0;
        // History only: the command has finished, or the result is older news than its status.
        if (rank >= FINISHED || (COMMAND_RANK[r.status] ?? 0) < rank || current === r.status) return 'stored';
        this.st.commandUpdate.run(r.status, now, r.commandId);
        return 'changed';
      })
      .immediate();
    if (outcome === 'unknown') return fail(ErrorCode.NOT_FOUND, `command ${r.commandId} was not issued to ${deviceId}`);
    // The live channel carries the command's status, so only a change is announced.
    if (outcome === 'changed')
      this.live.emit('command', { commandId: r.commandId, deviceId, status: r.status, code: r.code, reason: r.reason });
    return ok(outcome === 'changed' ? 'stored' : outcome);
  }

  private caseOpen(deviceId: string, payload: Buffer, now: number): Result<IngestOutcome> {
    const msg = decode(caseOpenMessage, payload);
    if (!msg.ok) return msg;
    const c = msg.value;
    if (c.deviceId !== deviceId) return fail(ErrorCode.WRONG_DEVICE, `case for ${c.deviceId} on ${deviceId}'s topic`);
    const unknown = c.diagnostics ? this.sensors.unknownKey(deviceId, c.diagnostics.mcu.sensors) : undefined;
    if (unknown !== undefined) return fail(ErrorCode.UNKNOWN_SENSOR, unknown);
    // Ignored when the message id or the case id was seen before: a redelivery, or another device reusing an id.
    // The case keeps the customer's request time (the device stamped the message when they asked, even if its
    // outbox held it through an outage) and its arrival; SLA and KPIs count from the request (issue 16). A device
    // clock ahead of ours must not open a case in the future, so the request is never later than the arrival.
    const res = this.st.caseInsert.run(
      c.caseId,
      c.id,
      deviceId,
      Math.min(c.ts, now),
      now,
      c.reason,
      c.flowId ?? null,
      c.sessionId ?? null,
      c.locale,
      JSON.stringify(c.trace),
      c.diagnostics ? JSON.stringify(c.diagnostics) : null,
    );
    if (res.changes === 0) return ok('duplicate');
    this.live.emit('case', { caseId: c.caseId, deviceId, status: 'open', change: 'opened' });
    return ok('stored');
  }
}
