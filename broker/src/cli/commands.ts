import { ExitCode, ErrorCode, TouchpointError, UsageError, type CliCommand } from '@touchpoint/protocol';
import { parseCommandArgs, portOption, readContentKeyFile } from '@touchpoint/runtime';
import { openDatabase } from '../db/database.js';
import { sqliteStore } from '../db/sql-store.js';
import { Devices } from '../fleet/devices.js';
import { deviceTrust } from '../fleet/signing-key.js';
import { apiCommand } from './api-command.js';
import { engineAuthCommand } from './engine-auth-command.js';
import { fleetWorkerCommand } from './fleet-worker-command.js';
import { integrationCommands } from './integration-commands.js';
import { keyCommands } from './key-commands.js';
import { Staff, staffRole } from '../fleet/staff.js';
import { AuditLog } from '../fleet/audit.js';
import { LoginLocks } from '../fleet/login-locks.js';
import { dataPaths } from '../options.js';
import { requireModelsDirs } from '@touchpoint/models';
import { startBroker } from '../start-broker.js';
import { requireDataDir, resolveDataDir } from './data-dir.js';
import { sqliteOnlyNotice } from './database-url.js';
import { RETENTION_FLAGS, RETENTION_USAGE, retentionFromFlags } from './retention-flags.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; default?: string }>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(
  argv: string[],
  options: OptionSpec,
  allowPositionals = true,
): { values: Values; positionals: string[] } {
  // An unknown or malformed option is a UsageError: usage text and exit 2 (issue 14).
  return parseCommandArgs({
    args: argv,
    options: { ...options, 'data-dir': { type: 'string' } },
    allowPositionals,
    strict: true,
  });
}

const broker: CliCommand = {
  path: ['broker'],
  summary: 'Start the MQTT broker, fleet service and console',
  usage: `Usage: touchpoint broker [--mqtt-port N] [--http-port N] [--host H] [--data-dir DIR] [--tls-cert F --tls-key F [--mqtts-port N]]
                         [--public-url URL] [--trusted-proxy ADDR]... [--models-dir DIR]...
                         [--signer-socket PATH | --key-passphrase-file F] [--content-key FILE]
                         [--diagnostics-retention-days N] [--events-retention-days N] [--presence-retention-days N]

Starts aedes (MQTT over TCP, and over WebSocket at /mqtt on the HTTP port), the fleet
service with its SQLite store, and the console.
  --mqtt-port N   MQTT over TCP (default 1883)
  --http-port N   console, API and MQTT over WebSocket (default 8080)
  --host H        interface to listen on (default 127.0.0.1)
  --tls-cert F    PEM certificate; with --tls-key, also serve MQTTS
  --tls-key F     PEM private key
  --mqtts-port N  MQTTS port (default 8883)
  --public-url URL
                  the origin staff and phones reach the console at, e.g.
                  https://support.example.com (default $TP_PUBLIC_URL); https makes the
                  session cookie Secure
  --trusted-proxy ADDR
                  a reverse proxy whose X-Forwarded-For is believed (repeatable;
                  default $TP_TRUSTED_PROXIES, comma-separated)
  --models-dir DIR
                  device models (profile.json, flows/) of your own: a model folder or a
                  folder of model folders (repeatable; default $TP_MODELS_DIR, colon-
                  separated). The bundled examples are always read after them; a model
                  of the same name in your folder wins
  --secure-cookies
                  mark the console's session cookie Secure (default when --public-url is https)
  --signer-socket PATH
                  ask \`touchpoint signer\` on this unix socket to sign commands; the key
                  then never enters the broker (default $TP_SIGNER_SOCKET; docs/keys.md)
  --key-passphrase-file F
                  passphrase of the in-process command key (default $TP_SIGNING_KEY_PASSPHRASE,
                  then the systemd credential touchpoint-signing-passphrase)
  --content-key FILE
                  the maker's help content key (\`touchpoint content keygen\`, mode 0600): staged
                  rollouts sign approved content versions with it and devices fetch them from
                  /content/ (default $TP_CONTENT_KEY_FILE; docs/help-lifecycle.md)
${RETENTION_USAGE}
  --data-dir DIR  default $TOUCHPOINT_DATA_DIR or ./.touchpoint (created if missing)`,
  async run(argv) {
    const { values } = parse(
      argv,
      {
        'mqtt-port': { type: 'string', default: '1883' },
        'http-port': { type: 'string', default: '8080' },
        host: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'mqtts-port': { type: 'string', default: '8883' },
        'secure-cookies': { type: 'boolean' },
        'public-url': { type: 'string' },
        'trusted-proxy': { type: 'string', multiple: true },
        'models-dir': { type: 'string', multiple: true },
        'signer-socket': { type: 'string' },
        'key-passphrase-file': { type: 'string' },
        'content-key': { type: 'string' },
        ...Object.fromEntries(Object.keys(RETENTION_FLAGS).map((f) => [f, { type: 'string' as const }])),
      },
      false,
    );
    if (Boolean(values['tls-cert']) !== Boolean(values['tls-key']))
      throw new UsageError('--tls-cert and --tls-key go together');
    const modelsDirs = requireModelsDirs(
      (values['models-dir'] as string[] | undefined) ?? [],
      process.env.TP_MODELS_DIR,
    );
    const contentKeyPath =
      (values['content-key'] as string | undefined) ?? (process.env.TP_CONTENT_KEY_FILE || undefined);
    const contentKey = contentKeyPath ? await readContentKeyFile(contentKeyPath) : undefined;
    const notice = sqliteOnlyNotice('broker');
    if (notice) console.warn(notice);
    const running = await startBroker({
      dataDir: resolveDataDir(values['data-dir'] as string | undefined),
      host: values.host as string | undefined,
      mqttPort: portOption(values['mqtt-port'] as string, '--mqtt-port'),
      httpPort: portOption(values['http-port'] as string, '--http-port'),
      mqttsPort: portOption(values['mqtts-port'] as string, '--mqtts-port'),
      secureCookies: values['secure-cookies'] === true ? true : undefined,
      publicUrl: (values['public-url'] as string | undefined) ?? process.env.TP_PUBLIC_URL,
      trustedProxies:
        (values['trusted-proxy'] as string[] | undefined) ??
        (process.env.TP_TRUSTED_PROXIES
          ? process.env.TP_TRUSTED_PROXIES.split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined),
      modelsDirs,
      tls: values['tls-cert']
        ? { certPath: values['tls-cert'] as string, keyPath: values['tls-key'] as string }
        : undefined,
      retention: retentionFromFlags(values),
      signing: {
        signerSocket: (values['signer-socket'] as string | undefined) ?? (process.env.TP_SIGNER_SOCKET || undefined),
        passphraseFile: values['key-passphrase-file'] as string | undefined,
      },
      contentKey,
    });
    console.log(`MQTT      mqtt://${running.host}:${running.mqttPort}`);
    if (running.mqttsPort) console.log(`MQTTS     mqtts://${running.host}:${running.mqttsPort}`);
    console.log(`Console   http://${running.host}:${running.httpPort}/`);
    if (running.initialAdmin)
      console.log(
        `First start: admin account "${running.initialAdmin.name}", one-time password: ${running.initialAdmin.password}`,
      );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.close();
    return ExitCode.ok;
  },
};

const deviceAdd: CliCommand = {
  path: ['device', 'add'],
  summary: 'Provision a device and print its credential once',
  usage: `Usage: touchpoint device add ID --model MODEL [--tag T]... [--json] [--data-dir DIR] [--signer-socket PATH]

Creates the device and prints its MQTT credential (shown once; only a hash is stored)
and what the device must trust: the command-signing public key ("trustedKeys") and the
root key that signs key lists ("rootKeys", docs/keys.md). With an out-of-process signer
(--signer-socket, default $TP_SIGNER_SOCKET) they come from the signer.`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      model: { type: 'string' },
      tag: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'signer-socket': { type: 'string' },
    });
    const id = positionals[0];
    if (!id || positionals.length > 1 || !values.model) throw new UsageError('give one device ID and --model MODEL');
    const dataDir = requireDataDir(values['data-dir'] as string | undefined);
    // The trust material first: a signer that cannot be reached must not leave a device whose token was never shown.
    const trust = await deviceTrust(
      dataDir,
      (values['signer-socket'] as string | undefined) ?? (process.env.TP_SIGNER_SOCKET || undefined),
    );
    const db = openDatabase(dataPaths(dataDir).database);
    try {
      const { token } = await new Devices(sqliteStore(db)).provision(
        id,
        values.model as string,
        (values.tag as string[] | undefined) ?? [],
      );
      await new AuditLog(sqliteStore(db)).record({
        actor: 'cli',
        action: 'device.provision',
        deviceId: id,
        outcome: 'ok',
        detail: { model: values.model },
      });
      if (values.json) {
        console.log(JSON.stringify({ deviceId: id, model: values.model, token, ...trust }, null, 2));
      } else {
        console.log(`Device ${id} (${values.model as string}) provisioned.`);
        console.log(`MQTT username / client id: ${id}`);
        console.log(`MQTT password (shown once): ${token}`);
        for (const key of trust.trustedKeys)
          console.log(`Trusted command-signing key ${key.keyId} (config "trustedKeys"):\n${key.publicKeyPem}`);
        for (const key of trust.rootKeys)
          console.log(`Root key ${key.keyId}, which signs key lists (config "rootKeys"):\n${key.publicKeyPem}`);
      }
      return ExitCode.ok;
    } finally {
      db.close();
    }
  },
};

const deviceList: CliCommand = {
  path: ['device', 'list'],
  summary: 'List provisioned devices',
  usage: 'Usage: touchpoint device list [--model MODEL] [--json] [--data-dir DIR]',
  async run(argv) {
    const { values } = parse(argv, { json: { type: 'boolean' }, model: { type: 'string' } }, false);
    const db = openDatabase(dataPaths(requireDataDir(values['data-dir'] as string | undefined)).database);
    try {
      const { items, total } = await new Devices(sqliteStore(db)).list({
        model: values.model as string | undefined,
        limit: 500,
      });
      if (values.json) {
        console.log(JSON.stringify({ total, items }, null, 2));
      } else if (items.length === 0) {
        console.log('No devices yet. Add one with: touchpoint device add ID --model MODEL');
      } else {
        console.log(`${'ID'.padEnd(24)} ${'MODEL'.padEnd(18)} ${'STATE'.padEnd(8)} LAST SEEN`);
        for (const d of items)
          console.log(
            `${d.id.padEnd(24)} ${d.model.padEnd(18)} ${(d.online ? 'online' : 'offline').padEnd(8)} ${d.lastSeen ? new Date(d.lastSeen).toISOString() : 'never'}`,
          );
        if (total > items.length) console.log(`… and ${total - items.length} more (use --json for scripting)`);
      }
      return ExitCode.ok;
    } finally {
      db.close();
    }
  },
};

const staffAdd: CliCommand = {
  path: ['staff', 'add'],
  summary: 'Create a staff account and print a generated password once',
  usage: `Usage: touchpoint staff add NAME --role viewer|agent|admin [--display-name TEXT] [--json] [--data-dir DIR]`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      role: { type: 'string' },
      'display-name': { type: 'string' },
      json: { type: 'boolean' },
    });
    const name = positionals[0];
    if (!name || positionals.length > 1) throw new UsageError('give one staff NAME');
    const role = staffRole.safeParse(values.role);
    if (!role.success)
      throw new UsageError(`--role must be viewer, agent or admin, got ${String(values.role ?? '(none)')}`);
    const db = openDatabase(dataPaths(requireDataDir(values['data-dir'] as string | undefined)).database);
    try {
      const { staff, password } = await new Staff(db).add(
        name,
        role.data,
        (values['display-name'] as string | undefined) ?? name,
        { mustChangePassword: true },
      );
      await new AuditLog(sqliteStore(db)).record({
        actor: 'cli',
        action: 'staff.create',
        target: staff.id,
        outcome: 'ok',
        detail: { name, role: role.data },
      });
      if (values.json) console.log(JSON.stringify({ ...staff, password }, null, 2));
      else
        console.log(
          `Staff ${name} (${role.data}) created. Password (shown once): ${password}\nThe member chooses a new password at the first login.`,
        );
      return ExitCode.ok;
    } finally {
      db.close();
    }
  },
};

/** Lifts an account's login locks (the broker may be running: the locks live in the database). */
const staffUnlock: CliCommand = {
  path: ['staff', 'unlock'],
  summary: 'Lift the login locks of a staff account, from every address',
  usage: `Usage: touchpoint staff unlock NAME [--data-dir DIR]`,
  async run(argv) {
    const { values, positionals } = parse(argv, {});
    const name = positionals[0];
    if (!name || positionals.length > 1) throw new UsageError('give one staff NAME');
    const db = openDatabase(dataPaths(requireDataDir(values['data-dir'] as string | undefined)).database);
    try {
      const member = new Staff(db).listAll().find((m) => m.name === name.toLowerCase());
      if (!member) throw new TouchpointError(ErrorCode.NOT_FOUND, `staff member ${name} does not exist`);
      const locksLifted = new LoginLocks(db).unlock(member.name);
      await new AuditLog(sqliteStore(db)).record({
        actor: 'cli',
        action: 'staff.unlock',
        target: member.id,
        outcome: 'ok',
        detail: { name: member.name, locksLifted },
      });
      console.log(`Staff ${member.name}: ${locksLifted} lock(s) lifted.`);
      return ExitCode.ok;
    } finally {
      db.close();
    }
  },
};

export const cliCommands: CliCommand[] = [
  broker,
  deviceAdd,
  deviceList,
  staffAdd,
  staffUnlock,
  ...keyCommands,
  ...integrationCommands,
  engineAuthCommand,
  fleetWorkerCommand,
  apiCommand,
];
