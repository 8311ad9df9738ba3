import { ExitCode, UsageError, type CliCommand } from '@touchpoint/protocol';
import { parseCommandArgs } from '@touchpoint/runtime';
import { openDatabase } from '../db/database.js';
import { sqliteStore } from '../db/sql-store.js';
import type { Db } from '../db/database.js';
import { AuditLog } from '../fleet/audit.js';
import { clientIdPrefixOf, Integrations, type IntegrationAccount } from '../fleet/integrations.js';
import { dataPaths } from '../options.js';
import { requireDataDir } from './data-dir.js';

/** Opens the fleet database of a data directory for one command; the running broker sees the change at its next check. */
async function withStore<T>(
  dataDir: string | undefined,
  run: (integrations: Integrations, audit: AuditLog, db: Db) => Promise<T>,
): Promise<T> {
  const db = openDatabase(dataPaths(requireDataDir(dataDir)).database);
  try {
    const store = sqliteStore(db);
    return await run(new Integrations(store), new AuditLog(store), db);
  } finally {
    db.close();
  }
}

function describe(account: IntegrationAccount): string {
  const { rights } = account;
  const lines = [
    `${account.name}${account.builtin ? ' (built-in service account)' : ''}${account.revokedAt ? ` REVOKED ${new Date(account.revokedAt).toISOString()}` : ''}`,
    `  client ids   ${JSON.stringify(clientIdPrefixOf(account))}…${rights.anonymousLoopback ? ' (also clients without a user name, from loopback)' : ''}`,
    `  subscribe    ${rights.subscribe.join('  ') || '-'}`,
    `  publish      ${rights.publish.join('  ') || '-'}`,
  ];
  if (rights.deny.length > 0) lines.push(`  deny         ${rights.deny.join('  ')}`);
  if (rights.models.length > 0) lines.push(`  models       ${rights.models.join('  ')}`);
  return lines.join('\n');
}

const integrationAdd: CliCommand = {
  path: ['integration', 'add'],
  summary: "Create an MQTT account for a maker's backend with an allow-list of topics",
  usage: `Usage: touchpoint integration add NAME --subscribe FILTER... [--publish FILTER...] [--deny FILTER...]
                                [--model MODEL...] [--client-id-prefix P] [--anonymous-loopback]
                                [--json] [--data-dir DIR]

Creates an integration account and prints its token once (only a hash is stored). It connects
with user name NAME, the token as password, and client ids starting with the prefix (default
NAME-). A subscription is granted only if every topic it can match is inside a --subscribe
filter; --deny carves topics out of them; --model limits device topics to those models. Call
signalling (tp/v1/d/+/rtc/#) is never delivered, and an integration never publishes in the
device tree (tp/v1/d/#). See docs/integrations.md.
  --anonymous-loopback  clients that send no user name, from this machine only, get this account
                        (for MQTT conformance suites and test rigs)
Example: a backend reading every coffee machine's events and diagnostics:
  touchpoint integration add erp --subscribe 'tp/v1/d/+/evt' --subscribe 'tp/v1/d/+/diag' --model coffee-machine`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        subscribe: { type: 'string', multiple: true },
        publish: { type: 'string', multiple: true },
        deny: { type: 'string', multiple: true },
        model: { type: 'string', multiple: true },
        'client-id-prefix': { type: 'string' },
        'anonymous-loopback': { type: 'boolean' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
    });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('give exactly one account NAME');
    const rights = {
      subscribe: values.subscribe ?? [],
      publish: values.publish ?? [],
      deny: values.deny ?? [],
      models: values.model ?? [],
      ...(values['client-id-prefix'] !== undefined ? { clientIdPrefix: values['client-id-prefix'] } : {}),
      anonymousLoopback: values['anonymous-loopback'] === true,
    };
    const { account, token } = await withStore(values['data-dir'], async (integrations, audit) => {
      const created = await integrations.add(name, rights, 'cli');
      await audit.record({
        actor: 'cli',
        action: 'integration.create',
        target: name,
        outcome: 'ok',
        detail: { rights: created.account.rights },
      });
      return created;
    });
    if (values.json) {
      console.log(
        JSON.stringify({ name, token, clientIdPrefix: clientIdPrefixOf(account), rights: account.rights }, null, 2),
      );
    } else {
      console.log(describe(account));
      console.log(`\nMQTT user name: ${name}\nMQTT password (shown once): ${token}`);
    }
    return ExitCode.ok;
  },
};

const integrationList: CliCommand = {
  path: ['integration', 'list'],
  summary: 'List integration accounts and their rights',
  usage: 'Usage: touchpoint integration list [--json] [--data-dir DIR]',
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' } },
    });
    const accounts = await withStore(values['data-dir'], (integrations) => integrations.list());
    if (values.json) console.log(JSON.stringify(accounts, null, 2));
    else console.log(accounts.map(describe).join('\n\n'));
    return ExitCode.ok;
  },
};

function changeCommand(verb: 'revoke' | 'rotate'): CliCommand {
  return {
    path: ['integration', verb],
    summary:
      verb === 'revoke'
        ? 'Revoke an integration account (its connections are closed)'
        : 'Give an integration account a new token (the old one stops working, its connections are closed)',
    usage: `Usage: touchpoint integration ${verb} NAME [--json] [--data-dir DIR]`,
    async run(argv) {
      const { values, positionals } = parseCommandArgs({
        args: argv,
        allowPositionals: true,
        options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' } },
      });
      const [name, ...extra] = positionals;
      if (!name || extra.length > 0) throw new UsageError('give exactly one account NAME');
      const token = await withStore(values['data-dir'], async (integrations, audit) => {
        const result =
          verb === 'rotate' ? await integrations.rotate(name) : (await integrations.revoke(name), undefined);
        await audit.record({ actor: 'cli', action: `integration.${verb}`, target: name, outcome: 'ok' });
        return result;
      });
      if (values.json) console.log(JSON.stringify({ name, ...(token ? { token } : { revoked: true }) }));
      else console.log(token ? `New MQTT password for ${name} (shown once): ${token}` : `Integration ${name} revoked.`);
      return ExitCode.ok;
    },
  };
}

export const integrationCommands: CliCommand[] = [
  integrationAdd,
  integrationList,
  changeCommand('revoke'),
  changeCommand('rotate'),
];
