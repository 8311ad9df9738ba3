import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../src/agent.js';
import type { Logger } from '../src/logger.js';
import { FakeBridge } from './helpers/fake-bridge.js';
import { tempDir, testConfig, waitFor } from './helpers/fixtures.js';

/** mqtts:// end to end: a real TLS listener in front of aedes, with a self-signed certificate made by openssl. */
describe('TLS connection', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let aedes: Aedes;
  let server: Server;
  let url: string;
  const sockets = new Set<TLSSocket>();

  beforeAll(async () => {
    dir = await tempDir('tp-tls-');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=touchpoint-test-broker',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir.path, 'key.pem'),
        '-out',
        join(dir.path, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    aedes = await Aedes.createBroker();
    server = createServer(
      { key: readFileSync(join(dir.path, 'key.pem')), cert: readFileSync(join(dir.path, 'cert.pem')) },
      (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        aedes.handle(socket);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await dir.remove();
  });

  async function run(
    tls: Record<string, unknown>,
    check: (agent: Agent, warnings: string[]) => Promise<void>,
  ): Promise<void> {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) };
    const dataDir = join(dir.path, `data-${Math.random().toString(36).slice(2)}`);
    const agent = await createAgent(testConfig(dataDir, { brokerUrl: url, tls }), {
      createBridge: () => new FakeBridge(),
      logger,
    });
    await agent.start();
    try {
      await check(agent, warnings);
    } finally {
      await agent.stop();
    }
  }

  it('connects when the broker certificate chains to the configured CA file', async () => {
    await run({ caFile: join(dir.path, 'cert.pem') }, async (agent) => {
      await waitFor(() => agent.services.connection.connected, 'TLS connection');
      expect('cm-0001' in (aedes as unknown as { clients: Record<string, unknown> }).clients).toBe(true);
      expect(sockets.size).toBe(1);
    });
  });

  it('refuses an unknown certificate, says why, and keeps retrying', async () => {
    await run({}, async (agent, warnings) => {
      await waitFor(() => warnings.length >= 2, 'two refused attempts');
      expect(warnings[0]).toMatch(/broker unreachable at mqtts:\/\/127\.0\.0\.1:\d+: .*self[- ]signed certificate/);
      expect(agent.services.connection.connected).toBe(false);
    });
  });
});
