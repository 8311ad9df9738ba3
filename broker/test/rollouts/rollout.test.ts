import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_MODELS_DIR, loadModel } from '@touchpoint/models';
import { generateSignerKey } from '@touchpoint/protocol/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentFromModel, type ContentBody, type ContentVersion } from '../../src/content/index.js';
import type { StaffMember } from '../../src/fleet/staff.js';
import { SignedContentDocuments } from '../../src/rollouts/content-documents.js';
import type { RolloutView, Rollouts } from '../../src/rollouts/rollouts.js';
import { ApiClient } from '../api-client.js';
import { eventually, startTestBroker, type TestBroker } from '../helpers.js';
import { ScriptedDevice } from './scripted-device.js';

/**
 * Staged rollouts that stop themselves (issue 18), at the broker: a real aedes broker, the content versions
 * store, eight simulated coffee machines (real MQTT.js clients that verify each signed command and the
 * maker's content signature before they install). Version 2 goes to 50 % in two waves; its sessions are
 * rigged to escalate, so the rollout aborts by itself and the cohort returns to version 1, an offline
 * device included once it reconnects.
 */
let tb: TestBroker;
let rollouts: Rollouts;
let admin: StaffMember;
let v1: ContentVersion;
let v2: ContentVersion;
const COFFEE_DIR = join(DEFAULT_MODELS_DIR, 'coffee-machine');
const contentKey = generateSignerKey('maker-content-1');
const docs = new SignedContentDocuments(contentKey, 'https://help.test');
/** What the content origin serves: every document a rollout published. */
const served = new Map<string, Buffer>();
const devices = new Map<string, ScriptedDevice>();
const ids = ['ro-1', 'ro-2', 'ro-3', 'ro-4', 'ro-5', 'ro-6', 'ro-7', 'ro-8'];

const sha = (v: ContentVersion) => docs.document(v).sha256;

async function approvedVersion(parent: ContentVersion, body: ContentBody): Promise<ContentVersion> {
  const content = tb.broker.fleet.content;
  const draft = await content.createDraft({
    model: 'coffee-machine',
    parentId: parent.id,
    body,
    summary: 'descale: shorter title',
    author: { id: 'editor-1' },
  });
  await content.propose(draft.id, { id: 'editor-1' });
  return content.approve(draft.id, { id: 'reviewer-1' });
}

const view = async (id: string): Promise<RolloutView> => (await rollouts.view(id))!;
const group = (v: RolloutView, name: string) => v.convergence.find((c) => c.group === name);

beforeAll(async () => {
  tb = await startTestBroker();
  const fleet = tb.broker.fleet;
  admin = (await fleet.staff.add('ro-admin', 'admin', 'Ada Admin')).staff;
  const body = contentFromModel(loadModel(COFFEE_DIR, { simulator: false }));
  v1 = await fleet.content.importBaseline('coffee-machine', body, { id: 'models-dir' });
  const descale = body.flows['descale.json'] as { title: Record<string, string> };
  v2 = await approvedVersion(v1, {
    ...body,
    flows: { ...body.flows, 'descale.json': { ...descale, title: { ...descale.title, en: 'Descale now' } } },
  });
  for (const v of [v1, v2]) served.set(docs.url(v.id), docs.document(v).bytes);
  // The broker's own rollouts, with the maker's content key (start-broker does this with --content-key).
  rollouts = fleet.rollouts;
  rollouts.usePublisher(docs);
  for (const id of ids) {
    const { token } = await fleet.provisionDevice(id, 'coffee-machine');
    const d = new ScriptedDevice({
      deviceId: id,
      token,
      url: tb.url,
      firmware: '2.4',
      commandKeys: [fleet.signer],
      contentKeys: [{ keyId: contentKey.keyId, publicKeyPem: contentKey.publicKeyPem }],
      documents: served,
    });
    // Every device runs version 1, the model's live content.
    d.contentVersion = sha(v1);
    await d.online();
    devices.set(id, d);
  }
  await eventually(
    async () => (await Promise.all(ids.map((id) => fleet.devices.get(id)))).every((d) => d?.online),
    5_000,
    'the fleet online',
  );
});

afterAll(async () => {
  await Promise.all([...devices.values()].map((d) => d.offline()));
  await tb.cleanup();
});

/** Each device of `list` reports `n` help sessions with this outcome. */
async function sessions(list: string[], n: number, outcome: 'resolved' | 'escalated'): Promise<void> {
  for (const id of list)
    for (let i = 0; i < n; i++) await devices.get(id)!.session(outcome, { ces: outcome === 'resolved' ? 6 : 2 });
}

async function sessionsStored(count: number): Promise<void> {
  await eventually(
    async () => {
      const row = await tb.broker.fleet.store.first(
        tb.broker.fleet.store.q
          .selectFrom('help_sessions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('outcome', 'is not', null),
      );
      return Number(row?.n) === count;
    },
    10_000,
    `${count} ended sessions stored`,
  );
}

describe('a rollout to 50 % in two waves (issue 18)', () => {
  it('advances while the KPIs hold, aborts by itself when the new version is worse, and every device returns to the previous version', async () => {
    const created = await rollouts.create(
      {
        versionId: v2.id,
        cohort: { percent: 50, tags: [], firmware: ['2.4'] },
        waves: 2,
        thresholds: { minSessions: 4 },
      },
      admin,
    );
    const arms = await tb.broker.fleet.store.all(
      tb.broker.fleet.store.q
        .selectFrom('rollout_devices')
        .select(['device_id', 'arm', 'wave'])
        .where('rollout_id', '=', created.id),
    );
    const wave1 = arms.filter((a) => a.arm === 'candidate' && a.wave === 1).map((a) => a.device_id);
    const wave2 = arms.filter((a) => a.arm === 'candidate' && a.wave === 2).map((a) => a.device_id);
    const control = arms.filter((a) => a.arm === 'control').map((a) => a.device_id);
    expect([wave1.length, wave2.length, control.length]).toEqual([2, 2, 4]);
    expect(created).toMatchObject({ status: 'running', wave: 1, versionNumber: 2, sha256: sha(v2) });

    // Wave 1 installs version 2 (signed help.install, content signature checked on the device).
    await eventually(async () => group(await view(created.id), 'wave 1')?.converged === 2, 10_000, 'wave 1 on v2');
    for (const id of wave1) expect(devices.get(id)!.contentVersion).toBe(sha(v2));
    for (const id of [...wave2, ...control]) expect(devices.get(id)!.contentVersion).toBe(sha(v1));
    expect(group(await view(created.id), 'wave 2')).toEqual({ group: 'wave 2', devices: 2, converged: 2 });

    // Not enough sessions yet: the rollout waits.
    expect((await rollouts.evaluate()).get(created.id)?.verdict).toBe('continue');

    // One wave-2 device is offline when its wave starts.
    const [away, present] = wave2 as [string, string];
    await devices.get(away)!.offline();
    await eventually(async () => !(await tb.broker.fleet.devices.get(away))?.online, 5_000, `${away} offline`);

    // Version 2 does as well as version 1: wave 2 starts.
    await sessions(wave1, 2, 'resolved');
    await sessions(control, 1, 'resolved');
    await sessionsStored(8);
    expect((await rollouts.evaluate()).get(created.id)?.verdict).toBe('advance');
    await eventually(() => devices.get(present)!.contentVersion === sha(v2), 10_000, `${present} on v2`);
    expect(await view(created.id)).toMatchObject({ wave: 2, status: 'running' });
    expect(group(await view(created.id), 'wave 2')).toEqual({ group: 'wave 2', devices: 2, converged: 1 });

    // The offline device converges when it comes back.
    await devices.get(away)!.online();
    await eventually(() => devices.get(away)!.contentVersion === sha(v2), 10_000, `${away} on v2 after reconnecting`);
    await eventually(async () => group(await view(created.id), 'wave 2')?.converged === 2, 5_000, 'wave 2 converged');

    // Version 2's flow fails its customers (rigged): every session on it escalates; the control resolves.
    const gone = wave1[0]!;
    await sessions(wave2, 2, 'escalated');
    await sessions(control, 1, 'resolved');
    await sessionsStored(16);
    // A device of the cohort is offline when the rollout stops.
    await devices.get(gone)!.offline();
    await eventually(async () => !(await tb.broker.fleet.devices.get(gone))?.online, 5_000, `${gone} offline`);

    const verdict = (await rollouts.evaluate()).get(created.id)!;
    expect(verdict.verdict).toBe('abort');
    const stopped = await view(created.id);
    expect(stopped.status).toBe('aborted');
    expect(stopped.reason).toMatch(
      /^stopped by itself: ces is worse than the control by 4\.00 \(new 2\.00, control 6\.00/,
    );
    expect(stopped.reason).toContain('escalationRate is worse than the control by 100.0 % (new 100.0 %, control 0.0 %');

    // Every online device of the cohort runs version 1 again; the offline one once it is back.
    for (const id of [...wave1, ...wave2].filter((id) => id !== gone))
      await eventually(() => devices.get(id)!.contentVersion === sha(v1), 10_000, `${id} back on v1`);
    expect(devices.get(gone)!.contentVersion).toBe(sha(v2));
    await devices.get(gone)!.online();
    await eventually(
      () => devices.get(gone)!.contentVersion === sha(v1),
      10_000,
      `${gone} back on v1 after reconnecting`,
    );
    await eventually(
      async () => (await view(created.id)).convergence.every((c) => c.converged === c.devices),
      5_000,
      'every group converged',
    );
    for (const id of control) expect(devices.get(id)!.commands).toEqual([]);
    // Version 1 is still the model's live content; the stop is audited as the system's.
    expect((await tb.broker.fleet.content.baseline('coffee-machine'))?.id).toBe(v1.id);
    const audit = (await tb.broker.fleet.audit.list({ limit: 200 })).filter((a) => a.target === created.id);
    expect(audit.map((a) => `${a.actor} ${a.action} ${a.outcome}`)).toEqual(
      expect.arrayContaining([
        `${admin.id} rollout.create ok`,
        'system:rollout rollout.advance ok',
        'system:rollout rollout.abort ok',
      ]),
    );
  });

  it('over the API: staff pause, resume and abort (audited, admins only, approved versions only); devices fetch the signed document', async () => {
    const base = `http://127.0.0.1:${tb.broker.httpPort}`;
    const login = async (name: string, role: 'agent' | 'admin') => {
      const { password } = await tb.broker.fleet.staff.add(name, role, name, { mustChangePassword: false });
      const client = new ApiClient(base);
      await client.loginReady(name, password);
      return client;
    };
    const [boss, agent] = [await login('ro-boss', 'admin'), await login('ro-agent', 'agent')];
    const request = { versionId: v2.id, cohort: { percent: 25, tags: [], firmware: [] }, waves: 1 };
    expect((await agent.post('/api/rollouts', request)).status).toBe(403);
    expect((await boss.post('/api/rollouts', { ...request, versionId: v1.id })).status).toBe(409);
    expect((await boss.post('/api/rollouts', { ...request, cohort: { percent: 0 } })).status).toBe(400);

    const created = await boss.post<RolloutView>('/api/rollouts', request);
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ status: 'running', versionNumber: 2, waves: 1 });
    expect((await agent.post(`/api/rollouts/${id}/pause`, {})).status).toBe(403);
    expect((await boss.post<RolloutView>(`/api/rollouts/${id}/pause`, {})).body.status).toBe('paused');
    // A paused rollout is not judged.
    expect((await rollouts.evaluate()).has(id)).toBe(false);
    expect((await boss.post(`/api/rollouts/${id}/pause`, {})).status).toBe(409);
    expect((await boss.post<RolloutView>(`/api/rollouts/${id}/resume`, {})).body.status).toBe('running');
    const aborted = await boss.post<RolloutView>(`/api/rollouts/${id}/abort`, {});
    expect(aborted.body).toMatchObject({ status: 'aborted', reason: 'aborted by ro-boss' });
    expect((await agent.get<{ items: RolloutView[] }>('/api/rollouts')).body.items[0]?.id).toBe(id);
    const audit = (await tb.broker.fleet.audit.list({ limit: 200 }))
      .filter((a) => a.target === id && a.action.startsWith('rollout.'))
      .map((a) => `${a.action} ${a.outcome}`)
      .reverse();
    expect(audit).toEqual([
      'rollout.create ok',
      'rollout.pause refused',
      'rollout.pause ok',
      'rollout.pause refused',
      'rollout.resume ok',
      'rollout.abort ok',
    ]);

    // What help.install's URL points at: the approved version's signed document, the bytes its SHA-256 names.
    const doc = await fetch(`${base}/content/${v2.id}.json`);
    expect(doc.status).toBe(200);
    const bytes = Buffer.from(await doc.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha(v2));
    const draft = await tb.broker.fleet.content.createDraft({
      model: 'coffee-machine',
      parentId: v2.id,
      body: v2.body,
      summary: 'not reviewed',
      author: { id: 'editor-1' },
    });
    expect((await fetch(`${base}/content/${draft.id}.json`)).status).toBe(404);
  });
});
