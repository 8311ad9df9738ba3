import { createServer, type Server, type Socket } from 'node:net';
import { wallNow } from '../clock.js';
import type { Sample } from './loadgen-protocol.js';
import { PacketScanner, publishPacketId, encodePuback } from './mqtt-wire.js';

/**
 * The cheapest possible broker: it answers each client packet with the least MQTT 3.1.1 asks for
 * (CONNACK accepted, SUBACK granting the requested QoS, PUBACK for a QoS 1 PUBLISH, PINGRESP) and
 * counts PUBLISH packets without decoding them. What the load generators push into it is their own
 * ceiling: a broker measured near it was paced by the generators, not by its own limit (issue 13,
 * the quick run's mosquitto figures).
 */
const CONNACK_OK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const PINGRESP = Buffer.from([0xd0, 0x00]);
const Type = { CONNECT: 1, PUBLISH: 3, SUBSCRIBE: 8, PINGREQ: 12, DISCONNECT: 14 } as const;

export interface AckSink {
  port: number;
  sample(): Sample;
  close(): Promise<void>;
}

function answer(socket: Socket, scanner: PacketScanner, chunk: Buffer, count: () => void): void {
  const out: Buffer[] = [];
  scanner.push(chunk, (type, flags, body) => {
    switch (type) {
      case Type.PUBLISH:
        count();
        if ((flags & 0x06) !== 0) out.push(encodePuback(publishPacketId(body)));
        break;
      case Type.CONNECT:
        out.push(CONNACK_OK);
        break;
      case Type.SUBSCRIBE: {
        // Packet id, then (topic length, topic, requested QoS) entries [MQTT-3.8.3]; each is granted as asked.
        const granted: number[] = [];
        for (let o = 2; o + 2 <= body.length;) {
          o += 2 + body.readUInt16BE(o);
          granted.push(body[o++]! & 0x03);
        }
        out.push(Buffer.from([0x90, 2 + granted.length, body[0]!, body[1]!, ...granted]));
        break;
      }
      case Type.PINGREQ:
        out.push(PINGRESP);
        break;
      case Type.DISCONNECT:
        socket.end();
        break;
    }
  });
  if (out.length) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
}

export async function startAckSink(): Promise<AckSink> {
  let published = 0;
  const count = () => void published++;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    const scanner = new PacketScanner();
    socket.on('data', (chunk: Buffer) => {
      try {
        answer(socket, scanner, chunk, count);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    sample: () => ({ count: published, at: wallNow() }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
