import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadModel } from '@touchpoint/models';
import { signHelpContent, type HelpContentBody } from '@touchpoint/protocol/content-signing';
import { generateSignerKey, type SignerKey } from '@touchpoint/protocol/signing';
import type { SafeFetchOptions } from '../../src/extensions/commands/safe-fetch.js';
import { COFFEE_DIR, tempDir } from './fixtures.js';

export const FLOWS = join(COFFEE_DIR, 'flows');

/** The maker's content key: a different key from the fleet's command key (fixtures.signer). */
export const contentKey: SignerKey = generateSignerKey('maker-content-1');

/** The coffee machine's descale flow with the two images it shows, read through @touchpoint/models. */
export async function descaleContent(): Promise<HelpContentBody> {
  const model = loadModel(COFFEE_DIR, { simulator: false });
  const descale = model.flows.find((flow) => flow.id === 'descale');
  if (!descale) throw new Error(`no descale flow in ${model.flowsDir}`);
  const images: Record<string, string> = {};
  for (const step of Object.values(descale.steps))
    if ('image' in step && step.image)
      images[step.image] = (await readFile(join(model.flowsDir, step.image))).toString('base64');
  return { flows: { 'descale.json': descale }, images };
}

export function signed(body: HelpContentBody, key: SignerKey = contentKey, model = 'coffee-machine'): unknown {
  return signHelpContent(body, model, key);
}

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A real https server on 127.0.0.1 with a certificate for help.test and
 * other.test from a throw-away CA (made by openssl), plus a plain http server
 * with the same documents. The agent reaches `https://help.test:PORT` through
 * the test-only resolver and address rule in `fetchOptions()`.
 */
export class ContentServer {
  readonly documents = new Map<string, Buffer>();
  readonly routes = new Map<string, Route>();
  /** Every request path either server saw, in order. */
  readonly requests: string[] = [];
  ca = '';
  port = 0;
  httpPort = 0;
  private https?: HttpsServer;
  private http?: HttpServer;
  private dir?: Awaited<ReturnType<typeof tempDir>>;

  get origin(): string {
    return `https://help.test:${this.port}`;
  }

  async start(): Promise<void> {
    this.dir = await tempDir('tp-content-ca-');
    const file = (name: string) => join(this.dir!.path, name);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...ec,
        '-subj',
        '/CN=touchpoint test content CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign',
        '-keyout',
        file('ca.key'),
        '-out',
        file('ca.pem'),
      ],
      { stdio: 'ignore' },
    );
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...ec,
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca.key'),
        '-subj',
        '/CN=help.test',
        '-addext',
        'subjectAltName=DNS:help.test,DNS:other.test',
        '-addext',
        'basicConstraints=CA:FALSE',
        '-keyout',
        file('leaf.key'),
        '-out',
        file('leaf.pem'),
      ],
      { stdio: 'ignore' },
    );
    this.ca = readFileSync(file('ca.pem'), 'utf8');
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '';
      this.requests.push(path);
      const route = this.routes.get(path);
      if (route) return route(req, res);
      const body = this.documents.get(path);
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body);
    };
    this.https = createHttpsServer(
      { key: readFileSync(file('leaf.key')), cert: readFileSync(file('leaf.pem')) },
      handler,
    );
    this.http = createHttpServer(handler);
    this.port = await listen(this.https);
    this.httpPort = await listen(this.http);
  }

  async stop(): Promise<void> {
    for (const server of [this.https, this.http]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
    await this.dir?.remove();
  }

  /** Serves `document` at `path`; returns the https URL and the SHA-256 a command would carry. */
  publish(path: string, document: unknown): { url: string; sha256: string } {
    const body = Buffer.from(typeof document === 'string' ? document : JSON.stringify(document));
    this.documents.set(path, body);
    return { url: `${this.origin}${path}`, sha256: createHash('sha256').update(body).digest('hex') };
  }

  /**
   * Fetch options for the agent: the configured origin, plus the test seams
   * (never settable from the config file): help.test and other.test resolve to
   * 127.0.0.1, which `allowLoopback` lets through, and the test CA is trusted.
   */
  fetchOptions(
    overrides: Partial<SafeFetchOptions> = {},
    resolved: string[] = ['127.0.0.1'],
  ): SafeFetchOptions & { lookups: string[] } {
    const lookups: string[] = [];
    return {
      origins: [this.origin],
      maxBytes: 8 * 1024 * 1024,
      timeoutMs: 5_000,
      ca: this.ca,
      resolve: async (hostname) => {
        lookups.push(hostname);
        return resolved.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      },
      addressAllowed: (address) => address === '127.0.0.1',
      lookups,
      ...overrides,
    };
  }
}

function listen(server: HttpServer | HttpsServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
