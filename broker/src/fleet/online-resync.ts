import { caseStatus, deviceTopic, header, type CaseStatusMessage } from '@touchpoint/protocol';
import type { Db } from '../db/database.js';
import { statementCache, type Prepare } from '../db/statement-cache.js';
import type { Logger } from '../logger.js';
import type { Commands, Publish } from './commands.js';
import type { LiveBus } from './live.js';
import type { Staff } from './staff.js';

/** What one resync sent, for logs and tests. */
export interface ResyncReport {
  deviceId: string;
  commands: string[];
  caseId: string | null;
}

/**
 * Issue 15: "presence, case status and pending commands do not depend on
 * retained messages, which some engines keep per node". When a device comes
 * online (a birth on a new connection, from the stream, ingest.ts), the fleet
 * sends it again what it may have missed while it was away:
 *
 * - every command still `queued` and not expired, oldest first (an expired one
 *   is marked `expired` and never sent); the agent records each command id
 *   before its PUBACK, so a command that also waited in the device's MQTT
 *   session arrives twice and runs once (the second answer, `rejected` REPLAY,
 *   goes to the command's history only);
 * - the status of its newest case, whatever it is now (a case resolved while
 *   the device was away must reach its screen too); the agent ignores status
 *   for a case it is not showing.
 *
 * Nothing here reads the engine's state: everything comes from the database,
 * so any process that ingests the birth can do it.
 */
export class OnlineResync {
  private readonly sql: Prepare;
  private readonly off: () => void;
  private closed = false;
  /** Commands the engine's session for the device still holds, which the engine delivers itself (embedded mode). */
  private heldBySession: ((deviceId: string) => Promise<ReadonlySet<string>>) | undefined;

  constructor(
    db: Db,
    // Only what a resync reads, so a process without the rest of the fleet (a fleet worker) can run one too.
    private readonly commands: Pick<Commands, 'pendingFor'>,
    private readonly staff: Pick<Staff, 'get'>,
    private readonly publish: Publish,
    private readonly log: Logger,
    live: LiveBus,
  ) {
    this.sql = statementCache(db);
    const onBirth = ({ deviceId }: { deviceId: string }) => {
      // After the birth's own ingest and PUBACK: the resync never delays the publish that triggered it.
      setImmediate(() => {
        if (this.closed) return;
        this.resync(deviceId).catch((err: unknown) =>
          this.log.error('resync after birth failed', { deviceId, code: 'INTERNAL', reason: (err as Error).message }),
        );
      });
    };
    live.on('birth', onBirth);
    this.off = () => live.off('birth', onBirth);
  }

  /**
   * Where the engine is in this process (aedes), the commands its session for the device still holds: they are
   * left out, so a device on a kept session gets each command once. A failed read leaves nothing out.
   */
  skipHeldBySession(check: (deviceId: string) => Promise<ReadonlySet<string>>): void {
    this.heldBySession = check;
  }

  /** Sends the device its pending commands and its newest case's status; resolves when all were published. */
  async resync(deviceId: string, now: number = Date.now()): Promise<ResyncReport> {
    const pending = this.commands.pendingFor(deviceId, now);
    const held =
      pending.length > 0 && this.heldBySession
        ? await this.heldBySession(deviceId).catch((err: unknown) => {
            this.log.warn('could not read the device session; sending every pending command', {
              deviceId,
              code: 'INTERNAL',
              reason: (err as Error).message,
            });
            return new Set<string>();
          })
        : new Set<string>();
    const envelopes = pending.filter((e) => !held.has(e.id));
    const status = this.caseStatus(deviceId, now);
    const topic = deviceTopic(deviceId, 'command');
    // In order, one after the other: the device runs commands in the order staff sent them.
    for (const envelope of envelopes) await this.publish(topic, JSON.stringify(envelope), { qos: 1, retain: false });
    if (status)
      await this.publish(deviceTopic(deviceId, 'caseStatus'), JSON.stringify(status), { qos: 1, retain: false });
    const report = { deviceId, commands: envelopes.map((e) => e.id), caseId: status?.caseId ?? null };
    if (envelopes.length > 0 || status)
      this.log.debug('resent to a device that came online', {
        deviceId,
        commands: report.commands.length,
        caseId: report.caseId,
      });
    return report;
  }

  /** Stops listening; a birth already seen sends nothing more (the database may be closing). */
  close(): void {
    this.closed = true;
    this.off();
  }

  private caseStatus(deviceId: string, now: number): CaseStatusMessage | undefined {
    const row = this.sql(
      'SELECT id, status, assignee FROM cases WHERE device_id = ? ORDER BY received_at DESC, rowid DESC LIMIT 1',
    ).get(deviceId) as { id: string; status: string; assignee: string | null } | undefined;
    if (!row) return undefined;
    const status = caseStatus.parse(row.status);
    // As Cases.update says it: the name of the staff member looking at the device while the case is claimed.
    const agentName = status === 'claimed' && row.assignee ? this.staff.get(row.assignee)?.displayName : undefined;
    return { ...header(now), caseId: row.id, status, ...(agentName ? { agentName } : {}) };
  }
}
