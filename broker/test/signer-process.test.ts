import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { signerResponse, verifyCommand } from '@touchpoint/protocol/signing';
import type { StaffMember } from '../src/index.js';
import { deviceTrust } from '../src/fleet/signing-key.js';
import { readPublicKey } from '../src/signer/key-file.js';
import { Counters } from '../src/counters.js';
import { silentLogger } from '../src/logger.js';
import { keyPaths } from '../src/signer/key-store.js';
import { LocalSigner } from '../src/signer/local-signer.js';
import { DEFAULT_SIGNER_POLICY, SignerPolicy } from '../src/signer/policy.js';
import { startSignerServer } from '../src/signer/signer-server.js';
import { startTestBroker, type TestBroker } from './helpers.js';

const bin = fileURLToPath(new URL('../../cli/bin/touchpoint.js', import.meta.url));

/** Send raw lines to the signer socket; resolves with the answers (one per line sent). */
function ask(socketPath: string, lines: string[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`signer answered ${text.split('\n').length - 1} of ${lines.length} lines`));
    }, 10_000);
    socket.on('error', reject);
    socket.on('data', (d) => {
      text += d.toString();
      const answers = text.split('\n').filter(Boolean);
      if (answers.length === lines.length) {
        clearTimeout(timer);
        socket.end();
        resolve(answers.map((a) => JSON.parse(a) as unknown));
      }
    });
    socket.write(lines.map((l) => `${l}\n`).join(''));
  });
}

/**
 * The out-of-process signer (issue 12 #10): `touchpoint signer` as a real
 * process holding the key, the real broker asking it over the unix socket.
 */
describe('touchpoint signer (out of process) and the broker working through it', () => {
  let dir: string;
  let signerDir: string;
  let socketPath: string;
  let child: ChildProcess;
  let stderr = '';
  let tb: TestBroker;
  let staff: StaffMember;

  async function startSigner(): Promise<ChildProcess> {
    const proc = spawn(
      process.execPath,
      [
        bin,
        'signer',
        '--socket',
        socketPath,
        '--data-dir',
        signerDir,
        '--allow-action',
        'rinse',
        '--allow-action',
        'set_grind_size',
        '--rate-per-minute',
        '100',
        '--device-rate-per-minute',
        '3',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`signer did not start: ${out} ${stderr}`)), 30_000);
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (!out.includes(`Signer    ${socketPath}`)) return;
        clearTimeout(timer);
        resolve();
      });
      proc.once('exit', (code) => reject(new Error(`signer exited with ${code}: ${stderr}`)));
    });
    return proc;
  }

  async function stopSigner(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-signer-'));
    signerDir = join(dir, 'signer');
    socketPath = join(dir, 'signer.sock');
    child = await startSigner();
    tb = await startTestBroker({ dataDir: join(dir, 'broker'), signing: { signerSocket: socketPath } });
    await tb.broker.fleet.provisionDevice('cm-1', 'coffee-machine');
    await tb.broker.fleet.provisionDevice('cm-2', 'coffee-machine');
    staff = (await tb.broker.fleet.staff.add('support1', 'agent')).staff;
  }, 60_000);

  afterAll(async () => {
    await tb?.cleanup();
    if (child) await stopSigner();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on a socket only its owner can open, and the key stays out of the broker', () => {
    expect(statSync(socketPath).isSocket()).toBe(true);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(existsSync(keyPaths(join(dir, 'broker')).commandKey)).toBe(false);
    expect(existsSync(keyPaths(signerDir).commandKey)).toBe(true);
  });

  it('the broker sends commands signed by the signer with the signer key', async () => {
    const sent = await tb.broker.fleet.commands.send({
      deviceId: 'cm-1',
      action: 'set_grind_size',
      params: { size: 6 },
      staff,
    });
    const stored = tb.broker.fleet.db
      .prepare('SELECT envelope FROM commands WHERE id = ?')
      .pluck()
      .get(sent.id) as string;
    const envelope = JSON.parse(stored) as Parameters<typeof verifyCommand>[0];
    expect(envelope.keyId).toBe(tb.broker.fleet.signer.keyId);
    expect(verifyCommand(envelope, tb.broker.fleet.keys.keyList().keys).ok).toBe(true);
  });

  it('device provisioning asks the signer what a device must trust (command key and root), creating nothing in the broker', async () => {
    const trust = await deviceTrust(join(dir, 'broker'), socketPath);
    expect(trust).toEqual({
      trustedKeys: [tb.broker.fleet.signer],
      rootKeys: [readPublicKey(keyPaths(signerDir).rootKey)],
    });
    expect(tb.broker.fleet.keys.roots()).toEqual(trust.rootKeys);
    expect(existsSync(keyPaths(join(dir, 'broker')).commandKey)).toBe(false);
  });

  it('refuses an action outside its allow-list, whatever the broker allows; the refusal is audited', async () => {
    const err = await tb.broker.fleet.commands
      .send({ deviceId: 'cm-1', action: 'clean_milk_system', params: {}, staff })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TouchpointError);
    expect((err as TouchpointError).code).toBe(ErrorCode.SIGNER_REFUSED);
    expect((err as TouchpointError).message).toContain('does not sign action clean_milk_system');
    const audit = tb.broker.fleet.db
      .prepare("SELECT outcome, detail FROM audit WHERE action = 'command.send' AND target = 'clean_milk_system'")
      .get() as { outcome: string; detail: string };
    expect(audit.outcome).toBe('refused');
    expect(audit.detail).toContain(ErrorCode.SIGNER_REFUSED);
    expect(
      tb.broker.fleet.db.prepare("SELECT COUNT(*) FROM commands WHERE action = 'clean_milk_system'").pluck().get(),
    ).toBe(0);
  });

  it('applies its own rate limit per device: the 4th command in a minute for cm-2 is refused, cm-1 still signs', async () => {
    for (let i = 0; i < 3; i++)
      await tb.broker.fleet.commands.send({ deviceId: 'cm-2', action: 'rinse', params: {}, staff });
    const err = await tb.broker.fleet.commands
      .send({ deviceId: 'cm-2', action: 'rinse', params: {}, staff })
      .catch((e: unknown) => e);
    expect((err as TouchpointError).code).toBe(ErrorCode.RATE_LIMITED);
    expect((err as TouchpointError).message).toContain('signatures per minute for device cm-2');
    await expect(
      tb.broker.fleet.commands.send({ deviceId: 'cm-1', action: 'rinse', params: {}, staff }),
    ).resolves.toMatchObject({ status: 'queued' });
  });

  it('answers malformed requests with a named error and keeps serving', async () => {
    const answers = await ask(socketPath, [
      'not json',
      JSON.stringify({ op: 'sign', rid: 'r1', command: { action: 'rinse' } }),
      JSON.stringify({ op: 'export-key', rid: 'r2' }),
      JSON.stringify({ op: 'keys', rid: 'r3' }),
    ]);
    const parsed = answers.map((a) => signerResponse.parse(a));
    expect(parsed.map((a) => (a.ok ? 'ok' : a.code))).toEqual([
      ErrorCode.BAD_JSON,
      ErrorCode.SCHEMA_INVALID,
      ErrorCode.SCHEMA_INVALID,
      'ok',
    ]);
    const keys = parsed[3]!;
    expect(keys.ok && 'keyList' in keys && JSON.stringify(keys)).not.toContain('PRIVATE KEY');
    await expect(
      tb.broker.fleet.commands.send({ deviceId: 'cm-1', action: 'set_grind_size', params: { size: 4 }, staff }),
    ).resolves.toMatchObject({ status: 'queued' });
    expect(child.exitCode).toBeNull();
  });

  it('while the signer is down commands fail with SIGNER_UNAVAILABLE (nothing queued); after its restart the broker signs again', async () => {
    await stopSigner();
    const err = await tb.broker.fleet.commands
      .send({ deviceId: 'cm-1', action: 'rinse', params: {}, staff })
      .catch((e: unknown) => e);
    expect((err as TouchpointError).code).toBe(ErrorCode.SIGNER_UNAVAILABLE);
    expect(
      tb.broker.fleet.db
        .prepare(
          "SELECT COUNT(*) FROM audit WHERE action = 'command.send' AND outcome = 'refused' AND detail LIKE '%SIGNER_UNAVAILABLE%'",
        )
        .pluck()
        .get(),
    ).toBe(1);
    child = await startSigner();
    await expect(
      tb.broker.fleet.commands.send({ deviceId: 'cm-1', action: 'rinse', params: {}, staff }),
    ).resolves.toMatchObject({ status: 'queued' });
  }, 60_000);

  it('a broker pointed at a signer that is not there refuses to start with SIGNER_UNAVAILABLE', async () => {
    await expect(
      startTestBroker({ dataDir: join(dir, 'broker-2'), signing: { signerSocket: join(dir, 'missing.sock') } }),
    ).rejects.toMatchObject({ code: ErrorCode.SIGNER_UNAVAILABLE });
  });
});

describe('signer socket under random input', () => {
  it('answers 300 random or mutated lines with named errors and still signs for a well-formed request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-signer-fuzz-'));
    const socketPath = join(dir, 's.sock');
    const counters = new Counters();
    const server = await startSignerServer({
      socketPath,
      signer: LocalSigner.open(join(dir, 'keys'), undefined, silentLogger),
      policy: new SignerPolicy({ ...DEFAULT_SIGNER_POLICY, allowActions: new Set(['rinse']) }),
      counters,
      log: silentLogger,
    });
    try {
      // A seeded generator: the same lines on every run.
      let seed = 12345;
      const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      const now = Date.now();
      const valid = {
        op: 'sign',
        rid: 'x',
        command: {
          v: 1,
          id: 'cmd-00000001',
          ts: now,
          deviceId: 'cm-1',
          action: 'rinse',
          params: {},
          issuedAt: now,
          expiresAt: now + 60_000,
          issuedBy: 's',
        },
      };
      const lines: string[] = [];
      for (let i = 0; i < 300; i++) {
        if (i % 3 === 0) {
          lines.push(
            Buffer.from(
              Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)).filter(
                (b) => b !== 10,
              ),
            ).toString('latin1'),
          );
        } else {
          const text = JSON.stringify(valid);
          const at = Math.floor(rand() * text.length);
          lines.push(`${text.slice(0, at)}${String.fromCharCode(32 + Math.floor(rand() * 90))}${text.slice(at + 1)}`);
        }
      }
      const answers = await ask(socketPath, [...lines, JSON.stringify({ op: 'keys', rid: 'last' })]);
      expect(answers).toHaveLength(301);
      for (const answer of answers) expect(signerResponse.safeParse(answer).success).toBe(true);
      expect(signerResponse.parse(answers[300])).toMatchObject({ ok: true, op: 'keys' });
      expect(counters.get('signer.error')).toBe(0);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('signer socket for a broker running as another user', () => {
  it('--socket-group opens the socket to that group only (mode 0660, group set)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-signer-group-'));
    const socketPath = join(dir, 's.sock');
    const gid = process.getgid!();
    const server = await startSignerServer({
      socketPath,
      socketGroup: gid,
      signer: LocalSigner.open(join(dir, 'keys'), undefined, silentLogger),
      policy: new SignerPolicy({ ...DEFAULT_SIGNER_POLICY, allowActions: new Set(['rinse']) }),
      counters: new Counters(),
      log: silentLogger,
    });
    try {
      expect(statSync(socketPath).mode & 0o777).toBe(0o660);
      expect(statSync(socketPath).gid).toBe(gid);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
