import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `touchpoint engine-auth` (issue 15) as an operator runs it.
const bin = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tp-engine-auth-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('touchpoint engine-auth', () => {
  it('prints its usage and exits 2 for a bad port', () => {
    const res = spawnSync(process.execPath, [bin, 'engine-auth', '--port', '70000', '--data-dir', dataDir], {
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--port must be a whole number/);
    expect(res.stderr).toMatch(/Usage: touchpoint engine-auth/);
  });

  it('serves the auth paths on the address it prints, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'engine-auth', '--port', '0', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The data folder's SQLite database (no database URL: PostgreSQL is test/cluster/engine-auth-postgres.test.ts).
      env: { ...process.env, TOUCHPOINT_DATABASE_URL: '' },
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /Engine auth\s+(http:\/\/\S+?)\/auth\//.exec(out);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`engine-auth exited (${code}) before it listened`)));
      });
      const health = (await (await fetch(`${base}/health`)).json()) as { ok: boolean };
      expect(health.ok).toBe(true);
      const res = await fetch(`${base}/auth/user`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=nobody&password=x&vhost=%2F&client_id=nobody',
      });
      expect(await res.text()).toBe('deny');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
