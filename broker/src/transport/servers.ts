import type { Aedes } from 'aedes';
import { readFileSync } from 'node:fs';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Counters } from '../counters.js';
import type { Logger } from '../logger.js';
import type { BrokerLimits, TlsFiles } from '../options.js';
import { guardStream, type GuardViolation } from './packet-guard.js';
import { checkUpgrade, type WebSocketPolicy } from './websocket-policy.js';
import { recordPeer } from './peer.js';

export interface TransportDeps {
  aedes: Aedes;
  limits: BrokerLimits;
  counters: Counters;
  log: Logger;
}

function onViolation(deps: TransportDeps, remote: string | undefined) {
  return (violation: GuardViolation) => {
    deps.counters.inc(`rejected.${violation}`);
    deps.log.warn('connection closed by packet guard', {
      remote,
      code: violation === 'PACKET_TOO_LARGE' ? 'PACKET_TOO_LARGE' : 'SCHEMA_INVALID',
      reason: violation,
    });
  };
}

function handleSocket(deps: TransportDeps, socket: Socket): void {
  // Nagle's algorithm adds ~20 ms to every command round trip on loopback; small MQTT packets should leave at once.
  socket.setNoDelay(true);
  const remote = socket.remoteAddress;
  guardStream(socket, deps.limits, onViolation(deps, remote));
  recordPeer(socket, remote);
  deps.aedes.handle(socket);
}

export function createTcpServer(deps: TransportDeps): Server {
  return createNetServer((socket) => handleSocket(deps, socket));
}

export function createMqttsServer(deps: TransportDeps, tls: TlsFiles): Server {
  return createTlsServer(
    { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath), minVersion: 'TLSv1.2' },
    (socket) => handleSocket(deps, socket),
  );
}

/** MQTT over WebSocket on the console's HTTP server, at `/mqtt` (ws + createWebSocketStream, not the unmaintained websocket-stream). */
export function attachWebSocket(deps: TransportDeps, http: HttpServer, policy: WebSocketPolicy): WebSocketServer {
  const wss = new WebSocketServer({
    server: http,
    path: '/mqtt',
    maxPayload: deps.limits.maxPacketBytes + 8,
    verifyClient: ({ req }: { req: IncomingMessage }) => {
      const verdict = checkUpgrade(req, policy);
      if (verdict.ok) return true;
      deps.counters.inc(`ws.refused.${verdict.reason.toLowerCase()}`);
      deps.log.warn('WebSocket upgrade refused', {
        remote: req.socket.remoteAddress,
        code: 'NOT_AUTHORIZED',
        reason: `${verdict.reason === 'HOST' ? 'Host' : 'Origin'} not allowed`,
      });
      return false;
    },
  });
  wss.on('connection', (ws, req) => {
    req.socket.setNoDelay(true);
    const stream = createWebSocketStream(ws);
    stream.on('error', () => undefined);
    guardStream(stream, deps.limits, onViolation(deps, req.socket.remoteAddress));
    recordPeer(stream, req.socket.remoteAddress);
    deps.aedes.handle(stream, req);
  });
  return wss;
}
