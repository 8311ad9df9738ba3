import { ErrorCode, TouchpointError, newId, type DeviceProfile, type FlowProblem } from '@touchpoint/protocol';
import type { SqlExecutor, SqlStore } from '../db/sql-store.js';
import type { Database } from '../db/schema.js';
import type { AuditLog } from '../fleet/audit.js';
import { checkContent, contentBody, contentSha256, CONTENT_BODY_MAX_BYTES, type ContentBody } from './content-body.js';
import { checkActor, nextStatus, type ContentStatus, type ContentTransition } from './version-status.js';

/** Who acts on a version: a staff member (id and role, for the audit) or a tool (`models-dir`). */
export interface ContentActor {
  id: string;
  role?: string | undefined;
}

export interface ContentVersionInfo {
  id: string;
  model: string;
  /** 1, 2, 3... per model, in the order versions were started. */
  number: number;
  /** The version this one was started from; null for a model's first version. */
  parentId: string | null;
  status: ContentStatus;
  /** The approved version that is live on the model's devices (one per model at most). */
  baseline: boolean;
  summary: string;
  /** `contentSha256` of the body: what the content signature covers. */
  sha256: string;
  /** How many problems the flow validator found when the body was last saved (0 to propose). */
  problems: number;
  author: string;
  createdAt: number;
  updatedAt: number;
  proposedAt: number | null;
  reviewer: string | null;
  reviewedAt: number | null;
  reviewNote: string | null;
}

export interface ContentVersion extends ContentVersionInfo {
  body: ContentBody;
}

type Row = Database['content_versions'] & { baseline: number };

const INFO_COLUMNS = [
  'id',
  'model',
  'number',
  'parent_id',
  'status',
  'baseline',
  'summary',
  'content_sha256',
  'problems',
  'author',
  'created_at',
  'updated_at',
  'proposed_at',
  'reviewer',
  'reviewed_at',
  'review_note',
] as const;

function toInfo(r: Omit<Row, 'content'>): ContentVersionInfo {
  return {
    id: r.id,
    model: r.model,
    number: Number(r.number),
    parentId: r.parent_id,
    status: r.status,
    baseline: Number(r.baseline) === 1,
    summary: r.summary,
    sha256: r.content_sha256,
    problems: Number(r.problems),
    author: r.author,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    proposedAt: r.proposed_at === null ? null : Number(r.proposed_at),
    reviewer: r.reviewer,
    reviewedAt: r.reviewed_at === null ? null : Number(r.reviewed_at),
    reviewNote: r.review_note,
  };
}

const toVersion = (r: Row): ContentVersion => ({
  ...toInfo(r),
  body: contentBody.parse(JSON.parse(r.content) as unknown),
});

/** Checks the body's shape and size; its flows are checked by `checkContent` (problems are kept, not refused). */
function serialise(body: ContentBody): string {
  const parsed = contentBody.safeParse(body);
  if (!parsed.success) throw new TouchpointError(ErrorCode.SCHEMA_INVALID, `content: ${parsed.error.message}`);
  const json = JSON.stringify(parsed.data);
  if (Buffer.byteLength(json) > CONTENT_BODY_MAX_BYTES)
    throw new TouchpointError(ErrorCode.PAYLOAD_TOO_LARGE, `content exceeds ${CONTENT_BODY_MAX_BYTES} bytes`);
  return json;
}

/**
 * Editors starting drafts of one model at once may pick the same number (PostgreSQL, read committed); the
 * unique (model, number) refuses all but one, and the others try again: each round one of them wins.
 */
const NUMBER_ATTEMPTS = 8;

/**
 * The content versions of every model (migration 017) on the async store layer, so the same code runs on
 * SQLite and PostgreSQL. Every change is audited here (action `content.*`, target the version id), so no
 * caller can change content without a trace (issue 18, "every step audited").
 */
export class ContentVersions {
  constructor(
    private readonly store: SqlStore,
    private readonly audit: Pick<AuditLog, 'record'>,
    /** The model's profile, for the flow validator; undefined checks the flows' own structure only. */
    private readonly profileOf: (model: string) => DeviceProfile | undefined,
  ) {}

  /** The validator's problems for a body of `model` (what the studio shows live, at their JSON paths). */
  check(model: string, body: ContentBody): FlowProblem[] {
    return checkContent(body, this.profileOf(model));
  }

  async get(id: string): Promise<ContentVersion | undefined> {
    const row = await this.store.first(this.store.q.selectFrom('content_versions').selectAll().where('id', '=', id));
    return row ? toVersion(row as Row) : undefined;
  }

  /** A model's versions, newest first, without their bodies. */
  async list(model: string): Promise<ContentVersionInfo[]> {
    const rows = await this.store.all(
      this.store.q
        .selectFrom('content_versions')
        .select(INFO_COLUMNS)
        .where('model', '=', model)
        .orderBy('number', 'desc'),
    );
    return rows.map((r) => toInfo(r as Omit<Row, 'content'>));
  }

  /** The models that have versions, by name. */
  async models(): Promise<string[]> {
    const rows = await this.store.all(
      this.store.q.selectFrom('content_versions').select('model').distinct().orderBy('model'),
    );
    return rows.map((r) => r.model);
  }

  /** The newest approved version of a model (the one a rollout sends), or undefined. */
  async latestApproved(model: string): Promise<ContentVersion | undefined> {
    const row = await this.store.first(
      this.store.q
        .selectFrom('content_versions')
        .selectAll()
        .where('model', '=', model)
        .where('status', '=', 'approved')
        .orderBy('number', 'desc')
        .limit(1),
    );
    return row ? toVersion(row as Row) : undefined;
  }

  /** The version live on the model's devices, or undefined before the model was imported. */
  async baseline(model: string): Promise<ContentVersion | undefined> {
    const row = await this.store.first(
      this.store.q.selectFrom('content_versions').selectAll().where('model', '=', model).where('baseline', '=', 1),
    );
    return row ? toVersion(row as Row) : undefined;
  }

  /**
   * The content a model's devices run today (its models dir), as version 1, approved and live: the start of
   * its history. Only when the model has no version yet; otherwise the existing baseline is returned.
   */
  async importBaseline(model: string, body: ContentBody, actor: ContentActor): Promise<ContentVersion> {
    const existing = (await this.baseline(model)) ?? (await this.latestApproved(model));
    if (existing) return existing;
    try {
      const id = await this.insert(model, null, body, 'the help content of the models dir', actor, 'approved');
      return (await this.get(id))!;
    } catch (err) {
      // Another process imported the model at the same moment (the one-baseline index refused this one).
      const imported = await this.baseline(model);
      if (imported) return imported;
      throw err;
    }
  }

  /** A new draft of `model` starting from `parentId` (an existing version of the same model). */
  async createDraft(input: {
    model: string;
    parentId: string;
    body: ContentBody;
    summary: string;
    author: ContentActor;
  }): Promise<ContentVersion> {
    const parent = await this.get(input.parentId);
    if (!parent || parent.model !== input.model)
      throw new TouchpointError(ErrorCode.NOT_FOUND, `version ${input.parentId} of ${input.model} does not exist`);
    const id = await this.insert(input.model, parent.id, input.body, input.summary, input.author, 'draft');
    return (await this.get(id))!;
  }

  /** Saves a draft's body and summary; only its author, only while it is a draft. */
  async updateDraft(
    id: string,
    change: { body: ContentBody; summary: string },
    actor: ContentActor,
  ): Promise<ContentVersion> {
    const version = await this.transitionable(id, 'edit', actor);
    const content = serialise(change.body);
    const problems = this.check(version.model, change.body).length;
    const now = Date.now();
    const changed = await this.store.run(
      this.store.q
        .updateTable('content_versions')
        .set({
          content,
          content_sha256: contentSha256(change.body),
          summary: change.summary,
          problems,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('status', '=', 'draft'),
    );
    if (changed !== 1) throw this.lost(id);
    await this.record(actor, 'content.edit', version, { problems });
    return (await this.get(id))!;
  }

  /** draft → proposed: the author asks for review; refused while the validator finds a problem. */
  async propose(id: string, actor: ContentActor): Promise<ContentVersion> {
    const version = await this.transitionable(id, 'propose', actor);
    const problems = this.check(version.model, version.body);
    if (problems.length > 0) {
      await this.record(actor, 'content.propose', version, { problems: problems.length }, 'refused');
      throw new TouchpointError(
        ErrorCode.FLOW_INVALID,
        `version ${version.number} of ${version.model} has ${problems.length} problem(s); the first: ${problems[0]!.file}: ${problems[0]!.path}: ${problems[0]!.message}`,
      );
    }
    await this.move(version, 'propose', { proposed_at: Date.now() });
    await this.record(actor, 'content.propose', version);
    return (await this.get(id))!;
  }

  /** proposed → approved by a second person (four eyes). */
  async approve(id: string, actor: ContentActor, note?: string): Promise<ContentVersion> {
    return this.decide(id, 'approve', actor, note ?? null);
  }

  /** proposed → rejected by a second person, with the reason the author reads. */
  async reject(id: string, actor: ContentActor, note: string): Promise<ContentVersion> {
    return this.decide(id, 'reject', actor, note);
  }

  /** Makes an approved version the model's live one (rollouts call this when a version has reached the fleet). */
  async setBaseline(id: string, actor: ContentActor): Promise<ContentVersion> {
    const version = await this.get(id);
    if (!version) throw new TouchpointError(ErrorCode.NOT_FOUND, `content version ${id} does not exist`);
    if (version.status !== 'approved')
      throw new TouchpointError(
        ErrorCode.CONFLICT,
        `only an approved version can be live, this one is ${version.status}`,
      );
    await this.store.transaction(async (tx) => {
      await tx.run(
        tx.q
          .updateTable('content_versions')
          .set({ baseline: 0 })
          .where('model', '=', version.model)
          .where('baseline', '=', 1),
      );
      await tx.run(tx.q.updateTable('content_versions').set({ baseline: 1 }).where('id', '=', id));
    });
    await this.record(actor, 'content.baseline', version);
    return (await this.get(id))!;
  }

  private async decide(
    id: string,
    transition: 'approve' | 'reject',
    actor: ContentActor,
    note: string | null,
  ): Promise<ContentVersion> {
    const version = await this.transitionable(id, transition, actor);
    await this.move(version, transition, { reviewer: actor.id, reviewed_at: Date.now(), review_note: note });
    await this.record(actor, `content.${transition}`, version, note ? { note } : undefined);
    return (await this.get(id))!;
  }

  /** The version, after the state machine and the four-eyes rule allowed `transition` by `actor` (refusals audited). */
  private async transitionable(
    id: string,
    transition: ContentTransition,
    actor: ContentActor,
  ): Promise<ContentVersion> {
    const version = await this.get(id);
    if (!version) throw new TouchpointError(ErrorCode.NOT_FOUND, `content version ${id} does not exist`);
    try {
      nextStatus(version.status, transition);
      checkActor(transition, version.author, actor.id);
    } catch (err) {
      await this.record(actor, `content.${transition}`, version, { reason: (err as Error).message }, 'refused');
      throw err;
    }
    return version;
  }

  /** Moves the status only if nobody moved it since it was read (two reviewers at once: one wins). */
  private async move(
    version: ContentVersion,
    transition: ContentTransition,
    set: Partial<Pick<Row, 'proposed_at' | 'reviewer' | 'reviewed_at' | 'review_note'>>,
  ): Promise<void> {
    const changed = await this.store.run(
      this.store.q
        .updateTable('content_versions')
        .set({ ...set, status: nextStatus(version.status, transition), updated_at: Date.now() })
        .where('id', '=', version.id)
        .where('status', '=', version.status),
    );
    if (changed !== 1) throw this.lost(version.id);
  }

  private lost(id: string): TouchpointError {
    return new TouchpointError(ErrorCode.CONFLICT, `content version ${id} was changed by someone else; reload it`);
  }

  private async insert(
    model: string,
    parentId: string | null,
    body: ContentBody,
    summary: string,
    actor: ContentActor,
    status: 'draft' | 'approved',
  ): Promise<string> {
    const content = serialise(body);
    const problems = this.check(model, body).length;
    const id = newId();
    const now = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.transaction(async (tx) => {
          const number = await nextNumber(tx, model);
          await tx.run(
            tx.q.insertInto('content_versions').values({
              id,
              model,
              number,
              parent_id: parentId,
              status,
              baseline: status === 'approved' ? 1 : 0,
              summary,
              content,
              content_sha256: contentSha256(body),
              problems,
              author: actor.id,
              created_at: now,
              updated_at: now,
              proposed_at: null,
              reviewer: null,
              reviewed_at: null,
              review_note: null,
            }),
          );
        });
        break;
      } catch (err) {
        if (attempt >= NUMBER_ATTEMPTS || !/unique|duplicate/i.test((err as Error).message)) throw err;
      }
    }
    const version = (await this.get(id))!;
    await this.record(actor, status === 'draft' ? 'content.draft' : 'content.import', version, { parentId, problems });
    return id;
  }

  private async record(
    actor: ContentActor,
    action: string,
    version: ContentVersionInfo,
    detail?: Record<string, unknown>,
    outcome: 'ok' | 'refused' = 'ok',
  ): Promise<void> {
    await this.audit.record({
      actor: actor.id,
      actorRole: actor.role,
      action,
      target: version.id,
      outcome,
      detail: { model: version.model, number: version.number, ...detail },
    });
  }
}

async function nextNumber(tx: SqlExecutor, model: string): Promise<number> {
  const row = await tx.first(
    tx.q
      .selectFrom('content_versions')
      .select((eb) => eb.fn.max('number').as('top'))
      .where('model', '=', model),
  );
  return Number(row?.top ?? 0) + 1;
}
