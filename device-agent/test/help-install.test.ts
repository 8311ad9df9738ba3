import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type CommandResultMessage } from '@touchpoint/protocol';
import { signHelpContent } from '@touchpoint/protocol/content-signing';
import { generateSignerKey } from '@touchpoint/protocol/signing';
import type { AgentEvents } from '../src/agent-events.js';
import { EventBus } from '../src/event-bus.js';
import type { AgentActionRegistry } from '../src/extensions/commands/agent-actions.js';
import { CommandExtension } from '../src/extensions/commands/command-extension.js';
import { HELP_INSTALL_REFUSED, helpInstallAction, installedHelpDir } from '../src/extensions/commands/help-install.js';
import { ReplayStore } from '../src/extensions/commands/replay-store.js';
import { McuLink } from '../src/extensions/mcu-link.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { MqttConnection } from '../src/mqtt/connection.js';
import { Outbox } from '../src/outbox/outbox.js';
import { Reporter } from '../src/outbox/reporter.js';
import { loadProfile } from '../src/profile-loader.js';
import { openAgentDatabase } from '../src/store/database.js';
import { ContentServer, contentKey, descaleContent, FLOWS, signed } from './helpers/content-server.js';
import { FakeBridge } from './helpers/fake-bridge.js';
import { COFFEE_DIR, command, signer, tempDir } from './helpers/fixtures.js';

const profile = loadProfile(COFFEE_DIR);
const contentKeys = [{ keyId: contentKey.keyId, publicKeyPem: contentKey.publicKeyPem }];

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function capture(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const svg = (text: string) => Buffer.from(text).toString('base64');

describe('help.install (issue 12 item 7)', () => {
  const server = new ContentServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let installed: { dir: string; sha256: string; flows: number }[];
  let log: LogLine[];

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(async () => {
    dir = await tempDir();
    installed = [];
    log = [];
    return () => dir.remove();
  });

  const action = (source: 'configured' | 'none' = 'configured') =>
    helpInstallAction({
      dataDir: dir.path,
      profile,
      source: source === 'none' ? undefined : { fetch: server.fetchOptions(), keys: contentKeys },
      logger: capture(log),
      installed: (d, sha256, flows) => void installed.push({ dir: d, sha256, flows }),
    });

  /** Runs the action expecting the generic refusal; returns the refusal code the device log recorded. */
  async function refusedCode(params: { url: string; sha256: string }, run = action()): Promise<string> {
    await expect(run(params, { commandId: 'c-refused', issuedBy: 'staff-1' })).rejects.toMatchObject({
      code: ErrorCode.ACTION_FAILED,
      message: HELP_INSTALL_REFUSED,
    });
    const line = log.find((l) => l.message === 'help content refused');
    expect(line, 'the device log names the refusal').toBeDefined();
    expect(line!.fields).toMatchObject({ commandId: 'c-refused', issuedBy: 'staff-1' });
    return String(line!.fields!.code);
  }

  it('installs content signed with a content key from a configured https origin, and switches it in', async () => {
    const params = server.publish('/v1.json', signed(await descaleContent()));
    expect(await installedHelpDir(dir.path)).toBeUndefined();
    expect(await action()(params, { commandId: 'c1' })).toEqual({ sha256: params.sha256, flows: 1 });
    const live = await installedHelpDir(dir.path);
    expect(live).toBe(join(dir.path, 'help', params.sha256));
    expect(JSON.parse(await readFile(join(live!, 'flows', 'descale.json'), 'utf8'))).toMatchObject({
      id: expect.any(String),
    });
    expect(await readFile(join(live!, 'flows', 'images', 'descale.svg'))).toEqual(
      await readFile(join(FLOWS, 'images', 'descale.svg')),
    );
    expect(installed).toEqual([{ dir: live, sha256: params.sha256, flows: 1 }]);
    expect(log).toContainEqual(
      expect.objectContaining({
        message: 'help content installed',
        fields: expect.objectContaining({ keyId: contentKey.keyId }),
      }),
    );
  });

  it('refuses http:// content, even well-formed and from a server that answers, and installs nothing', async () => {
    const params = server.publish('/plain.json', signed(await descaleContent()));
    const before = server.requests.length;
    expect(await refusedCode({ url: `http://127.0.0.1:${server.httpPort}/plain.json`, sha256: params.sha256 })).toBe(
      'NOT_HTTPS',
    );
    expect(server.requests.length).toBe(before);
    expect(await installedHelpDir(dir.path)).toBeUndefined();
  });

  it('refuses every install when the config names no content source', async () => {
    const params = server.publish('/v1.json', signed(await descaleContent()));
    expect(await refusedCode(params, action('none'))).toBe('NOT_CONFIGURED');
  });

  it('refuses content whose hash does not match the command, and keeps the old content live', async () => {
    const good = server.publish('/good.json', signed(await descaleContent()));
    await action()(good, {});
    const other = server.publish('/other.json', signed({ flows: {}, images: {} }));
    expect(await refusedCode({ url: other.url, sha256: good.sha256 })).toBe('HASH_MISMATCH');
    expect(await installedHelpDir(dir.path)).toBe(join(dir.path, 'help', good.sha256));
  });

  it('refuses content without a signature (the old format)', async () => {
    const params = server.publish('/unsigned.json', await descaleContent());
    expect(await refusedCode(params)).toBe(ErrorCode.SCHEMA_INVALID);
    expect(log.find((l) => l.message === 'help content refused')!.fields!.detail).toMatch(/signature/);
  });

  it('refuses content changed after signing', async () => {
    const document = signed(await descaleContent()) as { images: Record<string, string> };
    document.images['images/descale.svg'] = document.images['images/water-tank.svg']!;
    expect(await refusedCode(server.publish('/tampered.json', document))).toBe(ErrorCode.BAD_SIGNATURE);
  });

  it('refuses content signed with the command key, under its own id or a content key id', async () => {
    expect(await refusedCode(server.publish('/by-command-key.json', signed(await descaleContent(), signer)))).toBe(
      ErrorCode.UNTRUSTED_KEY,
    );
    log.length = 0;
    const impostor = { ...signer, keyId: contentKey.keyId };
    expect(await refusedCode(server.publish('/by-command-key-2.json', signed(await descaleContent(), impostor)))).toBe(
      ErrorCode.BAD_SIGNATURE,
    );
    log.length = 0;
    // A valid command signature pasted into a content document verifies nothing either.
    const envelope = command({ action: 'help.install', params: { url: 'x', sha256: 'a'.repeat(64) } });
    const document = signed(await descaleContent()) as { signature: { sig: string } };
    document.signature.sig = envelope.sig;
    expect(await refusedCode(server.publish('/pasted-sig.json', document))).toBe(ErrorCode.BAD_SIGNATURE);
  });

  it('refuses content signed by an unknown key or for another model', async () => {
    expect(
      await refusedCode(
        server.publish('/rogue.json', signed(await descaleContent(), generateSignerKey('rogue-content'))),
      ),
    ).toBe(ErrorCode.UNTRUSTED_KEY);
    log.length = 0;
    expect(
      await refusedCode(
        server.publish('/wallbox.json', signHelpContent(await descaleContent(), 'wallbox', contentKey)),
      ),
    ).toBe(ErrorCode.BAD_SIGNATURE);
  });

  it('refuses flows that do not fit the profile, with the problem in the device log', async () => {
    const content = await descaleContent();
    (content.flows['descale.json'] as { steps: unknown[] }).steps = [];
    expect(await refusedCode(server.publish('/broken.json', signed(content)))).toBe(ErrorCode.FLOW_INVALID);
    expect(await installedHelpDir(dir.path)).toBeUndefined();
  });

  it('refuses path tricks, even when signed', async () => {
    expect(await refusedCode(server.publish('/tricky.json', signed({ flows: { '../x.json': {} }, images: {} })))).toBe(
      ErrorCode.SCHEMA_INVALID,
    );
  });

  it.each([
    [
      'a script element',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>parent.postMessage("accept","*")</script></svg>',
    ],
    [
      'an on* attribute',
      '<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'/api\')"><rect width="1" height="1"/></svg>',
    ],
    [
      'a javascript: URL',
      '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect width="9" height="9"/></a></svg>',
    ],
    [
      'a javascript: URL split by a tab',
      '<svg xmlns="http://www.w3.org/2000/svg"><a href="java\tscript:alert(1)"><rect/></a></svg>',
    ],
    [
      'an entity-encoded javascript: URL',
      '<svg xmlns="http://www.w3.org/2000/svg"><a href="&#106;avascript:alert(1)"><rect/></a></svg>',
    ],
    [
      'a foreignObject',
      '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="/"></iframe></foreignObject></svg>',
    ],
    [
      'an external reference',
      '<svg xmlns="http://www.w3.org/2000/svg"><image href="http://192.168.1.1/cam.jpg"/></svg>',
    ],
  ])('refuses an SVG with %s at install', async (_what, text) => {
    const content = await descaleContent();
    content.images['images/descale.svg'] = svg(text);
    expect(await refusedCode(server.publish('/svg.json', signed(content)))).toBe(ErrorCode.SCHEMA_INVALID);
    expect(log.find((l) => l.message === 'help content refused')!.fields!.detail).toMatch(/SVG/);
    expect(await installedHelpDir(dir.path)).toBeUndefined();
  });

  it('refuses images that are not images (HTML under any name, PNG bytes that are not PNG)', async () => {
    const html = await descaleContent();
    html.images['images/page.html'] = svg('<script>alert(1)</script>');
    expect(await refusedCode(server.publish('/html.json', signed(html)))).toBe(ErrorCode.SCHEMA_INVALID);
    log.length = 0;
    const fakePng = await descaleContent();
    fakePng.images['images/x.png'] = svg('<svg onload="x()"/>');
    expect(await refusedCode(server.publish('/png.json', signed(fakePng)))).toBe(ErrorCode.SCHEMA_INVALID);
  });
});

/** What the fleet sees: the command result for a failed help.install says nothing about the network. */
describe('help.install failures reach the fleet as one generic result', () => {
  const server = new ContentServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('reports failed ACTION_FAILED with the same reason for a 404, a wrong hash and a private address; the device log has the detail', async () => {
    const dir = await tempDir();
    const db = openAgentDatabase(dir.path);
    const log: LogLine[] = [];
    const results: CommandResultMessage[] = [];
    const bus = new EventBus<AgentEvents>(silentLogger);
    bus.on('command.result', (r) => void results.push(r));
    const published = server.publish('/real.json', signed(await descaleContent()));
    const fetchOptions = server.fetchOptions();
    const actions: AgentActionRegistry = new Map([
      [
        'help.install',
        helpInstallAction({
          dataDir: dir.path,
          profile,
          source: { fetch: fetchOptions, keys: contentKeys },
          logger: capture(log),
          installed: () => {},
        }),
      ],
    ]);
    const extension = new CommandExtension({
      deviceId: 'cm-0001',
      profile,
      trustedKeys: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
      clockSkewMs: 30_000,
      replay: new ReplayStore(db),
      mcu: new McuLink(new FakeBridge(), '/dev/ttyTEST', bus, silentLogger),
      actions,
      reporter: new Reporter(new Outbox(db, { maxBytes: 1 << 20, maxEntries: 1000 }, silentLogger), 'cm-0001', bus),
      connection: new MqttConnection({
        deviceId: 'cm-0001',
        brokerUrl: 'mqtt://127.0.0.1:1',
        token: 't',
        keepaliveS: 30,
        reconnect: { minMs: 10, maxMs: 10, connectTimeoutMs: 10 },
        presence: () => ({}),
        bus,
        logger: silentLogger,
      }),
      bus,
      logger: silentLogger,
    });
    await extension.start();
    try {
      const attempts = {
        missing: { url: `${server.origin}/missing.json`, sha256: published.sha256 },
        wrongHash: { url: published.url, sha256: 'b'.repeat(64) },
        loopbackHttp: { url: `http://127.0.0.1:${server.httpPort}/real.json`, sha256: published.sha256 },
        linkLocal: { url: 'https://169.254.169.254/latest/meta-data', sha256: published.sha256 },
      };
      const outcomes: Record<string, CommandResultMessage | undefined> = {};
      for (const [name, params] of Object.entries(attempts)) {
        const envelope = command({ action: 'help.install', params });
        await extension.receive(JSON.stringify(envelope));
        await extension.idle();
        outcomes[name] = results.filter((r) => r.commandId === envelope.id).at(-1);
      }
      for (const [name, result] of Object.entries(outcomes)) {
        expect(result, name).toMatchObject({
          status: 'failed',
          code: ErrorCode.ACTION_FAILED,
          reason: HELP_INSTALL_REFUSED,
        });
        const text = JSON.stringify(result);
        expect(text, name).not.toMatch(/404|HTTP|[0-9a-f]{64}|refused|ECONN|timeout|169\.254|127\.0\.0\.1/i);
      }
      const codes = log.filter((l) => l.message === 'help content refused').map((l) => l.fields!.code);
      expect(codes).toEqual(['HTTP_STATUS', 'HASH_MISMATCH', 'NOT_HTTPS', 'ORIGIN_NOT_ALLOWED']);
      expect(log.find((l) => l.fields?.code === 'HTTP_STATUS')!.fields!.detail).toBe('HTTP 404');
    } finally {
      await extension.stop();
      db.close();
      await dir.remove();
    }
  });
});
