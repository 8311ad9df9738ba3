import { connect, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ErrorCode, describeIssues, TouchpointError } from '@touchpoint/protocol';
import {
  SIGNER_MAX_LINE_BYTES,
  signerResponse,
  type SignerRequest,
  type SignerResponse,
  type SignRequestCommand,
} from '@touchpoint/protocol/signing';
import type { Logger } from '../logger.js';
import type { CommandSigner, SignedCommand, SignerKeys } from './signer.js';

type Pending = { resolve: (r: SignerResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

const unavailable = (socketPath: string, why: string) =>
  new TouchpointError(ErrorCode.SIGNER_UNAVAILABLE, `the signer at ${socketPath} ${why}`);

/**
 * The broker's side of `touchpoint signer`: asks over the unix socket,
 * correlates answers by request id, times out, and dials again on the next
 * request after the signer restarted. Answers are validated like any other
 * message that crosses a process boundary.
 */
export class RemoteSigner implements CommandSigner {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending = new Map<string, Pending>();
  private buffered = '';
  private closed = false;

  constructor(
    private readonly socketPath: string,
    private readonly log: Logger,
    private readonly timeoutMs = 5_000,
  ) {}

  /** Connect and fetch the keys once, so a broker pointed at a missing signer fails at start with a clear error. */
  static async connect(socketPath: string, log: Logger, timeoutMs?: number): Promise<RemoteSigner> {
    const signer = new RemoteSigner(socketPath, log, timeoutMs);
    await signer.keys();
    return signer;
  }

  async sign(command: SignRequestCommand): Promise<SignedCommand> {
    const response = await this.request({ op: 'sign', rid: randomUUID(), command });
    if (!response.ok) throw new TouchpointError(asCode(response.code), `the signer refused: ${response.reason}`);
    if (response.op !== 'sign') throw unavailable(this.socketPath, 'answered a sign request with something else');
    return { envelope: response.envelope, keyListVersion: response.keyListVersion };
  }

  async keys(): Promise<SignerKeys> {
    const response = await this.request({ op: 'keys', rid: randomUUID() });
    if (!response.ok) throw new TouchpointError(asCode(response.code), `the signer refused: ${response.reason}`);
    if (response.op !== 'keys') throw unavailable(this.socketPath, 'answered a keys request with something else');
    return { keyList: response.keyList, current: response.current, roots: response.roots };
  }

  close(): Promise<void> {
    this.closed = true;
    this.socket?.destroy();
    this.failAll(unavailable(this.socketPath, 'client was closed'));
    return Promise.resolve();
  }

  private async request(request: SignerRequest): Promise<SignerResponse> {
    if (this.closed) throw unavailable(this.socketPath, 'client was closed');
    const socket = await this.ensureSocket();
    return new Promise<SignerResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request.rid);
        reject(unavailable(this.socketPath, `did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(request.rid, { resolve, reject, timer });
      socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  private ensureSocket(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = connect(this.socketPath);
      socket.setEncoding('utf8');
      socket.once('connect', () => {
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
      });
      socket.on('error', (err) => {
        this.connecting = undefined;
        this.log.warn('signer connection failed', { code: ErrorCode.SIGNER_UNAVAILABLE, reason: err.message });
        reject(unavailable(this.socketPath, `cannot be reached: ${err.message}`));
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        this.buffered = '';
        this.failAll(unavailable(this.socketPath, 'closed the connection'));
      });
      socket.on('data', (chunk: string) => this.receive(chunk));
    });
    return this.connecting;
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      this.answer(line);
    }
    if (this.buffered.length > SIGNER_MAX_LINE_BYTES) {
      this.log.error('signer answer too long; dropping the connection', { code: ErrorCode.PAYLOAD_TOO_LARGE });
      this.socket?.destroy();
    }
  }

  private answer(line: string): void {
    let parsed;
    try {
      parsed = signerResponse.safeParse(JSON.parse(line));
    } catch (err) {
      this.log.error('signer answer is not JSON', { code: ErrorCode.BAD_JSON, reason: (err as Error).message });
      return;
    }
    if (!parsed.success) {
      this.log.error('signer answer is invalid', {
        code: ErrorCode.SCHEMA_INVALID,
        reason: describeIssues(parsed.error),
      });
      return;
    }
    const rid = parsed.data.rid;
    const waiting = rid === undefined ? undefined : this.pending.get(rid);
    if (!waiting || rid === undefined) {
      this.log.warn('signer answer for no pending request', {
        code: ErrorCode.SCHEMA_INVALID,
        ...(rid ? { rid } : {}),
      });
      return;
    }
    this.pending.delete(rid);
    clearTimeout(waiting.timer);
    waiting.resolve(parsed.data);
  }

  private failAll(err: Error): void {
    for (const [rid, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(rid);
    }
  }
}

const KNOWN = new Set<string>(Object.values(ErrorCode));
function asCode(code: string): ErrorCode {
  return KNOWN.has(code) ? (code as ErrorCode) : ErrorCode.SIGNER_REFUSED;
}
