import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../src/config.js';
import { signer, tempDir } from './helpers/fixtures.js';

const minimal = {
  deviceId: 'cm-0001',
  brokerUrl: 'mqtts://broker.example.com:8883',
  token: 'a'.repeat(43),
  serial: { path: '/dev/ttyS1' },
  dataDir: 'data',
  trustedKeys: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
  profile: '../models/coffee-machine',
};

describe('device config', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.remove());

  it('fills defaults and resolves paths against the config file', async () => {
    const file = join(dir.path, 'agent.json');
    await writeFile(file, JSON.stringify({ ...minimal, tls: { caFile: 'ca.pem' } }));
    const config = loadConfigFile(file);
    expect(config.keepaliveS).toBe(30);
    expect(config.serial.baudRate).toBe(115_200);
    expect(config.localServer).toMatchObject({ enabled: true, host: '127.0.0.1', port: 8787 });
    expect(config.outbox.maxInflight).toBe(16);
    expect(config.dataDir).toBe(join(dir.path, 'data'));
    expect(config.profile).toBe(join(dir.path, '..', 'models', 'coffee-machine'));
    expect(config.tls?.caFile).toBe(join(dir.path, 'ca.pem'));
    expect(config.tls?.rejectUnauthorized).toBe(true);
  });

  it.each([
    [{ brokerUrl: 'http://broker:80' }, 'brokerUrl: must look like mqtt://host:1883'],
    [{ deviceId: 'a/b' }, 'deviceId:'],
    [{ trustedKeys: [] }, 'trustedKeys: needs at least one key'],
    [{ localServer: { host: '0.0.0.0' } }, 'localServer.host:'],
    [{ token: 'short' }, 'token: is too short'],
    [{ unknownField: 1 }, 'unknownField'],
  ])('names the bad field: %j', (change, message) => {
    expect(() => parseConfig({ ...minimal, ...change })).toThrow(message);
  });

  it('reports unreadable and non-JSON files with a code', async () => {
    expect(() => loadConfigFile(join(dir.path, 'missing.json'))).toThrow(/cannot read device config/);
    const file = join(dir.path, 'bad.json');
    await writeFile(file, '{ nope');
    expect(() => loadConfigFile(file)).toThrow(expect.objectContaining({ code: 'BAD_JSON' }));
  });
});
