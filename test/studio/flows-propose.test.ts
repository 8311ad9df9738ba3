import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { REPO_ROOT, StaffApi } from '../console/helpers.js';

// Issue 18, "makers from the CLI": `touchpoint flows propose FILE` as a maker runs it, the real bin in a
// child process against a real broker: a flow with a problem stays a draft and the problem is printed
// with its path; a good one becomes a proposed version with a maker proposal that names it.

const bin = join(REPO_ROOT, 'cli', 'bin', 'touchpoint.js');
const flowFile = join(REPO_ROOT, 'examples/coffee-machine/flows/water-tank-empty.json');

let dir: string;
let broker: RunningBroker;
let url: string;
let admin: StaffApi;
let makerPassword: string;

function propose(args: string[], password?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password === undefined) delete env['TOUCHPOINT_PASSWORD'];
  else env['TOUCHPOINT_PASSWORD'] = password;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'flows', 'propose', ...args], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

function flowWith(edit: (steps: Record<string, Record<string, unknown>>) => void): string {
  const flow = JSON.parse(readFileSync(flowFile, 'utf8')) as { steps: Record<string, Record<string, unknown>> };
  edit(flow.steps);
  const path = join(dir, `water-tank-empty-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(flow, null, 2));
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-flows-propose-'));
  broker = await startBroker({
    dataDir: dir,
    host: '127.0.0.1',
    mqttPort: 0,
    httpPort: 0,
    consoleDir: dir,
    log: 'silent',
  });
  url = `http://127.0.0.1:${broker.httpPort}`;
  admin = new StaffApi(url);
  await admin.loginReady(broker.initialAdmin!.name, broker.initialAdmin!.password);
  const created = await admin.post('/api/staff', { name: 'maker', displayName: 'Maker', role: 'agent' });
  const { staff, password } = created.body as { staff: { id: string }; password: string };
  makerPassword = await new StaffApi(url).loginReady('maker', password);
  expect((await admin.post(`/api/staff/${staff.id}/content-roles`, { roles: ['editor'] })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('touchpoint flows propose', () => {
  it('refuses without the password in the environment (usage, exit 2)', async () => {
    const res = await propose([flowFile, '--url', url, '--user', 'maker']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/TOUCHPOINT_PASSWORD/);
  });

  it('keeps a flow with a problem as a draft, then proposes the fixed one with a maker proposal', async () => {
    const broken = flowWith((s) => (s['fill']!['next'] = 'nowhere'));
    const bad = await propose([broken, '--url', url, '--user', 'maker'], makerPassword);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/water-tank-empty\.json: steps\.fill\.next: no step "nowhere" \(UNKNOWN_STEP\)/);
    expect(bad.stderr).toMatch(/v2 of coffee-machine stays a draft/);
    expect(bad.stderr + bad.stdout).not.toContain(makerPassword);

    const good = flowWith((s) => (s['fill']!['imageAlt'] = { de: 'Wassertank', en: 'Water tank' }));
    const ok = await propose([good, '--url', url, '--user', 'maker', '--summary', 'Shorter alt text'], makerPassword);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^v3 of coffee-machine proposed for review \(from v1\)$/m);

    const model = (await admin.get('/api/content/models/coffee-machine')).body as {
      versions: { id: string; number: number; status: string; summary: string; authorName: string }[];
    };
    const v3 = model.versions.find((v) => v.number === 3)!;
    expect(v3).toMatchObject({ status: 'proposed', summary: 'Shorter alt text', authorName: 'Maker' });
    expect(ok.stdout).toContain(`${url}/#/studio/coffee-machine/${v3.id}`);
    const version = (await admin.get(`/api/content/versions/${v3.id}`)).body as {
      version: { body: { flows: Record<string, { steps: Record<string, { imageAlt?: unknown }> }> } };
    };
    expect(version.version.body.flows['water-tank-empty.json']!.steps['fill']!.imageAlt).toEqual({
      de: 'Wassertank',
      en: 'Water tank',
    });
    // Staff propose from a case: the case must exist; the proposal is listed with what they saw.
    const unknownCase = await admin.post('/api/content/proposals', {
      model: 'coffee-machine',
      flowId: 'water-tank-empty',
      caseId: 'no-such-case',
      text: 'x',
    });
    expect(unknownCase.status).toBe(404);
    const staffProposal = await admin.post('/api/content/proposals', {
      model: 'coffee-machine',
      flowId: 'water-tank-empty',
      stepId: 'still_empty',
      reasons: ['unclear-text'],
      text: 'This step confused the customer',
    });
    expect(staffProposal.status).toBe(201);
    expect(staffProposal.body).toMatchObject({ source: 'staff', stepId: 'still_empty', reasons: ['unclear-text'] });
    const proposals = (await admin.get('/api/content/models/coffee-machine/proposals')).body as {
      items: { source: string; versionId: string | null; flowId: string | null; text: string }[];
    };
    expect(proposals.items).toHaveLength(2);
    expect(proposals.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'staff', text: 'This step confused the customer' }),
        expect.objectContaining({
          source: 'maker',
          versionId: v3.id,
          flowId: 'water-tank-empty',
          text: 'Shorter alt text',
        }),
      ]),
    );
  }, 90_000);
});
