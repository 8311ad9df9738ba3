import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '@touchpoint/models';
import { ErrorCode, type DeviceProfile } from '@touchpoint/protocol';
import { verifyHelpContent } from '@touchpoint/protocol/content-signing';
import { generateSignerKey } from '@touchpoint/protocol/signing';
import {
  ContentRoles,
  ContentVersions,
  contentFromModel,
  signContentVersion,
  type ContentBody,
  type SqlStore,
} from '@touchpoint/broker/store';
import { DIALECTS, openStore, stopSharedPostgres, type OpenedStore } from '../store/dialects.js';

// Issue 18, "versions, proposals and review": the content version store (broker/src/content) on a real
// SQLite file and a real PostgreSQL 15: the state machine, the four-eyes rule, the per-model numbers, the
// live baseline, the audit of every step, and the signed document a device checks.

const COFFEE = join(import.meta.dirname, '../../examples/coffee-machine');
const model = loadModel(COFFEE);
const profile = model.profile as DeviceProfile;
const baselineBody = contentFromModel(model);
const FLOW = 'water-tank-empty.json';

/** The baseline with one step of the water tank flow changed by `edit`. */
function edited(edit: (steps: Record<string, Record<string, unknown>>) => void): ContentBody {
  const body = structuredClone(baselineBody);
  edit((body.flows[FLOW] as { steps: Record<string, Record<string, unknown>> }).steps);
  return body;
}

const author = { id: 'st-author', role: 'agent' };
const reviewer = { id: 'st-reviewer', role: 'agent' };
const tools = { id: 'models-dir' };

afterAll(stopSharedPostgres, 60_000);

describe.each(DIALECTS)('content versions on %s', (dialect) => {
  let opened: OpenedStore;
  let store: SqlStore;
  let versions: ContentVersions;
  let audit: { actor: string; action: string; target?: string | undefined; outcome: string }[];

  beforeAll(() => {
    expect(model.problems).toEqual([]);
  });
  beforeEach(async () => {
    opened = await openStore(dialect);
    store = opened.store;
    audit = [];
    versions = new ContentVersions(store, { record: async (e) => void audit.push(e) }, (m) =>
      m === profile.model ? profile : undefined,
    );
  }, 90_000);
  afterEach(() => opened.close());

  it('imports the models dir as version 1, approved and live, once', async () => {
    const first = await versions.importBaseline(profile.model, baselineBody, tools);
    const again = await versions.importBaseline(profile.model, baselineBody, tools);
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ number: 1, status: 'approved', baseline: true, parentId: null, problems: 0 });
    expect(first.body).toEqual(baselineBody);
    expect((await versions.latestApproved(profile.model))?.id).toBe(first.id);
    expect(await versions.list(profile.model)).toHaveLength(1);
    expect(audit.map((e) => e.action)).toEqual(['content.import']);
  });

  it('walks draft → proposed → approved with four eyes, and moves the baseline', async () => {
    const v1 = await versions.importBaseline(profile.model, baselineBody, tools);
    const broken = edited((steps) => (steps['fill']!['next'] = 'no_such_step'));
    const draft = await versions.createDraft({
      model: profile.model,
      parentId: v1.id,
      body: broken,
      summary: 'shorter fill text',
      author,
    });
    expect(draft).toMatchObject({ number: 2, status: 'draft', parentId: v1.id, author: author.id });
    expect(draft.problems).toBeGreaterThan(0);
    expect(versions.check(profile.model, broken)).toContainEqual(
      expect.objectContaining({ file: FLOW, path: 'steps.fill.next', code: 'UNKNOWN_STEP' }),
    );

    // A draft with a problem is saved but cannot be proposed; only its author edits it.
    await expect(versions.propose(draft.id, author)).rejects.toMatchObject({ code: ErrorCode.FLOW_INVALID });
    const fixed = edited((steps) => (steps['fill']!['text'] = { de: 'Tank füllen.', en: 'Fill the tank.' }));
    await expect(versions.updateDraft(draft.id, { body: fixed, summary: 'x' }, reviewer)).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN_ROLE,
    });
    const saved = await versions.updateDraft(draft.id, { body: fixed, summary: 'shorter fill text' }, author);
    expect(saved.problems).toBe(0);
    expect(saved.sha256).not.toBe(v1.sha256);

    const proposed = await versions.propose(draft.id, author);
    expect(proposed.status).toBe('proposed');
    expect(proposed.proposedAt).not.toBeNull();
    // Frozen while under review: the reviewer approves what they read.
    await expect(versions.updateDraft(draft.id, { body: broken, summary: 'x' }, author)).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });

    // Four eyes: the author cannot approve their own version.
    await expect(versions.approve(draft.id, author)).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN_ROLE });
    expect((await versions.get(draft.id))?.status).toBe('proposed');
    const approved = await versions.approve(draft.id, reviewer, 'clearer');
    expect(approved).toMatchObject({
      status: 'approved',
      reviewer: reviewer.id,
      reviewNote: 'clearer',
      baseline: false,
    });
    await expect(versions.reject(draft.id, { id: 'st-third' }, 'late')).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    expect((await versions.latestApproved(profile.model))?.id).toBe(draft.id);
    expect((await versions.baseline(profile.model))?.id).toBe(v1.id);

    await versions.setBaseline(draft.id, tools);
    expect((await versions.baseline(profile.model))?.id).toBe(draft.id);
    expect((await versions.get(v1.id))?.baseline).toBe(false);

    expect(audit.map((e) => `${e.action}:${e.actor}:${e.outcome}`)).toEqual([
      'content.import:models-dir:ok',
      'content.draft:st-author:ok',
      'content.propose:st-author:refused',
      'content.edit:st-reviewer:refused',
      'content.edit:st-author:ok',
      'content.propose:st-author:ok',
      'content.edit:st-author:refused',
      'content.approve:st-author:refused',
      'content.approve:st-reviewer:ok',
      'content.reject:st-third:refused',
      'content.baseline:models-dir:ok',
    ]);
    expect(new Set(audit.slice(1).map((e) => e.target))).toEqual(new Set([draft.id]));
  });

  it('a rejected version is final and never becomes latestApproved', async () => {
    const v1 = await versions.importBaseline(profile.model, baselineBody, tools);
    const body = edited((steps) => (steps['fill']!['imageAlt'] = { de: 'Tank', en: 'Tank' }));
    const draft = await versions.createDraft({ model: profile.model, parentId: v1.id, body, summary: 's', author });
    await versions.propose(draft.id, author);
    await expect(versions.reject(draft.id, author, 'mine')).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN_ROLE });
    const rejected = await versions.reject(draft.id, reviewer, 'the old alt text was better');
    expect(rejected).toMatchObject({ status: 'rejected', reviewNote: 'the old alt text was better' });
    await expect(versions.approve(draft.id, reviewer)).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
    await expect(versions.setBaseline(draft.id, tools)).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
    expect((await versions.latestApproved(profile.model))?.id).toBe(v1.id);
  });

  it('numbers drafts per model without gaps or twins when editors start them at once', async () => {
    const v1 = await versions.importBaseline(profile.model, baselineBody, tools);
    const drafts = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        versions.createDraft({ model: profile.model, parentId: v1.id, body: baselineBody, summary: `d${i}`, author }),
      ),
    );
    expect(drafts.map((d) => d.number).sort()).toEqual([2, 3, 4, 5, 6]);
    await expect(
      versions.createDraft({ model: 'wallbox', parentId: v1.id, body: baselineBody, summary: 'x', author }),
    ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
  });

  it('keeps editor and reviewer grants per staff member, audited', async () => {
    for (const id of ['st-author', 'st-viewer'])
      await store.run(
        store.q
          .insertInto('staff')
          .values({ id, name: id, display_name: id, role: 'agent', password_hash: 'x', created_at: 1 }),
      );
    const roles = new ContentRoles(store, { record: async (e) => void audit.push(e) });
    const admin = { id: 'st-admin', name: 'admin', displayName: 'Admin', role: 'admin' as const };
    expect(await roles.set('st-author', ['editor', 'reviewer', 'editor'], admin)).toEqual(['editor', 'reviewer']);
    expect(await roles.set('st-author', ['editor'], admin)).toEqual(['editor']);
    const member = { id: 'st-author', name: 'author', displayName: 'A', role: 'agent' as const };
    await roles.require(member, 'editor');
    await expect(roles.require(member, 'reviewer')).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN_ROLE });
    await roles.set('st-viewer', ['editor'], admin);
    await expect(
      roles.require({ id: 'st-viewer', name: 'v', displayName: 'V', role: 'viewer' }, 'editor'),
    ).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN_ROLE });
    expect(audit.filter((e) => e.action === 'staff.content-roles')).toHaveLength(3);
  });
});

describe('signed content of a version', () => {
  it('signs only approved versions, exactly as a device checks help content', async () => {
    const opened = await openStore('sqlite');
    try {
      const versions = new ContentVersions(opened.store, { record: async () => undefined }, () => profile);
      const v1 = await versions.importBaseline(profile.model, baselineBody, tools);
      const key = generateSignerKey('content-test');
      const signed = signContentVersion(v1, key, 1_700_000_000_000);
      const document = JSON.parse(signed.bytes.toString('utf8')) as typeof signed.document;
      const trusted = [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem }];
      expect(verifyHelpContent(document, document.signature, trusted, profile.model).ok).toBe(true);
      expect(verifyHelpContent(document, document.signature, trusted, 'wallbox').ok).toBe(false);
      expect(signed.sha256).toMatch(/^[0-9a-f]{64}$/);

      const draft = await versions.createDraft({
        model: profile.model,
        parentId: v1.id,
        body: baselineBody,
        summary: 's',
        author,
      });
      expect(() => signContentVersion(draft, key)).toThrow(/only an approved version is signed/);
    } finally {
      await opened.close();
    }
  });
});
