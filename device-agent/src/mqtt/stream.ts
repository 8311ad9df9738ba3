import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { IStream } from 'mqtt';

export interface BrokerEndpoint {
  protocol: 'mqtt' | 'mqtts';
  host: string;
  port: number;
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

/** Split mqtt(s)://host:port; IPv6 hosts come without their brackets. */
export function parseBrokerUrl(url: string): BrokerEndpoint {
  const parsed = new URL(url);
  const protocol = parsed.protocol === 'mqtts:' ? 'mqtts' : 'mqtt';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : protocol === 'mqtts' ? 8883 : 1883;
  return { protocol, host, port };
}

/**
 * Build the socket for MQTT.js ourselves: MQTT.js has no option for
 * TCP_NODELAY, and small QoS 1 publishes and PUBACKs otherwise wait on Nagle
 * plus delayed ACK (~40 ms a round trip). For mqtts the TLS socket wraps the
 * same TCP socket, so setting it on the TLS socket reaches the TCP layer.
 */
export function openBrokerStream(endpoint: BrokerEndpoint, tls?: TlsMaterial): IStream & Socket {
  if (endpoint.protocol === 'mqtts') {
    const servername = tls?.servername ?? (isIP(endpoint.host) === 0 ? endpoint.host : undefined);
    const socket = tlsConnect({
      host: endpoint.host,
      port: endpoint.port,
      ca: tls?.ca,
      cert: tls?.cert,
      key: tls?.key,
      servername,
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
    });
    socket.setNoDelay(true);
    return socket;
  }
  const socket = netConnect({ host: endpoint.host, port: endpoint.port });
  socket.setNoDelay(true);
  return socket;
}
