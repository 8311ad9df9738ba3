import { chmodSync, chownSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { ErrorCode } from '@touchpoint/protocol';
import {
  SIGNER_MAX_LINE_BYTES,
  signerRequest,
  type SignerRequest,
  type SignerResponse,
} from '@touchpoint/protocol/signing';
import { describeIssues, TouchpointError } from '@touchpoint/protocol';
import type { Counters } from '../counters.js';
import type { Logger } from '../logger.js';
import type { SignerPolicy } from './policy.js';
import type { CommandSigner } from './signer.js';

export interface SignerServerOptions {
  socketPath: string;
  /**
   * Numeric group id that may also connect (mode 0660): the broker's group when it runs as another user
   * than the signer, so the broker's account can ask for signatures but never read the key files.
   */
  socketGroup?: number | undefined;
  signer: CommandSigner;
  policy: SignerPolicy;
  counters: Counters;
  log: Logger;
}

export interface RunningSignerServer {
  socketPath: string;
  close(): Promise<void>;
}

/**
 * `touchpoint signer`: the command key behind a unix socket (mode 0600, or
 * 0660 for one named group: only the signer's account and the broker's can
 * connect), one JSON request per line. Every
 * request is validated with the protocol's zod schema; a bad line gets an
 * error answer, is counted and logged, and never ends the process.
 */
export async function startSignerServer(o: SignerServerOptions): Promise<RunningSignerServer> {
  removeStaleSocket(o.socketPath);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', (err) => o.log.debug('signer client error', { reason: err.message }));
    serve(socket, o);
  });
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.socketPath, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  if (o.socketGroup !== undefined) {
    chownSync(o.socketPath, -1, o.socketGroup);
    chmodSync(o.socketPath, 0o660);
  } else {
    chmodSync(o.socketPath, 0o600);
  }
  o.log.info('signer listening', {
    socket: o.socketPath,
    group: o.socketGroup,
    actions: [...o.policy.options.allowActions],
    perMinute: o.policy.options.perMinute,
    perDevicePerMinute: o.policy.options.perDevicePerMinute,
  });
  return {
    socketPath: o.socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A socket file left by a previous run would make listen() fail with EADDRINUSE. Only ever remove a socket. */
function removeStaleSocket(path: string): void {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket())
    throw new TouchpointError(ErrorCode.CONFLICT, `${path} exists and is not a socket; choose another --socket path`);
  unlinkSync(path);
}

function serve(socket: Socket, o: SignerServerOptions): void {
  let buffered = '';
  // One request at a time per connection, answered in order.
  let chain = Promise.resolve();
  socket.setEncoding('utf8');
  let refusing = false;
  socket.on('data', (chunk: string) => {
    if (refusing) return;
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim() === '') continue;
      chain = chain.then(async () => {
        const response = await answer(line, o);
        if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
      });
    }
    if (buffered.length > SIGNER_MAX_LINE_BYTES) {
      o.counters.inc('signer.bad_request');
      o.log.warn('signer request too long; closing the connection', { code: ErrorCode.PAYLOAD_TOO_LARGE });
      buffered = '';
      refusing = true;
      void chain.then(() =>
        socket.end(
          `${JSON.stringify({ ok: false, code: ErrorCode.PAYLOAD_TOO_LARGE, reason: `a request line may be at most ${SIGNER_MAX_LINE_BYTES} bytes` })}\n`,
        ),
      );
    }
  });
}

async function answer(line: string, o: SignerServerOptions): Promise<SignerResponse> {
  if (line.length > SIGNER_MAX_LINE_BYTES) {
    o.counters.inc('signer.bad_request');
    return {
      ok: false,
      code: ErrorCode.PAYLOAD_TOO_LARGE,
      reason: `a request line may be at most ${SIGNER_MAX_LINE_BYTES} bytes`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    o.counters.inc('signer.bad_request');
    return {
      ok: false,
      code: ErrorCode.BAD_JSON,
      reason: `request is not JSON: ${(err as Error).message}`.slice(0, 512),
    };
  }
  const parsed = signerRequest.safeParse(value);
  if (!parsed.success) {
    o.counters.inc('signer.bad_request');
    o.log.warn('signer request refused: invalid', {
      code: ErrorCode.SCHEMA_INVALID,
      reason: describeIssues(parsed.error),
    });
    const rid =
      typeof (value as { rid?: unknown })?.rid === 'string'
        ? (value as { rid: string }).rid.slice(0, 64) || undefined
        : undefined;
    return {
      ...(rid ? { rid } : {}),
      ok: false,
      code: ErrorCode.SCHEMA_INVALID,
      reason: describeIssues(parsed.error).slice(0, 512),
    };
  }
  try {
    return await handle(parsed.data, o);
  } catch (err) {
    o.counters.inc('signer.error');
    const code = err instanceof TouchpointError ? err.code : ErrorCode.INTERNAL;
    o.log.error('signer request failed', { code, reason: (err as Error).message });
    return { rid: parsed.data.rid, ok: false, code, reason: (err as Error).message.slice(0, 512) };
  }
}

async function handle(request: SignerRequest, o: SignerServerOptions): Promise<SignerResponse> {
  if (request.op === 'keys') {
    const keys = await o.signer.keys();
    return { rid: request.rid, ok: true, op: 'keys', keyList: keys.keyList, current: keys.current, roots: keys.roots };
  }
  const { command } = request;
  const refused = o.policy.check(command);
  if (refused) {
    o.counters.inc(refused.code === ErrorCode.RATE_LIMITED ? 'signer.rate_limited' : 'signer.refused');
    // The signer's own audit trail: what it refused and why (no key material, no params).
    o.log.warn('signature refused', {
      code: refused.code,
      reason: refused.reason,
      commandId: command.id,
      deviceId: command.deviceId,
      action: command.action,
      issuedBy: command.issuedBy,
    });
    return { rid: request.rid, ok: false, code: refused.code, reason: refused.reason };
  }
  const signed = await o.signer.sign(command);
  o.counters.inc('signer.signed');
  o.log.info('command signed', {
    commandId: command.id,
    deviceId: command.deviceId,
    action: command.action,
    issuedBy: command.issuedBy,
    keyId: signed.envelope.keyId,
  });
  return { rid: request.rid, ok: true, op: 'sign', envelope: signed.envelope, keyListVersion: signed.keyListVersion };
}
