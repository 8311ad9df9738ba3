import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deviceTopic,
  header,
  parseTopic,
  type CaseOpenMessage,
  type CommandResultMessage,
  type DeviceEventMessage,
  type DiagnosticsMessage,
  type PresenceMessage,
  type Result,
} from '@touchpoint/protocol';
import { Ingest, LiveBus, Quarantine, type IngestOutcome } from '@touchpoint/broker/store';
import { DIALECTS, openStore, stopSharedPostgres, type OpenedStore } from './dialects.js';

// Issue 15: ingest's contract on both stores (SQLite and a real PostgreSQL 15): idempotent by message id,
// in arrival order, command results forward-only, cases once, and a store failure reported, never thrown.

afterAll(stopSharedPostgres, 60_000);

type Kind = 'diagnostics' | 'events' | 'presence' | 'commandResult' | 'caseOpen';
interface Answer {
  error: Error | null;
  result?: Result<IngestOutcome>;
}

const snapshot = (deviceId: string, extra: Partial<DiagnosticsMessage> = {}): DiagnosticsMessage => ({
  ...header(),
  deviceId,
  reason: 'periodic',
  mcu: { sensors: {}, errors: ['E05'] },
  agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 10 },
  ...extra,
});
const errorEvent = (deviceId: string, type: 'error.raised' | 'error.cleared', code: string): DeviceEventMessage => ({
  ...header(),
  deviceId,
  event: { type, code },
});

describe.each(DIALECTS)('ingest on %s', (dialect) => {
  let opened: OpenedStore;
  let ingest: Ingest;
  let live: LiveBus;

  /** Submits in the order called; resolves with the answer (diagnostics after their group commit). */
  const submit = (deviceId: string, kind: Kind, message: unknown): Promise<Answer> =>
    new Promise((resolve) =>
      ingest.submit(parseTopic(deviceTopic(deviceId, kind))!, Buffer.from(JSON.stringify(message)), (error, result) =>
        resolve({ error, result }),
      ),
    );
  const outcome = (a: Answer) =>
    a.error ? `error: ${a.error.message}` : a.result?.ok ? a.result.value : a.result?.code;

  beforeEach(async () => {
    opened = await openStore(dialect);
    live = new LiveBus(() => undefined);
    ingest = new Ingest(opened.store, live);
    const { store } = opened;
    for (const id of ['d1', 'd2'])
      await store.run(
        store.q.insertInto('devices').values({ id, model: 'coffee', token_hash: Buffer.alloc(32), created_at: 1 }),
      );
  }, 90_000);
  afterEach(() => opened.close());

  it('stores a snapshot once by message id, in one group or in the next', async () => {
    const a = snapshot('d1');
    const b = snapshot('d1');
    const first = await Promise.all([
      submit('d1', 'diagnostics', a),
      submit('d1', 'diagnostics', a),
      submit('d1', 'diagnostics', b),
    ]);
    expect(first.map(outcome)).toEqual(['stored', 'duplicate', 'stored']);
    expect(outcome(await submit('d1', 'diagnostics', a))).toBe('duplicate');
    const { store } = opened;
    const rows = await store.all(store.q.selectFrom('diagnostics').select('msg_id').orderBy('msg_id'));
    expect(rows.map((r) => r.msg_id)).toEqual([a.id, b.id].sort());
    const device = await store.first(
      store.q.selectFrom('devices').select(['errors', 'link', 'last_diagnostics_at']).where('id', '=', 'd1'),
    );
    expect(device).toEqual({ errors: '["E05"]', link: 'up', last_diagnostics_at: b.ts });
  });

  it('stores a group larger than one PostgreSQL statement takes, with a duplicate across its parts', async () => {
    await submit('d1', 'diagnostics', snapshot('d1')); // the device's sensor keys are looked up once
    const many = Array.from({ length: 1_200 }, () => snapshot('d1'));
    // All in one event-loop turn: one group; the last repeats the first, 1,199 rows later.
    const answers = await Promise.all([...many, many[0]!].map((m) => submit('d1', 'diagnostics', m)));
    expect(answers.filter((a) => outcome(a) === 'stored')).toHaveLength(1_200);
    expect(outcome(answers[1_200]!)).toBe('duplicate');
    const { store } = opened;
    const n = await store.first(store.q.selectFrom('diagnostics').select((eb) => eb.fn.countAll<number>().as('n')));
    expect(n?.n).toBe(1_201);
  });

  it('refuses a sensor the model does not declare, and quarantines it', async () => {
    const quarantine = new Quarantine(opened.store);
    const bad = snapshot('d2', { mcu: { sensors: { made_up: 1 }, errors: [] } });
    const answer = await submit('d2', 'diagnostics', bad);
    expect(outcome(answer)).toBe('UNKNOWN_SENSOR');
    await quarantine.add('d2', deviceTopic('d2', 'diagnostics'), 'UNKNOWN_SENSOR', 'made_up', Buffer.from('{}'));
    expect((await quarantine.list(5)).map((r) => r.code)).toEqual(['UNKNOWN_SENSOR']);
  });

  it('stores a device’s events in the order they came, each once', async () => {
    // Stamped by the device's clock, explicitly: the error list follows it (a snapshot applies unless a newer
    // report was stored, an event unless something newer about its code was), not the order of storing.
    const base = Date.now();
    const at = (ts: number, e: DeviceEventMessage): DeviceEventMessage => ({ ...e, ts });
    const events = [
      at(base - 1, errorEvent('d1', 'error.raised', 'E1')),
      at(base + 1, errorEvent('d1', 'error.raised', 'E2')),
      at(base + 2, errorEvent('d1', 'error.cleared', 'E1')),
      at(base + 3, errorEvent('d1', 'error.raised', 'E3')),
    ];
    // All submitted in one turn, with a snapshot in between: the group commits before the events after it.
    const answers = await Promise.all([
      submit('d1', 'events', events[0]),
      submit('d1', 'diagnostics', snapshot('d1', { ts: base, mcu: { sensors: {}, errors: ['E9'] } })),
      ...events.slice(1).map((e) => submit('d1', 'events', e)),
      submit('d1', 'events', events[1]),
    ]);
    expect(answers.map(outcome)).toEqual(['stored', 'stored', 'stored', 'stored', 'stored', 'duplicate']);
    const { store } = opened;
    // The snapshot (newer than E1's raise) set E9; the events after it then raised E2 and E3 and cleared E1.
    const device = await store.first(store.q.selectFrom('devices').select('errors').where('id', '=', 'd1'));
    expect(JSON.parse(device!.errors)).toEqual(['E2', 'E3', 'E9']);
    const stored = await store.all(store.q.selectFrom('events').select('msg_id'));
    expect(stored.map((r) => r.msg_id).sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('follows presence: a birth, a stale will of an older connection, then the live connection’s will once', async () => {
    const births: string[] = [];
    live.on('birth', (b) => births.push(b.connectionId));
    const presence = (state: 'online' | 'offline', connectionId: string): PresenceMessage => ({
      ...header(),
      deviceId: 'd1',
      state,
      connectionId,
    });
    const will = presence('offline', 'c2');
    const answers = await Promise.all([
      submit('d1', 'presence', presence('online', 'c1')),
      submit('d1', 'presence', presence('online', 'c2')),
      submit('d1', 'presence', presence('offline', 'c1')),
      submit('d1', 'presence', will),
      submit('d1', 'presence', will),
    ]);
    expect(answers.map(outcome)).toEqual(['stored', 'stored', 'stale', 'stored', 'stored']);
    expect(births).toEqual(['c1', 'c2']);
    const { store } = opened;
    const history = await store.all(
      store.q.selectFrom('presence_history').select(['state', 'connection_id']).orderBy('id'),
    );
    expect(history).toEqual([
      { state: 'online', connection_id: 'c1' },
      { state: 'online', connection_id: 'c2' },
      { state: 'offline', connection_id: 'c2' },
    ]);
    expect(await ingest.markOffline('d1', 'c2', Date.now())).toBe(false);
  });

  it('moves a command forward only, records each result once, and refuses another device’s command', async () => {
    const { store } = opened;
    await store.run(
      store.q.insertInto('commands').values({
        id: 'cmd-1',
        device_id: 'd1',
        action: 'descale',
        params: '{}',
        issued_by: 'staff-1',
        issued_at: 1,
        expires_at: Date.now() + 60_000,
        status: 'queued',
        updated_at: 1,
        envelope: '{}',
      }),
    );
    const result = (status: CommandResultMessage['status'], deviceId = 'd1', code?: string): CommandResultMessage => ({
      ...header(),
      deviceId,
      commandId: 'cmd-1',
      status,
      ...(code ? { code } : {}),
    });
    const accepted = result('accepted');
    const answers = [];
    for (const r of [accepted, accepted, result('succeeded'), result('accepted'), result('rejected', 'd1', 'REPLAY')])
      answers.push(outcome(await submit('d1', 'commandResult', r)));
    expect(answers).toEqual(['stored', 'duplicate', 'stored', 'stored', 'stored']);
    expect(outcome(await submit('d2', 'commandResult', result('failed', 'd2')))).toBe('NOT_FOUND');
    const command = await store.first(store.q.selectFrom('commands').select('status').where('id', '=', 'cmd-1'));
    expect(command?.status).toBe('succeeded');
    const history = await store.all(
      store.q.selectFrom('command_status').select('status').where('command_id', '=', 'cmd-1').orderBy('id'),
    );
    expect(history.map((h) => h.status)).toEqual(['delivered', 'accepted', 'succeeded', 'accepted', 'rejected']);
  });

  it('opens a case once by message id and by case id, with its error codes', async () => {
    const kase = (caseId: string, deviceId = 'd1'): CaseOpenMessage => ({
      ...header(),
      deviceId,
      caseId,
      reason: 'stuck',
      locale: 'en',
      trace: [],
      diagnostics: snapshot(deviceId, { mcu: { sensors: {}, errors: ['E10', 'E11'] } }),
      consent: { diagnostics: true, helpSession: true, at: Date.now() },
    });
    const first = kase('case-1');
    const answers = [
      await submit('d1', 'caseOpen', first),
      await submit('d1', 'caseOpen', first),
      await submit('d2', 'caseOpen', kase('case-1', 'd2')),
    ];
    expect(answers.map(outcome)).toEqual(['stored', 'duplicate', 'duplicate']);
    const { store } = opened;
    const cases = await store.all(store.q.selectFrom('cases').select(['id', 'device_id', 'status']));
    expect(cases).toEqual([{ id: 'case-1', device_id: 'd1', status: 'open' }]);
    const codes = await store.all(store.q.selectFrom('case_error_codes').select('code').orderBy('code'));
    expect(codes.map((c) => c.code)).toEqual(['E10', 'E11']);
  });

  it('answers with an error, never a throw, when the store is gone, so the sender keeps the report', async () => {
    await opened.close();
    const answers = await Promise.all([
      submit('d1', 'diagnostics', snapshot('d1')),
      submit('d1', 'events', errorEvent('d1', 'error.raised', 'E1')),
    ]);
    for (const a of answers) expect(a.error, JSON.stringify(a.result)).toBeInstanceOf(Error);
    opened = { ...opened, close: () => Promise.resolve() };
  });
});
