import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { ApiClient } from './api-client.js';
import { startTestBroker } from './helpers.js';

// Issue 14, the model registry: a model outside examples/ loaded as a profile while /api/flows/:id answered 404
// (the flow reader only ever looked in examples/), and `touchpoint broker` could not be pointed at a maker's models.

const bin = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tp-models-dir-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A maker's model in its own folder: the bundled wallbox renamed to `model`, its flow ids prefixed so examples/ has none of them. */
function makerModel(parent: string, model: string): { dir: string; flowIds: string[] } {
  const dir = join(parent, model);
  cpSync(join(DEFAULT_MODELS_DIR, 'wallbox'), dir, { recursive: true });
  const profile = JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8')) as { model: string };
  writeFileSync(join(dir, 'profile.json'), JSON.stringify({ ...profile, model }));
  const flowIds: string[] = [];
  for (const name of readdirSync(join(dir, 'flows')).filter((n) => n.endsWith('.json'))) {
    const flow = JSON.parse(readFileSync(join(dir, 'flows', name), 'utf8')) as { id: string; models: string[] };
    const id = `${model}-${flow.id}`;
    flowIds.push(id);
    writeFileSync(join(dir, 'flows', name), JSON.stringify({ ...flow, id, models: [model] }));
  }
  return { dir, flowIds: flowIds.sort() };
}

async function staffClient(base: string, admin: { name: string; password: string }): Promise<ApiClient> {
  const client = new ApiClient(base);
  await client.loginReady(admin.name, admin.password);
  return client;
}

describe('a broker pointed at models outside examples/', () => {
  it('serves the profile and /api/flows/:id of that model, and still the bundled ones', async () => {
    const parent = mkdtempSync(join(scratch, 'lib-'));
    const maker = makerModel(parent, 'maker-charger');
    const tb = await startTestBroker({ modelsDirs: [parent, DEFAULT_MODELS_DIR] });
    try {
      const client = await staffClient(`http://127.0.0.1:${tb.broker.httpPort}`, tb.broker.initialAdmin!);
      const profiles = await client.get<{ items: { model: string }[] }>('/api/profiles');
      expect(profiles.body.items.map((p) => p.model).sort()).toEqual(['coffee-machine', 'maker-charger', 'wallbox']);
      for (const id of maker.flowIds) {
        const res = await client.get<{ flow: { id: string; models: string[] } }>(`/api/flows/${id}`);
        expect(res.status, `GET /api/flows/${id}`).toBe(200);
        expect(res.body.flow).toMatchObject({ id, models: ['maker-charger'] });
      }
      expect((await client.get('/api/flows/descale')).status).toBe(200);
      expect((await client.get('/api/flows/no-such-flow')).status).toBe(404);
    } finally {
      await tb.cleanup();
    }
  });
});

/** Starts `touchpoint broker` as a process and resolves with its console URL and first admin once it is up. */
function startCliBroker(
  args: string[],
  env: Record<string, string>,
): Promise<{ base: string; admin: { name: string; password: string }; stop: () => Promise<number | null> }> {
  const dataDir = mkdtempSync(join(scratch, 'data-'));
  const child = spawn(
    process.execPath,
    [bin, 'broker', '--mqtt-port', '0', '--http-port', '0', '--data-dir', dataDir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let out = '';
  const stop = () => {
    child.kill('SIGINT');
    return new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
    );
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start within 30 s: ${out}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Console\s+(http:\/\/\S+?)\//.exec(out);
      const admin = /admin account "([^"]+)", one-time password: (\S+)\n/.exec(out);
      if (url && admin) {
        clearTimeout(timer);
        resolve({ base: url[1]!, admin: { name: admin[1]!, password: admin[2]! }, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code} before it was ready: ${out}`));
    });
  });
}

describe('touchpoint broker --models-dir', () => {
  it('reads each --models-dir (repeatable) before the bundled examples, end to end over the API', async () => {
    const a = makerModel(mkdtempSync(join(scratch, 'a-')), 'maker-a');
    const b = makerModel(mkdtempSync(join(scratch, 'b-')), 'maker-b');
    // One flag names a folder of models, the other a model folder itself; both are accepted.
    const broker = await startCliBroker(['--models-dir', join(a.dir, '..'), '--models-dir', b.dir], {
      TP_MODELS_DIR: '',
    });
    try {
      const client = await staffClient(broker.base, broker.admin);
      const profiles = await client.get<{ items: { model: string }[] }>('/api/profiles');
      expect(profiles.body.items.map((p) => p.model).sort()).toEqual([
        'coffee-machine',
        'maker-a',
        'maker-b',
        'wallbox',
      ]);
      expect((await client.get(`/api/flows/${a.flowIds[0]!}`)).status).toBe(200);
      expect((await client.get(`/api/flows/${b.flowIds[0]!}`)).status).toBe(200);
    } finally {
      expect(await broker.stop()).toBe(0);
    }
  });

  it('refuses to start on a --models-dir that is not a folder, naming it', () => {
    const missing = join(scratch, 'no-such-models');
    const res = spawnSync(
      process.execPath,
      [
        bin,
        'broker',
        '--mqtt-port',
        '0',
        '--http-port',
        '0',
        '--data-dir',
        mkdtempSync(join(scratch, 'data-')),
        '--models-dir',
        missing,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`models dir ${missing} (--models-dir or TP_MODELS_DIR) is not a folder (NOT_FOUND)`);
  });

  it('reads TP_MODELS_DIR (colon-separated) when no flag is given', async () => {
    const c = makerModel(mkdtempSync(join(scratch, 'c-')), 'maker-c');
    const d = makerModel(mkdtempSync(join(scratch, 'd-')), 'maker-d');
    const broker = await startCliBroker([], { TP_MODELS_DIR: `${join(c.dir, '..')}:${join(d.dir, '..')}` });
    try {
      const client = await staffClient(broker.base, broker.admin);
      const profiles = await client.get<{ items: { model: string }[] }>('/api/profiles');
      expect(profiles.body.items.map((p) => p.model).sort()).toEqual([
        'coffee-machine',
        'maker-c',
        'maker-d',
        'wallbox',
      ]);
      expect((await client.get(`/api/flows/${d.flowIds[0]!}`)).status).toBe(200);
    } finally {
      expect(await broker.stop()).toBe(0);
    }
  });
});
