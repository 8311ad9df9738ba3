import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../src/extensions/commands/address-policy.js';
import { helpContentSource } from '../src/extensions/commands/help-install.js';
import {
  FetchRefused,
  safeFetch,
  type FetchRefusal,
  type SafeFetchOptions,
} from '../src/extensions/commands/safe-fetch.js';
import { contentKey, ContentServer } from './helpers/content-server.js';
import { signer, testConfig } from './helpers/fixtures.js';

/** Issue 12 item 7: the help content download must not reach into the customer's network. */
describe('safe fetch for help content', () => {
  const server = new ContentServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  async function refusal(url: string, options: SafeFetchOptions): Promise<FetchRefused> {
    const err: unknown = await safeFetch(url, options).then(
      () => new Error(`${url} was fetched`),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FetchRefused);
    return err as FetchRefused;
  }

  async function expectRefused(url: string, options: SafeFetchOptions, code: FetchRefusal): Promise<FetchRefused> {
    const err = await refusal(url, options);
    expect(err.refusal, err.detail).toBe(code);
    return err;
  }

  it('downloads from a configured https origin, connecting to the address it checked (one lookup)', async () => {
    server.documents.set('/ok.json', Buffer.from('{"hello":"world"}'));
    const options = server.fetchOptions();
    const body = await safeFetch(`${server.origin}/ok.json`, options);
    expect(body.toString()).toBe('{"hello":"world"}');
    // help.test exists in no DNS: the socket went to the address our resolver returned, and it asked once.
    expect(options.lookups).toEqual(['help.test']);
  });

  it('refuses http:// without connecting, even to a server that would answer', async () => {
    server.documents.set('/plain.json', Buffer.from('{}'));
    const before = server.requests.length;
    await expectRefused(
      `http://127.0.0.1:${server.httpPort}/plain.json`,
      server.fetchOptions({ origins: [`http://127.0.0.1:${server.httpPort}`] }),
      'NOT_HTTPS',
    );
    expect(server.requests.length).toBe(before);
  });

  it('refuses an https origin that is not configured (other host, other port, credentials)', async () => {
    server.documents.set('/x.json', Buffer.from('{}'));
    const before = server.requests.length;
    const options = server.fetchOptions();
    await expectRefused(`https://other.test:${server.port}/x.json`, options, 'ORIGIN_NOT_ALLOWED');
    await expectRefused(`https://help.test:${server.port + 1}/x.json`, options, 'ORIGIN_NOT_ALLOWED');
    await expectRefused(`https://user:pw@help.test:${server.port}/x.json`, options, 'BAD_URL');
    expect(options.lookups).toEqual([]);
    expect(server.requests.length).toBe(before);
  });

  it('refuses a redirect, even to the same origin', async () => {
    server.documents.set('/target.json', Buffer.from('{}'));
    server.routes.set('/moved.json', (_req, res) =>
      res.writeHead(302, { location: `${server.origin}/target.json` }).end(),
    );
    const before = server.requests.length;
    const err = await expectRefused(`${server.origin}/moved.json`, server.fetchOptions(), 'REDIRECT');
    expect(err.detail).toMatch(/302/);
    expect(server.requests.slice(before)).toEqual(['/moved.json']);
  });

  it.each([
    ['127.0.0.1'],
    ['10.0.0.5'],
    ['172.20.1.1'],
    ['192.168.1.10'],
    ['169.254.169.254'],
    ['100.64.0.1'],
    ['0.0.0.0'],
    ['224.0.0.251'],
    ['::1'],
    ['fe80::1'],
    ['fd00::1'],
    ['ff02::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:a00:1'],
    ['64:ff9b::a9fe:a9fe'],
    ['2002:c0a8:101::1'],
  ])('refuses a name that resolves to %s, without connecting', async (address) => {
    const before = server.requests.length;
    // The production address rule (no test allowance): only the resolver is faked.
    const err = await expectRefused(
      `${server.origin}/ok.json`,
      server.fetchOptions({ addressAllowed: undefined }, [address]),
      'ADDRESS_NOT_ALLOWED',
    );
    expect(err.detail).toContain(address);
    expect(server.requests.length).toBe(before);
  });

  it('refuses a name when any of its addresses is private, not just the first', async () => {
    await expectRefused(
      `${server.origin}/ok.json`,
      server.fetchOptions({ addressAllowed: isPublicAddress }, ['93.184.215.14', '10.0.0.1']),
      'ADDRESS_NOT_ALLOWED',
    );
  });

  it('refuses a certificate the device does not trust', async () => {
    const options = server.fetchOptions();
    delete options.ca;
    const err = await expectRefused(`${server.origin}/ok.json`, options, 'NETWORK');
    expect(err.detail).toMatch(/certificate/i);
  });

  it('stops at the byte limit and at the deadline', async () => {
    server.documents.set('/big.json', Buffer.alloc(64 * 1024, 0x20));
    await expectRefused(`${server.origin}/big.json`, server.fetchOptions({ maxBytes: 1024 }), 'TOO_LARGE');
    server.routes.set('/chunked-big.json', (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(2048, 0x20));
      res.end(Buffer.alloc(2048, 0x20));
    });
    await expectRefused(`${server.origin}/chunked-big.json`, server.fetchOptions({ maxBytes: 3000 }), 'TOO_LARGE');
    server.routes.set('/stall.json', (_req, res) => void res.writeHead(200).write('{'));
    await expectRefused(`${server.origin}/stall.json`, server.fetchOptions({ timeoutMs: 300 }), 'TIMEOUT');
  });
});

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '198.18.0.1',
    '192.0.2.1',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'fc00::1',
    'fdff:ffff::1',
    'ff02::1',
    'fec0::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '2001:db8::1',
    '2001::1',
    '100::1',
    'not-an-address',
    '1.2.3',
    '1:2:3:4:5:6:7:8:9',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '93.184.215.14',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('helpContent config', () => {
  const key = { keyId: contentKey.keyId, publicKeyPem: contentKey.publicKeyPem };

  it('takes https origins and content keys, and normalises the origin', () => {
    const config = testConfig('/tmp/x', { helpContent: { origins: ['https://help.example.com:443/'], keys: [key] } });
    expect(config.helpContent).toEqual({
      origins: ['https://help.example.com'],
      keys: [key],
      maxBytes: 8 * 1024 * 1024,
      timeoutMs: 30_000,
    });
  });

  it.each([
    ['http://help.example.com'],
    ['https://help.example.com/content/'],
    ['https://user:pw@help.example.com'],
    ['not a url'],
  ])('refuses the origin %s', (origin) => {
    expect(() => testConfig('/tmp/x', { helpContent: { origins: [origin], keys: [key] } })).toThrow(
      /helpContent\.origins/,
    );
  });

  it('refuses a content key that is also a command key, under any key id', () => {
    expect(() =>
      testConfig('/tmp/x', {
        helpContent: {
          origins: ['https://help.example.com'],
          keys: [{ keyId: 'content-1', publicKeyPem: signer.publicKeyPem }],
        },
      }),
    ).toThrow(/helpContent\.keys: content-1 is also a command key/);
  });

  it('has no setting that lets private addresses or another CA in: the agent passes only origins and limits on', () => {
    expect(() =>
      testConfig('/tmp/x', {
        helpContent: { origins: ['https://help.example.com'], keys: [key], allowPrivate: true } as never,
      }),
    ).toThrow(/allowPrivate/);
    const config = testConfig('/tmp/x', { helpContent: { origins: ['https://help.example.com'], keys: [key] } });
    const source = helpContentSource(config.helpContent);
    expect(Object.keys(source!.fetch).sort()).toEqual(['maxBytes', 'origins', 'timeoutMs']);
    expect(helpContentSource(undefined)).toBeUndefined();
  });
});
