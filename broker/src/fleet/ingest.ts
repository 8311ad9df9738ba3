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
  phoneUpMessage,
  signalMessage,
  type DeviceTopicKind,
  type ParsedTopic,
  type Result,
} from '@touchpoint/protocol';
import { sql } from 'kysely';
import type { SqlExecutor, SqlStore } from '../db/sql-store.js';
import type { DeviceProfile, DiagnosticsMessage, HelpTraceEntry } from '@touchpoint/protocol';
import { DEFAULT_DEVICE_BUDGET, DeviceBudget, type DeviceBudgetLimits } from './budget.js';
import { storeBundleReply } from './bundle-ingest.js';
import { ChatIngest } from '../chat/chat-ingest.js';
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

/** A submit held back while a device's sensor keys are looked up, replayed in arrival order. */
type Submission = [topic: ParsedTopic, payload: Buffer, done: IngestCallback, now: number];

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
const PG_ROWS_PER_INSERT = 1_000;

interface HelpRow {
  id: string;
  deviceId: string;
  flowId: string;
  at: number;
}

/** The prepared queries of ingest, compiled once for the store's dialect. */
function queries(store: SqlStore) {
  const pg = store.dialect === 'postgres';
  return {
    presenceHistory: store.prepare<
      { msgId: string | null; deviceId: string; state: string; connectionId: string | null; at: number },
      unknown
    >((q, $) =>
      q
        .insertInto('presence_history')
        .values({
          msg_id: $('msgId'),
          device_id: $('deviceId'),
          state: $('state'),
          connection_id: $('connectionId'),
          at: $('at'),
        })
        .onConflict((oc) => oc.doNothing()),
    ),
    online: store.prepare<
      {
        connectionId: string;
        now: number;
        agentVersion: string | null;
        firmwareVersion: string | null;
        profileVersion: string | null;
        deviceId: string;
      },
      unknown
    >((q, $) =>
      q
        .updateTable('devices')
        .set((eb) => ({
          online: 1,
          connection_id: $('connectionId'),
          last_seen: $('now'),
          agent_version: eb.fn.coalesce(eb.val($('agentVersion')), eb.ref('agent_version')),
          firmware_version: eb.fn.coalesce(eb.val($('firmwareVersion')), eb.ref('firmware_version')),
          profile_version: eb.fn.coalesce(eb.val($('profileVersion')), eb.ref('profile_version')),
        }))
        .where('id', '=', $('deviceId')),
    ),
    offline: store.prepare<{ now: number; deviceId: string; connectionId: string }, unknown>((q, $) =>
      q
        .updateTable('devices')
        .set({ online: 0, last_seen: $('now') })
        .where('id', '=', $('deviceId'))
        // Only a device that is online goes offline: the will and the broker's disconnect handler may both
        // try, from different event-loop turns, and only the first records it.
        .where('online', '=', 1)
        .where((eb) => eb.or([eb('connection_id', 'is', null), eb('connection_id', '=', $('connectionId'))])),
    ),
    offlineAny: store.prepare<{ now: number; deviceId: string }, unknown>((q, $) =>
      q
        .updateTable('devices')
        .set({ online: 0, last_seen: $('now') })
        .where('id', '=', $('deviceId'))
        .where('online', '=', 1),
    ),
    connectionState: store.prepare<{ deviceId: string }, { online: number; connection_id: string | null }>((q, $) =>
      q.selectFrom('devices').select(['online', 'connection_id']).where('id', '=', $('deviceId')),
    ),
    diagnostics: store.prepare<
      { msgId: string; deviceId: string; ts: number; receivedAt: number; reason: string; body: string },
      unknown
    >((q, $) =>
      q
        .insertInto('diagnostics')
        .values({
          msg_id: $('msgId'),
          device_id: $('deviceId'),
          ts: $('ts'),
          received_at: $('receivedAt'),
          reason: $('reason'),
          body: $('body'),
        })
        .onConflict((oc) => oc.column('msg_id').doNothing()),
    ),
    // Reports of one device can be stored out of order: competing fleet workers take consecutive messages
    // of a device from one queue (issue 15). The device's error list and link follow the device's clock
    // instead: a snapshot applies only if no newer snapshot, and no newer error event, was stored before it.
    deviceHealth: store.prepare<{ errors: string; link: string; ts: number; deviceId: string }, unknown>((q, $) =>
      q
        .updateTable('devices')
        .set({ errors: $('errors'), link: $('link'), last_diagnostics_at: $('ts') })
        .where('id', '=', $('deviceId'))
        .where(sql<boolean>`coalesce(last_diagnostics_at, 0) <= ${$('ts')}`)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('events')
                .select(sql<number>`1`.as('one'))
                .whereRef('events.device_id', '=', 'devices.id')
                .where('events.ts', '>', $('ts'))
                .where('events.type', 'in', ['error.raised', 'error.cleared']),
            ),
          ),
        ),
    ),
    lastSeen: store.prepare<{ now: number; deviceId: string }, unknown>((q, $) =>
      q
        .updateTable('devices')
        // The later of the two: SQLite's two-argument max() is PostgreSQL's greatest().
        .set({ last_seen: sql<number>`${sql.raw(pg ? 'greatest' : 'max')}(coalesce(last_seen, 0), ${$('now')})` })
        .where('id', '=', $('deviceId')),
    ),
    // An error event applies only if nothing newer about its code (an event, or a whole snapshot) was stored.
    newerErrorState: store.prepare<{ deviceId: string; ts: number; code: string }, { newer: number | boolean }>(
      (q, $) =>
        q
          .selectFrom('devices')
          .select(({ exists, selectFrom, or }) =>
            or([
              exists(
                selectFrom('events')
                  .select(sql<number>`1`.as('one'))
                  .where('events.device_id', '=', $('deviceId'))
                  .where('events.ts', '>', $('ts'))
                  .where('events.type', 'in', ['error.raised', 'error.cleared'])
                  .where(
                    pg
                      ? sql<string>`events.body::jsonb #>> '{event,code}'`
                      : sql<string>`json_extract(events.body, '$.event.code')`,
                    '=',
                    $('code'),
                  ),
              ),
              sql<boolean>`coalesce(devices.last_diagnostics_at, 0) > ${$('ts')}`,
            ]).as('newer'),
          )
          .where('devices.id', '=', $('deviceId')),
    ),
    event: store.prepare<
      {
        msgId: string;
        deviceId: string;
        ts: number;
        receivedAt: number;
        type: string;
        sessionId: string | null;
        body: string;
      },
      unknown
    >((q, $) =>
      q
        .insertInto('events')
        .values({
          msg_id: $('msgId'),
          device_id: $('deviceId'),
          ts: $('ts'),
          received_at: $('receivedAt'),
          type: $('type'),
          session_id: $('sessionId'),
          body: $('body'),
        })
        .onConflict((oc) => oc.column('msg_id').doNothing()),
    ),
    // Read then written in one transaction: PostgreSQL locks the row (SQLite's transactions take turns).
    deviceErrors: store.prepare<{ deviceId: string }, { errors: string }>((q, $) => {
      const select = q.selectFrom('devices').select('errors').where('id', '=', $('deviceId'));
      return pg ? select.forUpdate() : select;
    }),
    setErrors: store.prepare<{ errors: string; deviceId: string }, unknown>((q, $) =>
      q
        .updateTable('devices')
        .set({ errors: $('errors') })
        .where('id', '=', $('deviceId')),
    ),
    setLink: store.prepare<{ link: string; deviceId: string }, unknown>((q, $) =>
      q
        .updateTable('devices')
        .set({ link: $('link') })
        .where('id', '=', $('deviceId')),
    ),
    helpStart: store.prepare<HelpRow, unknown>((q, $) =>
      q
        .insertInto('help_sessions')
        .values({
          id: $('id'),
          device_id: $('deviceId'),
          flow_id: $('flowId'),
          started_at: $('at'),
          updated_at: $('at'),
        })
        .onConflict((oc) => oc.column('id').doNothing()),
    ),
    // Every help-session write names the device too (issue 12, Low): a session id is not a credential.
    helpOwner: store.prepare<{ id: string }, { device_id: string }>((q, $) =>
      q.selectFrom('help_sessions').select('device_id').where('id', '=', $('id')),
    ),
    helpStep: store.prepare<{ step: string; at: number; id: string; deviceId: string }, unknown>((q, $) =>
      q
        .updateTable('help_sessions')
        .set({ current_step: $('step'), updated_at: $('at') })
        .where('id', '=', $('id'))
        .where('device_id', '=', $('deviceId')),
    ),
    helpOutcome: store.prepare<
      { outcome: string; resolution: string | null; msTotal: number; at: number; id: string; deviceId: string },
      unknown
    >((q, $) =>
      q
        .updateTable('help_sessions')
        .set({ outcome: $('outcome'), resolution: $('resolution'), ms_total: $('msTotal'), updated_at: $('at') })
        .where('id', '=', $('id'))
        .where('device_id', '=', $('deviceId')),
    ),
    helpRating: store.prepare<{ ces: number; helped: number; at: number; id: string; deviceId: string }, unknown>(
      (q, $) =>
        q
          .updateTable('help_sessions')
          .set({ ces: $('ces'), helped: $('helped'), updated_at: $('at') })
          .where('id', '=', $('id'))
          .where('device_id', '=', $('deviceId')),
    ),
    commandStatus: store.prepare<
      { commandId: string; msgId: string; status: string; code: string | null; reason: string | null; at: number },
      unknown
    >((q, $) =>
      q
        .insertInto('command_status')
        .values({
          command_id: $('commandId'),
          msg_id: $('msgId'),
          status: $('status'),
          code: $('code'),
          reason: $('reason'),
          at: $('at'),
        })
        .onConflict((oc) => oc.column('msg_id').doNothing()),
    ),
    commandRow: store.prepare<{ id: string }, { device_id: string; status: string }>((q, $) => {
      const select = q.selectFrom('commands').select(['device_id', 'status']).where('id', '=', $('id'));
      return pg ? select.forUpdate() : select;
    }),
    commandUpdate: store.prepare<{ status: string; at: number; id: string }, unknown>((q, $) =>
      q
        .updateTable('commands')
        .set({ status: $('status'), updated_at: $('at') })
        .where('id', '=', $('id')),
    ),
    commandDelivered: store.prepare<{ commandId: string; at: number }, unknown>((q, $) =>
      q.insertInto('command_status').values({ command_id: $('commandId'), status: 'delivered', at: $('at') }),
    ),
    caseInsert: store.prepare<
      {
        id: string;
        msgId: string;
        deviceId: string;
        openedAt: number;
        receivedAt: number;
        reason: string;
        flowId: string | null;
        sessionId: string | null;
        locale: string;
        trace: string;
        diagnostics: string | null;
      },
      unknown
    >((q, $) =>
      q
        .insertInto('cases')
        .values({
          id: $('id'),
          msg_id: $('msgId'),
          device_id: $('deviceId'),
          opened_at: $('openedAt'),
          received_at: $('receivedAt'),
          reason: $('reason'),
          flow_id: $('flowId'),
          session_id: $('sessionId'),
          locale: $('locale'),
          trace: $('trace'),
          diagnostics: $('diagnostics'),
        })
        // Either key seen before (the message id, or the case id): a redelivery, or another device reusing an id.
        .onConflict((oc) => oc.doNothing()),
    ),
  };
}

/**
 * Validates every device message with the protocol schemas and stores it, idempotently by message id,
 * through the store layer (SQLite or PostgreSQL, issue 15). Storage runs one step at a time in arrival
 * order (a group of diagnostics, or one other message), so a device's reports are stored in the order
 * they came; on SQLite each step settles at once, as the synchronous code before it did.
 */
export class Ingest {
  private readonly st;
  private pending: PendingDiagnostics[] = [];
  private flushScheduled = false;
  private readonly budget: DeviceBudget;
  private readonly records: RecordLimits;
  private readonly sensors: SensorKeys;
  /** The customer's side of the live chat (issue 17), stored here so the fleet worker stores it too. */
  readonly chat: ChatIngest;
  /** The storage steps, one after the other; each step answers its own callers and never rejects. */
  private chain: Promise<void> = Promise.resolve();
  /** Submits that arrived while a device's sensor keys were being read, in order; undefined when none wait. */
  private waiting: Submission[] | undefined;

  constructor(
    private readonly store: SqlStore,
    private readonly live: LiveBus,
    options: IngestOptions = { profiles: new Map() },
  ) {
    this.budget = new DeviceBudget(options.budget ?? DEFAULT_DEVICE_BUDGET);
    this.records = options.records ?? DEFAULT_RECORD_LIMITS;
    this.sensors = new SensorKeys(store, options.profiles);
    this.chat = new ChatIngest(store, live);
    this.st = queries(store);
  }

  /**
   * The broker's entry point. Diagnostics, the bulk of the traffic, are
   * validated at once and then stored in a group commit: every snapshot that
   * arrives in one event-loop turn shares one transaction, and `done` runs after
   * the commit, so a QoS 1 message is still stored before its PUBACK. Other
   * messages are stored after any pending group, to keep their order.
   */
  submit(topic: ParsedTopic, payload: Buffer, done: IngestCallback, now: number = Date.now()): void {
    if (this.waiting) {
      this.waiting.push([topic, payload, done, now]);
      return;
    }
    // A device's first snapshot since start: its model's sensor keys come from the store. Everything after it
    // waits (once per device), so nothing overtakes it.
    if (topic.kind === 'diagnostics' && !this.sensors.cached(topic.deviceId)) {
      this.waiting = [[topic, payload, done, now]];
      this.sensors.load(topic.deviceId).then(
        () => this.replay(),
        (err: unknown) => {
          // The store is unreachable: this message is not stored (the sender retries), the others try again.
          const first = this.waiting?.shift();
          first?.[2](err as Error);
          this.replay();
        },
      );
      return;
    }
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
        setImmediate(() => void this.flush());
      }
      return;
    }
    this.takeGroup();
    // Not diagnostics (returned above); ParsedTopic's kinds share one member, so TS cannot narrow it by itself.
    const immediate = topic as ImmediateTopic;
    this.step(async () => {
      let result: Result<IngestOutcome>;
      try {
        result = await this.ingest(immediate, payload, now);
      } catch (err) {
        return done(err as Error);
      }
      done(null, result);
    });
  }

  private replay(): void {
    const waiting = this.waiting ?? [];
    this.waiting = undefined;
    // Each goes through submit again; one that needs another lookup starts a new wait, and the rest queue behind it.
    for (const s of waiting) this.submit(...s);
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

  /** Runs a storage step after the ones before it. */
  private step(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch(() => undefined);
  }

  /** Queues the pending group of diagnostics for its commit, before whatever is queued next. */
  private takeGroup(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.step(() => this.commitGroup(batch));
  }

  /** Commits the pending group of diagnostics and answers each message; resolves when every step queued so far is done. */
  flush(): Promise<void> {
    this.takeGroup();
    return this.chain;
  }

  private async commitGroup(batch: PendingDiagnostics[]): Promise<void> {
    let stored: boolean[];
    try {
      // Every ingest transaction begins IMMEDIATE on SQLite: fleet workers in other processes share the file
      // (issue 15), and a deferred transaction that reads first cannot wait for the write lock (SQLITE_BUSY at once).
      stored = await this.store.transaction(async (tx) => {
        const out = await this.insertGroup(tx, batch);
        // One health update per device per group: the newest snapshot (by the device's clock) wins.
        const newest = new Map<string, PendingDiagnostics>();
        batch.forEach((p, i) => {
          const current = newest.get(p.d.deviceId);
          if (out[i] && (!current || p.d.ts >= current.d.ts)) newest.set(p.d.deviceId, p);
        });
        // Issued in order and awaited together: one wait per group, not two per device (on SQLite each runs
        // at once; on PostgreSQL the transaction's connection sends them in order).
        const updates: Promise<number>[] = [];
        for (const p of newest.values()) {
          const deviceId = p.d.deviceId;
          updates.push(
            tx.run(
              this.st.deviceHealth.bind({
                errors: JSON.stringify(p.d.mcu.errors),
                link: p.d.agent.link,
                ts: p.d.ts,
                deviceId,
              }),
            ),
            tx.run(this.st.lastSeen.bind({ now: p.now, deviceId })),
          );
        }
        await Promise.all(updates);
        return out;
      });
    } catch (err) {
      for (const p of batch) p.done(err as Error);
      return;
    }
    batch.forEach((p, i) => {
      if (stored[i]) this.live.emit('diagnostics', p.d, p.raw.length);
      p.done(null, ok(stored[i] ? 'stored' : 'duplicate'), p.d.id);
    });
  }

  /**
   * Inserts a group, telling each row stored from duplicate. SQLite: one prepared statement per row, the
   * measured cheapest path (bench query-layer). PostgreSQL: one multi-row INSERT per group, whose RETURNING
   * names the rows it stored, instead of one round trip per row (3× the CPU, docs/scale-out.md).
   */
  private async insertGroup(tx: SqlExecutor, batch: readonly PendingDiagnostics[]): Promise<boolean[]> {
    if (tx.dialect === 'sqlite') {
      // Each row runs as it is issued; one wait for the group instead of a microtask and a continuation per
      // row for a statement that had already run (issue 13, docs/benchmarks.md "Profiles (issue 13)").
      const changes = await Promise.all(
        batch.map((p) =>
          tx.run(
            this.st.diagnostics.bind({
              msgId: p.d.id,
              deviceId: p.d.deviceId,
              ts: p.d.ts,
              receivedAt: p.now,
              reason: p.d.reason,
              body: p.raw,
            }),
          ),
        ),
      );
      return changes.map((n) => n > 0);
    }
    // At most PG_ROWS_PER_INSERT rows a statement: PostgreSQL takes 65,535 parameters, six a row.
    const inserted: { msg_id: string }[] = [];
    for (let i = 0; i < batch.length; i += PG_ROWS_PER_INSERT)
      inserted.push(
        ...(await tx.all(
          tx.q
            .insertInto('diagnostics')
            .values(
              batch.slice(i, i + PG_ROWS_PER_INSERT).map((p) => ({
                msg_id: p.d.id,
                device_id: p.d.deviceId,
                ts: p.d.ts,
                received_at: p.now,
                reason: p.d.reason,
                body: p.raw,
              })),
            )
            .onConflict((oc) => oc.column('msg_id').doNothing())
            .returning('msg_id'),
        )),
      );
    const fresh = new Set(inserted.map((r) => r.msg_id));
    // A message id twice in one group is stored once: the first is the stored one, the next a duplicate.
    return batch.map((p) => fresh.delete(p.d.id));
  }

  /** Stores one message (after any pending group); diagnostics never come here, `submit` groups them. */
  private async ingest(topic: ImmediateTopic, payload: Buffer, now: number): Promise<Result<IngestOutcome>> {
    switch (topic.kind) {
      case 'presence':
        return this.presence(topic.deviceId, payload, now);
      case 'events':
        return this.event(topic.deviceId, payload, now);
      case 'commandResult':
        return this.commandResult(topic.deviceId, payload, now);
      case 'caseOpen':
        return this.caseOpen(topic.deviceId, payload, now);
      case 'bundle':
        return storeBundleReply(this.store, this.live, topic.deviceId, payload, now);
      case 'chat':
        return this.chat.message(topic.deviceId, payload, now);
      case 'chatTyping':
        return this.chat.typing(topic.deviceId, payload, now);
      case 'phoneUp': {
        // Live only (issue 17, the phone as a touchpoint): checked here, nothing stored; PhoneAccessService acts on it.
        const msg = decode(phoneUpMessage, payload);
        if (!msg.ok) return msg;
        this.live.emit('phone', { deviceId: topic.deviceId, message: msg.value });
        return ok('passed');
      }
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
      case 'bundleRequest':
      case 'chatStaff':
      case 'phoneDown':
        return fail(ErrorCode.NOT_AUTHORIZED, `devices may not publish on ${topic.kind}`);
    }
  }

  private async presence(deviceId: string, payload: Buffer, now: number): Promise<Result<IngestOutcome>> {
    const msg = decode(presenceMessage, payload);
    if (!msg.ok) return msg;
    const p = msg.value;
    if (p.deviceId !== deviceId)
      return fail(ErrorCode.WRONG_DEVICE, `presence for ${p.deviceId} on ${deviceId}'s topic`);
    const before = await this.store.first(this.st.connectionState.bind({ deviceId }));
    if (p.state === 'online') {
      // A birth on a connection the fleet has not seen online is a device coming online (issue 15); a refresh
      // of the same connection's presence (new firmware version) is not.
      const cameOnline = before !== undefined && (before.online !== 1 || before.connection_id !== p.connectionId);
      await this.store.transaction(async (tx) => {
        await tx.run(
          this.st.online.bind({
            connectionId: p.connectionId,
            now,
            agentVersion: p.agentVersion ?? null,
            firmwareVersion: p.firmwareVersion ?? null,
            profileVersion: p.profileVersion ?? null,
            deviceId,
          }),
        );
        await tx.run(
          this.st.presenceHistory.bind({
            msgId: p.id,
            deviceId,
            state: 'online',
            connectionId: p.connectionId,
            at: now,
          }),
        );
      });
      this.live.emit('presence', { deviceId, online: true, at: now });
      if (cameOnline)
        this.live.emit('birth', { deviceId, connectionId: p.connectionId, at: now, contentVersion: p.contentVersion });
      return ok('stored');
    }
    // A will from an older connection must not mark the live connection offline.
    const current = before?.connection_id;
    if (current && current !== p.connectionId) return ok('stale');
    await this.markOffline(deviceId, p.connectionId, now, p.id);
    return ok('stored');
  }

  /**
   * Marks a device offline if it is online and `connectionId` is still its live connection: a conditional
   * write, so two callers (a will and a disconnect) record it once, on either dialect, with no lock.
   */
  async markOffline(
    deviceId: string,
    connectionId: string | null,
    now: number,
    msgId: string | null = null,
  ): Promise<boolean> {
    const changed = await this.store.transaction(async (tx) => {
      const changes = await tx.run(
        connectionId === null
          ? this.st.offlineAny.bind({ now, deviceId })
          : this.st.offline.bind({ now, deviceId, connectionId }),
      );
      if (changes > 0)
        await tx.run(this.st.presenceHistory.bind({ msgId, deviceId, state: 'offline', connectionId, at: now }));
      return changes > 0;
    });
    if (changed) this.live.emit('presence', { deviceId, online: false, at: now });
    return changed;
  }

  private validDiagnostics(deviceId: string, payload: string): Result<DiagnosticsMessage> {
    const msg = decode(diagnosticsMessage, payload);
    if (!msg.ok) return msg;
    if (msg.value.deviceId !== deviceId)
      return fail(ErrorCode.WRONG_DEVICE, `diagnostics for ${msg.value.deviceId} on ${deviceId}'s topic`);
    // submit() looked the device's keys up before it came here.
    const unknown = this.sensors.unknownKey(deviceId, msg.value.mcu.sensors);
    if (unknown !== undefined) return fail(ErrorCode.UNKNOWN_SENSOR, unknown);
    return msg;
  }

  private async event(deviceId: string, payload: Buffer, now: number): Promise<Result<IngestOutcome>> {
    const msg = decode(deviceEventMessage, payload);
    if (!msg.ok) return msg;
    const m = msg.value;
    if (m.deviceId !== deviceId) return fail(ErrorCode.WRONG_DEVICE, `event for ${m.deviceId} on ${deviceId}'s topic`);
    const e = m.event;
    const sessionId = e.type === 'help' || e.type === 'video' ? e.sessionId : null;
    if (e.type === 'help') {
      const owner = await this.store.first(this.st.helpOwner.bind({ id: e.sessionId }));
      if (owner !== undefined && owner.device_id !== deviceId)
        return fail(ErrorCode.WRONG_DEVICE, `help session ${e.sessionId} belongs to another device`);
    }
    const stored = await this.store.transaction(async (tx) => {
      const inserted = await tx.run(
        this.st.event.bind({
          msgId: m.id,
          deviceId,
          ts: m.ts,
          receivedAt: now,
          type: e.type,
          sessionId,
          body: payload.toString('utf8'),
        }),
      );
      if (inserted === 0) return false;
      switch (e.type) {
        case 'error.raised':
        case 'error.cleared': {
          if ((await tx.first(this.st.newerErrorState.bind({ deviceId, ts: m.ts, code: e.code })))?.newer) break;
          const row = await tx.first(this.st.deviceErrors.bind({ deviceId }));
          const errors = new Set(JSON.parse(row?.errors ?? '[]') as string[]);
          if (e.type === 'error.raised') errors.add(e.code);
          else errors.delete(e.code);
          await tx.run(this.st.setErrors.bind({ errors: JSON.stringify([...errors].sort()), deviceId }));
          break;
        }
        case 'link':
          await tx.run(this.st.setLink.bind({ link: e.link, deviceId }));
          break;
        case 'help':
          await this.helpSession(tx, deviceId, e.sessionId, e.flowId, e.entry);
          break;
        case 'video':
          break;
      }
      return true;
    });
    if (!stored) return ok('duplicate');
    this.live.emit('event', { deviceId, at: m.ts, event: e });
    if (e.type === 'help')
      this.live.emit('help', { deviceId, sessionId: e.sessionId, flowId: e.flowId, entry: e.entry });
    return ok('stored');
  }

  private async helpSession(
    tx: SqlExecutor,
    deviceId: string,
    sessionId: string,
    flowId: string,
    entry: HelpTraceEntry,
  ): Promise<void> {
    const session = { id: sessionId, deviceId };
    switch (entry.kind) {
      case 'start':
        await tx.run(this.st.helpStart.bind({ ...session, flowId, at: entry.at }));
        break;
      case 'step':
        await tx.run(this.st.helpStart.bind({ ...session, flowId, at: entry.at }));
        await tx.run(this.st.helpStep.bind({ ...session, step: entry.stepId, at: entry.at }));
        break;
      case 'outcome':
        await tx.run(
          this.st.helpOutcome.bind({
            ...session,
            outcome: entry.outcome,
            resolution: entry.outcome === 'resolved' ? (entry.resolution ?? null) : null,
            msTotal: entry.msTotal,
            at: entry.at,
          }),
        );
        break;
      case 'rating':
        await tx.run(
          this.st.helpRating.bind({ ...session, ces: entry.ces, helped: entry.helped ? 1 : 0, at: entry.at }),
        );
        break;
      case 'choice':
      case 'back':
      case 'check':
      case 'action':
        break;
    }
  }

  private async commandResult(deviceId: string, payload: Buffer, now: number): Promise<Result<IngestOutcome>> {
    const msg = decode(commandResultMessage, payload);
    if (!msg.ok) return msg;
    const r = msg.value;
    if (r.deviceId !== deviceId) return fail(ErrorCode.WRONG_DEVICE, `result for ${r.deviceId} on ${deviceId}'s topic`);
    const outcome = await this.store.transaction(async (tx): Promise<IngestOutcome | 'unknown' | 'changed'> => {
      // Locked on PostgreSQL until the transaction ends: two workers' results for one command take turns.
      const command = await tx.first(this.st.commandRow.bind({ id: r.commandId }));
      if (!command || command.device_id !== deviceId) return 'unknown';
      // A result proves delivery, and the PUBACK hook may report it only later (after the session store
      // write). A still-queued command has no device result yet, so this one is not a duplicate.
      if (command.status === 'queued') await tx.run(this.st.commandDelivered.bind({ commandId: r.commandId, at: now }));
      const inserted = await tx.run(
        this.st.commandStatus.bind({
          commandId: r.commandId,
          msgId: r.id,
          status: r.status,
          code: r.code ?? null,
          reason: r.reason ?? null,
          at: now,
        }),
      );
      if (inserted === 0) return 'duplicate';
      // REPLAY only says the device had the command already (the fleet re-sends pending commands on every
      // birth, issue 15): its first outcome is the one that counts, so this one goes to the history only.
      if (r.status === 'rejected' && r.code === ErrorCode.REPLAY) return 'stored';
      const current = command.status === 'queued' ? 'delivered' : command.status;
      const rank = COMMAND_RANK[current] ?? 0;
      // History only: the command has finished, or the result is older news than its status.
      if (rank >= FINISHED || (COMMAND_RANK[r.status] ?? 0) < rank || current === r.status) return 'stored';
      await tx.run(this.st.commandUpdate.bind({ status: r.status, at: now, id: r.commandId }));
      return 'changed';
    });
    if (outcome === 'unknown') return fail(ErrorCode.NOT_FOUND, `command ${r.commandId} was not issued to ${deviceId}`);
    // The live channel carries the command's status, so only a change is announced.
    if (outcome === 'changed')
      this.live.emit('command', { commandId: r.commandId, deviceId, status: r.status, code: r.code, reason: r.reason });
    return ok(outcome === 'changed' ? 'stored' : outcome);
  }

  private async caseOpen(deviceId: string, payload: Buffer, now: number): Promise<Result<IngestOutcome>> {
    const msg = decode(caseOpenMessage, payload);
    if (!msg.ok) return msg;
    const c = msg.value;
    if (c.deviceId !== deviceId) return fail(ErrorCode.WRONG_DEVICE, `case for ${c.deviceId} on ${deviceId}'s topic`);
    if (c.diagnostics) {
      await this.sensors.load(deviceId);
      const unknown = this.sensors.unknownKey(deviceId, c.diagnostics.mcu.sensors);
      if (unknown !== undefined) return fail(ErrorCode.UNKNOWN_SENSOR, unknown);
    }
    // Ignored when the message id or the case id was seen before: a redelivery, or another device reusing an id.
    // The case keeps the customer's request time (the device stamped the message when they asked, even if its
    // outbox held it through an outage) and its arrival; SLA and KPIs count from the request (issue 16). A device
    // clock ahead of ours must not open a case in the future, so the request is never later than the arrival.
    const inserted = await this.store.run(
      this.st.caseInsert.bind({
        id: c.caseId,
        msgId: c.id,
        deviceId,
        openedAt: Math.min(c.ts, now),
        receivedAt: now,
        reason: c.reason,
        flowId: c.flowId ?? null,
        sessionId: c.sessionId ?? null,
        locale: c.locale,
        trace: JSON.stringify(c.trace),
        diagnostics: c.diagnostics ? JSON.stringify(c.diagnostics) : null,
      }),
    );
    if (inserted === 0) return ok('duplicate');
    this.live.emit('case', { caseId: c.caseId, deviceId, status: 'open', change: 'opened' });
    return ok('stored');
  }
}
