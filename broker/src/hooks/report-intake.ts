import { ErrorCode, parseTopic, type ParsedTopic, type Result } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Ingest, IngestOutcome } from '../fleet/ingest.js';
import type { Quarantine } from '../fleet/quarantine.js';
import type { Receipts } from '../fleet/receipts.js';
import type { Logger } from '../logger.js';
import { LogThrottle } from './log-throttle.js';

export interface ReportIntakeDeps {
  ingest: Ingest;
  quarantine: Quarantine;
  receipts: Receipts;
  counters: Counters;
  log: Logger;
}

/**
 * What became of one device message: kept (`stored`, `duplicate`, `passed` on to the live channel),
 * `stale` (an old connection's will), or `rejected` (bad topic or payload: counted, quarantined,
 * never routed). `receipt` resolves true once the device's receipt for it is published (or none is
 * owed), false if it could not be; it never rejects.
 */
export interface IntakeSettled {
  disposition: 'stored' | 'duplicate' | 'passed' | 'stale' | 'rejected';
  receipt: Promise<boolean>;
}

/** `error`: the message could not be stored (the sender must send it again); otherwise how it settled. */
export type IntakeDone = (error: Error | null, settled?: IntakeSettled) => void;

export type ReportIntake = (topicName: string, payload: Buffer, clientId: string | undefined, done: IntakeDone) => void;

/**
 * One path from a device's publish to the fleet's store, for every engine (issue 15): the embedded
 * broker's publish hook calls it after its ACL check, the fleet worker for each message it takes
 * from RabbitMQ (whose auth hook did the ACL check). Validation with the protocol schemas and
 * storage (Ingest, idempotent by message id), the receipt (Receipts), and for a refused message its
 * counter (`rejected.<code>`), quarantine row and sampled log line, so both modes count alike.
 */
export function createReportIntake(deps: ReportIntakeDeps): ReportIntake {
  // A flooding device is counted in full; its log lines are sampled per device and code.
  const rejectLog = new LogThrottle();

  // Defined once, not per message: every PUBLISH passes here, and under tsx (how `touchpoint broker` runs)
  // each named closure made per call also cost a defineProperty for its name (issue 13, docs/benchmarks.md).

  /** A storage failure must not be acknowledged: the sender keeps the message and retries. */
  function failed(err: Error, topicName: string, done: IntakeDone): void {
    deps.counters.inc(`rejected.${ErrorCode.INTERNAL}`);
    deps.log.error('ingest failed', { topic: topicName, code: ErrorCode.INTERNAL, reason: err.message });
    done(err);
  }

  function settle(
    topic: ParsedTopic,
    topicName: string,
    payload: Buffer,
    clientId: string | undefined,
    result: Result<IngestOutcome>,
    messageId: string | undefined,
    done: IntakeDone,
  ): void {
    // Settled: the device deletes the report from its outbox on the receipt, not on a PUBACK (issue 15).
    const receipt = deps.receipts.settled(topic, payload, result, messageId);
    if (!result.ok) {
      deps.counters.inc(`rejected.${result.code}`);
      const suppressed = rejectLog.admit(`${clientId ?? topic.deviceId}\u0000${result.code}`);
      if (suppressed !== undefined)
        deps.log.warn('message rejected', {
          clientId,
          topic: topicName,
          code: result.code,
          reason: result.reason,
          ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}),
        });
      return done(null, { disposition: 'rejected', receipt });
    }
    if (result.value === 'stale') deps.counters.inc('presence.stale_will');
    else if (result.value === 'duplicate') deps.counters.inc('ingest.duplicate');
    else deps.counters.inc('ingest.stored');
    done(null, { disposition: result.value, receipt });
  }

  return function intake(topicName, payload, clientId, done) {
    const topic = parseTopic(topicName);
    if (!topic) {
      deps.counters.inc(`rejected.${ErrorCode.TOPIC_INVALID}`);
      return done(null, { disposition: 'rejected', receipt: Promise.resolve(true) });
    }
    deps.ingest.submit(topic, payload, (err, result, messageId) => {
      if (err || !result) return failed(err ?? new Error('ingest gave no result'), topicName, done);
      if (result.ok) return settle(topic, topicName, payload, clientId, result, messageId, done);
      // Quarantined before it is receipted or acknowledged, so a refused message never disappears without a
      // trace: when the store cannot take the row either, it is not acknowledged and comes again.
      deps.quarantine
        .add(clientId ?? null, topicName, result.code, result.reason, payload)
        .then(
          () => settle(topic, topicName, payload, clientId, result, messageId, done),
          (qErr: unknown) => failed(qErr as Error, topicName, done),
        )
        .catch((cbErr: unknown) =>
          deps.log.error('intake callback failed', { code: ErrorCode.INTERNAL, reason: (cbErr as Error).message }),
        );
    });
  };
}
