import { existsSync } from 'node:fs';
import { resolveModelsDirs } from '@touchpoint/models';
import { ExitCode, ErrorCode, TouchpointError, UsageError, type CliCommand } from '@touchpoint/protocol';
import { numberOption, parseCommandArgs } from '@touchpoint/runtime';
import { Counters } from '../counters.js';
import { openDatabase } from '../db/database.js';
import { sqliteStore } from '../db/sql-store.js';
import { AuditLog } from '../fleet/audit.js';
import { loadProfiles } from '../fleet/profiles.js';
import { createLogger } from '../logger.js';
import { dataPaths } from '../options.js';
import {
  changePassphrase,
  createRootKey,
  keyPaths,
  publicTrust,
  readKeyList,
  rotateKeys,
} from '../signer/key-store.js';
import { LocalSigner } from '../signer/local-signer.js';
import { resolvePassphrase } from '../signer/passphrase.js';
import { DEFAULT_SIGNER_POLICY, SignerPolicy } from '../signer/policy.js';
import { startSignerServer } from '../signer/signer-server.js';
import { requireDataDir, resolveDataDir } from './data-dir.js';

const HOUR_MS = 60 * 60 * 1000;

/** A key operation is an operator action: audited in the fleet's log when this data directory has one. */
async function audit(dataDir: string, action: string, detail: Record<string, unknown>): Promise<void> {
  const path = dataPaths(dataDir).database;
  if (!existsSync(path)) return;
  const db = openDatabase(path);
  try {
    await new AuditLog(sqliteStore(db)).record({ actor: 'cli', action, outcome: 'ok', detail });
  } finally {
    db.close();
  }
}

const keyRotate: CliCommand = {
  path: ['key', 'rotate'],
  summary: 'Replace the command-signing key and publish a new signed key list',
  usage: `Usage: touchpoint key rotate [--revoke KEY_ID]... [--grace-hours N] [--root-key FILE]
                          [--key-passphrase-file F] [--data-dir DIR] [--json]

Generates the next command key, signs key list version n+1 with the root key, and makes
the new key the one that signs. The running broker (or \`touchpoint signer\`) picks it up at
the next command or within seconds, and publishes the list to every device; devices that
are offline get it when they reconnect.
  --revoke KEY_ID  drop this key from the list now (a leaked key); repeatable. Devices then
                   reject its commands with KEY_REVOKED.
  --grace-hours N  how long the previous key stays trusted, so commands already queued
                   for offline devices still run (default 24; 0 drops it at once)
  --root-key FILE  the root key, when it is kept off this machine (default keys/root-key.json)
  --key-passphrase-file F
                   passphrase of the key files (default $TP_SIGNING_KEY_PASSPHRASE, then the
                   systemd credential touchpoint-signing-passphrase)
  --data-dir DIR   the broker's (or the signer's) data directory`,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        revoke: { type: 'string', multiple: true },
        'grace-hours': { type: 'string', default: '24' },
        'root-key': { type: 'string' },
        'key-passphrase-file': { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: false,
      strict: true,
    });
    const dataDir = requireDataDir(values['data-dir']);
    const result = rotateKeys(dataDir, {
      passphrase: resolvePassphrase(values['key-passphrase-file']).passphrase,
      revoke: values.revoke ?? [],
      graceMs: numberOption(values['grace-hours'], '--grace-hours', { min: 0 }) * HOUR_MS,
      rootKeyPath: values['root-key'],
    });
    await audit(dataDir, 'key.rotate', {
      previous: result.previous,
      current: result.current,
      version: result.version,
      dropped: result.dropped,
    });
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(
        `Key list ${result.version}: commands are now signed with ${result.current} (was ${result.previous}).`,
      );
      for (const k of result.keys)
        console.log(`  trusted  ${k.keyId}${k.notAfter ? `  until ${new Date(k.notAfter).toISOString()}` : ''}`);
      for (const id of result.dropped) console.log(`  dropped  ${id}`);
    }
    return ExitCode.ok;
  },
};

const keyShow: CliCommand = {
  path: ['key', 'show'],
  summary: 'Show the command keys, the key list version and the root key (public halves)',
  usage: `Usage: touchpoint key show [--data-dir DIR] [--json]

Prints what a device config trusts: "trustedKeys" (the key that signs now) and "rootKeys"
(the key that signs key lists), with the current list. No passphrase needed.`,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
      strict: true,
    });
    const dataDir = requireDataDir(values['data-dir']);
    const paths = keyPaths(dataDir);
    if (!existsSync(paths.keyList))
      throw new TouchpointError(
        ErrorCode.NOT_FOUND,
        `no key list in ${paths.dir}; start the broker (or \`touchpoint signer\`) once with this data directory`,
      );
    const trust = publicTrust(dataDir);
    const list = readKeyList(paths.keyList);
    if (values.json) {
      console.log(JSON.stringify({ ...trust, keyList: list }, null, 2));
    } else {
      console.log(
        `Key list ${list.version}, signed ${new Date(list.issuedAt).toISOString()} by root key ${list.rootKeyId}`,
      );
      for (const k of list.keys)
        console.log(
          `  ${k.keyId === trust.trustedKeys[0]?.keyId ? 'signing' : 'trusted'}  ${k.keyId}${k.notAfter ? `  until ${new Date(k.notAfter).toISOString()}` : ''}`,
        );
      for (const k of trust.rootKeys) console.log(`Root key ${k.keyId}:\n${k.publicKeyPem}`);
    }
    return ExitCode.ok;
  },
};

const keyPassphrase: CliCommand = {
  path: ['key', 'passphrase'],
  summary: 'Encrypt the key files with a new passphrase (or the first one)',
  usage: `Usage: touchpoint key passphrase --new-passphrase-file F [--key-passphrase-file OLD] [--data-dir DIR]

Re-encrypts keys/command-signing.json and keys/root-key.json with the passphrase in F
(scrypt + AES-256-GCM). The current passphrase comes from --key-passphrase-file, else
$TP_SIGNING_KEY_PASSPHRASE, else the systemd credential; none for keys kept in clear.
Then give the new passphrase to the broker or signer and restart it.`,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        'new-passphrase-file': { type: 'string' },
        'key-passphrase-file': { type: 'string' },
        'data-dir': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    });
    if (!values['new-passphrase-file']) throw new UsageError('--new-passphrase-file F is required');
    const dataDir = requireDataDir(values['data-dir']);
    const to = resolvePassphrase(values['new-passphrase-file'], {}).passphrase!;
    const files = changePassphrase(dataDir, resolvePassphrase(values['key-passphrase-file']).passphrase, to);
    await audit(dataDir, 'key.passphrase', { files: files.length });
    console.log(`Encrypted with the new passphrase: ${files.join(', ')}`);
    return ExitCode.ok;
  },
};

const keyRootNew: CliCommand = {
  path: ['key', 'root-new'],
  summary: 'Create a new root key for a root change (prints its public half for device configs)',
  usage: `Usage: touchpoint key root-new --out FILE [--key-passphrase-file F] [--json]

Writes a new root key to FILE (mode 0600, encrypted with the passphrase when one is
configured) and prints its public half. Add it to every device's "rootKeys", then rotate
with \`touchpoint key rotate --root-key FILE\` (docs/keys.md, "The root key leaked").`,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: { out: { type: 'string' }, 'key-passphrase-file': { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
      strict: true,
    });
    if (!values.out) throw new UsageError('--out FILE is required');
    const root = createRootKey(values.out, resolvePassphrase(values['key-passphrase-file']).passphrase);
    if (values.json) console.log(JSON.stringify({ rootKeys: [root] }, null, 2));
    else
      console.log(
        `Root key ${root.keyId} written to ${values.out}. Add to each device's "rootKeys":\n${root.publicKeyPem}`,
      );
    return ExitCode.ok;
  },
};

const signer: CliCommand = {
  path: ['signer'],
  summary: 'Hold the command key in its own process and sign for the broker over a unix socket',
  usage: `Usage: touchpoint signer --socket PATH [--socket-group GID] [--data-dir DIR] [--key-passphrase-file F]
                        [--allow-action NAME]... [--profiles DIR]...
                        [--rate-per-minute N] [--device-rate-per-minute N]

Loads (or creates) the command key in DIR/keys and answers the broker's sign requests on
a unix socket that only this account can open (mode 0600; with --socket-group GID also that
group, mode 0660: run the broker as another user in that group). It applies its own policy
whatever the broker asks: only allowed actions, at most N signatures per minute overall
and per device, validity at most 7 days. Start the broker with --signer-socket PATH.
  --allow-action NAME  an action it signs (repeatable); default: every remote action of
                       the device profiles (--profiles DIR, default $TP_MODELS_DIR and
                       the bundled examples, as the broker reads them)
  --rate-per-minute N  signatures per minute over all devices (default ${DEFAULT_SIGNER_POLICY.perMinute})
  --device-rate-per-minute N
                       signatures per minute for one device (default ${DEFAULT_SIGNER_POLICY.perDevicePerMinute})
  --data-dir DIR       where keys/ lives (default $TOUCHPOINT_DATA_DIR or ./.touchpoint)`,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        socket: { type: 'string' },
        'socket-group': { type: 'string' },
        'data-dir': { type: 'string' },
        'key-passphrase-file': { type: 'string' },
        'allow-action': { type: 'string', multiple: true },
        profiles: { type: 'string', multiple: true },
        'rate-per-minute': { type: 'string', default: String(DEFAULT_SIGNER_POLICY.perMinute) },
        'device-rate-per-minute': { type: 'string', default: String(DEFAULT_SIGNER_POLICY.perDevicePerMinute) },
      },
      allowPositionals: false,
      strict: true,
    });
    if (!values.socket) throw new UsageError('--socket PATH is required');
    const log = createLogger('signer');
    const dataDir = resolveDataDir(values['data-dir']);
    const local = LocalSigner.open(dataDir, resolvePassphrase(values['key-passphrase-file']).passphrase, log);
    const allowActions = new Set(
      values['allow-action'] ?? remoteActions(values.profiles ?? resolveModelsDirs([], process.env.TP_MODELS_DIR), log),
    );
    if (allowActions.size === 0)
      throw new UsageError('no action to allow: give --allow-action NAME or --profiles DIR with remote actions');
    const policy = new SignerPolicy({
      ...DEFAULT_SIGNER_POLICY,
      allowActions,
      perMinute: numberOption(values['rate-per-minute'], '--rate-per-minute', { min: 0 }),
      perDevicePerMinute: numberOption(values['device-rate-per-minute'], '--device-rate-per-minute', { min: 0 }),
    });
    const group = values['socket-group'];
    const server = await startSignerServer({
      socketPath: values.socket,
      socketGroup:
        group === undefined
          ? undefined
          : numberOption(group, '--socket-group', {
              integer: true,
              min: 0,
              what: 'a numeric group id (getent group NAME)',
            }),
      signer: local,
      policy,
      counters: new Counters(),
      log,
    });
    console.log(`Signer    ${server.socketPath}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return ExitCode.ok;
  },
};

function remoteActions(dirs: readonly string[], log: ReturnType<typeof createLogger>): string[] {
  const names = new Set<string>();
  for (const profile of loadProfiles(dirs, log).values())
    for (const action of profile.actions) if (action.remote) names.add(action.name);
  return [...names];
}

/** `touchpoint key …` and `touchpoint signer` (issue 12 item 10, docs/keys.md). */
export const keyCommands: CliCommand[] = [keyRotate, keyShow, keyPassphrase, keyRootNew, signer];
