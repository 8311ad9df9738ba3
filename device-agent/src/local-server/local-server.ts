import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { z } from 'zod';
import {
  decode,
  describeIssues,
  ErrorCode,
  KIOSK_KEY_HEADER,
  LOCAL_UI_SUBPROTOCOL,
  newId,
  uiRequestBase,
  type DeviceProfile,
  type LinkState,
  type UiAgentMessage,
  type UiLiveState,
} from '@touchpoint/protocol';
import { SafeEventEmitter } from '@touchpoint/runtime';
import type { AgentEvents } from '../agent-events.js';
import type { EventBus } from '../event-bus.js';
import { ExtensionBase } from '../extension-base.js';
import type { ExtensionContext } from '../extension-context.js';
import type { Logger } from '../logger.js';
import { checkKioskProtocols, kioskUrl, sameSecret, writePrivate } from './kiosk-key.js';
import { LiveState } from './live-state.js';
import { RAW_SECURITY_HEADERS, setSecurityHeaders } from './security-headers.js';
import { serveStatic } from './static-files.js';
import { SupportActivity, type StaffNaming } from './support-activity.js';
import { SupportHistory } from './support-history.js';

/** One connected UI (a kiosk browser tab). */
export interface UiClient {
  readonly id: string;
  send(message: UiAgentMessage): void;
}

/** Handles one request type from the UI; the return value becomes the reply's `data`. Throw a TouchpointError to reply with its code. */
export type UiRequestHandler<T> = (request: T, client: UiClient) => Promise<unknown> | unknown;

export type HttpHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface LocalServerOptions {
  host: string;
  port: number;
  /** Built touch UI; missing or empty means the server answers 503 with a hint. */
  uiDir: string;
  deviceId: string;
  profile: DeviceProfile;
  agentVersion: string;
  bus: EventBus<AgentEvents>;
  link: () => LinkState;
  /** The bridge's active errors as of now (McuBridge.activeErrors); without it a snapshot's list is taken as is. */
  activeErrors?: () => readonly string[];
  /** How long "Remote control allowed" lasts at most when the customer turns it on (issue 16); default 30. */
  remoteControlMinutes?: number;
  /** The JSON file that keeps the customer's support history across restarts; none: kept in memory only. */
  historyFile?: string;
  /** Seconds without a tap before the touchscreen goes home (config touchscreen.idleTimeoutS), told in `hello`. */
  idleTimeoutS?: number;
  /** Whom the support history names: staff names, or only their role (config touchscreen.staffNames; issue 16). */
  staffNames?: StaffNaming;
  logger: Logger;
  /** The per-boot kiosk secret (see kiosk-key.ts) and the 0600 file the kiosk URL with it is written to. */
  kiosk: { secret: string; urlFile?: string };
}

const MAX_WS_PAYLOAD = 64 * 1024;
const STATE_THROTTLE_MS = 100;

/**
 * The loopback HTTP + WebSocket server the touchscreen UI talks to.
 *
 * Extension points (for the help-session and video extensions):
 *  - `handle(type, schema, handler)`: a UI request type with its zod schema;
 *  - `route(method, path, handler)`: an HTTP endpoint under /api/;
 *  - `broadcast(message)` and `onClient(listener)`: push to every UI, greet new ones.
 *
 * Only loopback: the Host header must name this server (a DNS-rebinding page
 * in the kiosk browser cannot reach it) and a WebSocket Origin must be ours.
 * Only the kiosk: the WebSocket and POST routes need the per-boot kiosk secret.
 * No framing: every response carries the headers of security-headers.ts.
 */
export class LocalServer extends ExtensionBase {
  readonly name = 'local-server';
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly clients = new Map<WebSocket, UiClient>();
  private readonly handlers = new Map<string, { schema: z.ZodType; handler: UiRequestHandler<never> }>();
  private readonly routes = new Map<string, HttpHandler>();
  /** Listeners of new UIs; one that fails is logged and the others still greet the UI. */
  private readonly clientEvents: SafeEventEmitter<{ client: [UiClient] }>;
  private readonly live: LiveState;
  private readonly activity: SupportActivity;
  private stateTimer: NodeJS.Timeout | undefined;
  private boundPort = 0;
  private refused = 0;

  constructor(private readonly options: LocalServerOptions) {
    super();
    this.clientEvents = new SafeEventEmitter((_event, err) =>
      options.logger.error('UI client listener failed', {
        code: ErrorCode.INTERNAL,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
    this.live = new LiveState(options.bus, () => this.scheduleState(), options.link, options.activeErrors);
    this.activity = new SupportActivity(options.profile, (message) => this.broadcast(message), {
      remoteControlMinutes: options.remoteControlMinutes ?? 30,
      logger: options.logger,
      history: new SupportHistory(options.historyFile, options.logger),
      ...(options.staffNames ? { staffNames: options.staffNames } : {}),
    });
    this.activity.register((type, schema, handler) => this.handle(type, schema, handler));
    this.handle('state.get', uiRequestBase, () => this.live.current);
    this.handle('agent.ping', uiRequestBase, () => ({ at: Date.now() }));
    this.route('GET', '/api/state', (_req, res) => json(res, 200, this.live.current));
  }

  /** Where it listens, once started. */
  get address(): { host: string; port: number } | undefined {
    return this.server ? { host: this.options.host, port: this.boundPort } : undefined;
  }

  get url(): string | undefined {
    const host = this.options.host === '::1' ? '[::1]' : this.options.host;
    return this.server ? `http://${host}:${this.boundPort}` : undefined;
  }

  get state(): UiLiveState {
    return this.live.current;
  }

  /** The URL the kiosk browser opens (with the secret in the fragment); for the kiosk launcher only, never log it. */
  get kioskUrl(): string | undefined {
    const url = this.url;
    return url ? kioskUrl(url, this.options.kiosk.secret) : undefined;
  }

  /** WebSocket clients and POST requests refused for a missing or wrong kiosk secret, Host or Origin. */
  get refusedClients(): number {
    return this.refused;
  }

  /** Register a UI request type. Returns a function that removes it. */
  handle<S extends z.ZodType>(type: string, schema: S, handler: UiRequestHandler<z.infer<S>>): () => void {
    if (this.handlers.has(type)) throw new Error(`UI request type ${type} is already handled`);
    this.handlers.set(type, { schema, handler: handler as UiRequestHandler<never> });
    return () => this.handlers.delete(type);
  }

  /** Register an HTTP endpoint (exact path, under /api/). */
  route(method: 'GET' | 'POST', path: string, handler: HttpHandler): () => void {
    if (!path.startsWith('/api/')) throw new Error(`routes live under /api/, got ${path}`);
    const key = `${method} ${path}`;
    this.routes.set(key, handler);
    return () => this.routes.delete(key);
  }

  /** Called with each UI that connects, after its `hello`. */
  onClient(listener: (client: UiClient) => void): () => void {
    return this.clientEvents.subscribe('client', listener);
  }

  broadcast(message: UiAgentMessage): void {
    const text = JSON.stringify(message);
    for (const socket of this.clients.keys()) {
      if (socket.readyState === socket.OPEN) socket.send(text);
    }
  }

  protected async onStart(context: ExtensionContext): Promise<void> {
    const { bus, host, port } = this.options;
    this.live.start(context);
    this.activity.start(context, bus);
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        this.options.logger.error('local request failed', { code: ErrorCode.INTERNAL, error: (err as Error).message });
        if (!res.headersSent) json(res, 500, { code: ErrorCode.INTERNAL, message: 'internal error' });
        else res.destroy();
      });
    });
    // The client offers our subprotocol and its key (checked below); the agent answers with ours, never the key.
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_WS_PAYLOAD,
      handleProtocols: (offered) => (offered.has(LOCAL_UI_SUBPROTOCOL) ? LOCAL_UI_SUBPROTOCOL : false),
    });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://local');
      if (url.pathname !== '/ws' || !this.hostAllowed(req) || !this.originAllowed(req)) {
        this.refuse('forbidden-host-or-origin', req);
        socket.end(`HTTP/1.1 403 Forbidden\r\n${RAW_SECURITY_HEADERS}Connection: close\r\n\r\n`);
        return;
      }
      const key = checkKioskProtocols(req.headers['sec-websocket-protocol'], this.options.kiosk.secret);
      if (!key.ok) {
        this.refuse(`kiosk-key-${key.reason}`, req);
        socket.end(`HTTP/1.1 401 Unauthorized\r\n${RAW_SECURITY_HEADERS}Connection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
    this.server = server;
    this.wss = wss;
    this.boundPort = (server.address() as AddressInfo).port;
    this.options.logger.info('touch UI server listening', { url: this.url, uiDir: this.options.uiDir });
    const urlFile = this.options.kiosk.urlFile;
    if (urlFile) {
      try {
        writePrivate(urlFile, `${this.kioskUrl}\n`);
        this.options.logger.info('kiosk URL written (the kiosk browser opens it)', { file: urlFile });
      } catch (err) {
        // The agent's other duties (commands, diagnostics) go on; the log says why the kiosk cannot connect.
        this.options.logger.error('could not write the kiosk URL: the kiosk browser cannot connect', {
          code: ErrorCode.INTERNAL,
          file: urlFile,
          error: (err as Error).message,
        });
      }
    }
  }

  protected override async onStop(): Promise<void> {
    if (this.stateTimer) clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    for (const socket of this.clients.keys()) socket.terminate();
    this.clients.clear();
    this.wss?.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    }
  }

  private scheduleState(): void {
    if (this.stateTimer) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      this.broadcast({ type: 'state', state: this.live.current });
    }, STATE_THROTTLE_MS);
  }

  private hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    if (!host) return false;
    const allowed = [`127.0.0.1:${this.boundPort}`, `localhost:${this.boundPort}`, `[::1]:${this.boundPort}`];
    return allowed.includes(host.toLowerCase());
  }

  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser; it still needs the kiosk secret and the Host check
    const host = req.headers.host?.toLowerCase();
    return origin.toLowerCase() === `http://${host}`;
  }

  /** Count and log a refused client; the secret itself never reaches the log. */
  private refuse(reason: string, req: IncomingMessage): void {
    this.refused += 1;
    this.options.logger.warn('touch UI client refused', {
      code: ErrorCode.NOT_AUTHORIZED,
      reason,
      path: (req.url ?? '').split('?')[0]?.slice(0, 64),
      refusedTotal: this.refused,
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    if (!this.hostAllowed(req))
      return json(res, 403, { code: ErrorCode.NOT_AUTHORIZED, message: 'this server answers only on loopback' });
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const method = req.method ?? 'GET';
    const route = this.routes.get(`${method} ${url.pathname}`);
    if (route && method === 'POST' && !this.postAllowed(req)) {
      this.refuse('kiosk-key-http', req);
      return json(res, 401, {
        code: ErrorCode.NOT_AUTHORIZED,
        message: `send the kiosk secret in ${KIOSK_KEY_HEADER}`,
      });
    }
    if (route) return void (await route(req, res, url));
    if (url.pathname.startsWith('/api/'))
      return json(res, 404, { code: ErrorCode.NOT_FOUND, message: `no endpoint ${method} ${url.pathname}` });
    if (method !== 'GET' && method !== 'HEAD')
      return json(res, 405, { code: ErrorCode.NOT_FOUND, message: 'method not allowed' });
    if (await serveStatic(this.options.uiDir, url.pathname, res, method === 'HEAD')) return;
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        `The touch UI is not built: no index.html in ${this.options.uiDir}. Run npm run build, or set localServer.uiDir.\n`,
      );
      return;
    }
    json(res, 404, { code: ErrorCode.NOT_FOUND, message: 'not found' });
  }

  /** A state-changing route: the kiosk secret in its header, and a browser Origin (if any) must be ours. */
  private postAllowed(req: IncomingMessage): boolean {
    const presented = req.headers[KIOSK_KEY_HEADER];
    return (
      this.originAllowed(req) &&
      sameSecret(typeof presented === 'string' ? presented : undefined, this.options.kiosk.secret)
    );
  }

  private onSocket(ws: WebSocket): void {
    const client: UiClient = {
      id: newId(),
      send: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
    };
    this.clients.set(ws, client);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => this.clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary)
        return client.send({
          type: 'reply',
          replyTo: '',
          ok: false,
          code: ErrorCode.BAD_JSON,
          message: 'binary frames are not part of the contract',
        });
      void this.onMessage(client, data.toString());
    });
    const { deviceId, profile, agentVersion, idleTimeoutS } = this.options;
    client.send({
      type: 'hello',
      deviceId,
      model: profile.model,
      profileVersion: profile.version,
      agentVersion,
      state: this.live.current,
      ...(idleTimeoutS !== undefined ? { idleTimeoutS } : {}),
    });
    for (const message of this.activity.greeting()) client.send(message);
    this.clientEvents.emit('client', client);
  }

  private async onMessage(client: UiClient, text: string): Promise<void> {
    const base = decode(uiRequestBase.loose(), text);
    if (!base.ok) {
      this.options.logger.warn('UI request refused', { code: base.code, reason: base.reason });
      return client.send({ type: 'reply', replyTo: replyIdOf(text), ok: false, code: base.code, message: base.reason });
    }
    const { id, type } = base.value;
    const entry = this.handlers.get(type);
    if (!entry)
      return client.send({
        type: 'reply',
        replyTo: id,
        ok: false,
        code: ErrorCode.NOT_FOUND,
        message: `no handler for ${type}`,
      });
    const parsed = entry.schema.safeParse(base.value);
    if (!parsed.success)
      return client.send({
        type: 'reply',
        replyTo: id,
        ok: false,
        code: ErrorCode.SCHEMA_INVALID,
        message: describeIssues(parsed.error),
      });
    try {
      const data: unknown = await (entry.handler as UiRequestHandler<unknown>)(parsed.data, client);
      client.send(
        data === undefined ? { type: 'reply', replyTo: id, ok: true } : { type: 'reply', replyTo: id, ok: true, data },
      );
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      client.send({
        type: 'reply',
        replyTo: id,
        ok: false,
        code: typeof code === 'string' ? code.slice(0, 32) : ErrorCode.INTERNAL,
        message: ((err as Error).message ?? 'failed').slice(0, 512),
      });
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function replyIdOf(text: string): string {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' ? id.slice(0, 64) : '';
  } catch {
    return '';
  }
}
