/**
 * The peer address behind a connection stream aedes handles. Over WebSocket
 * aedes sees a stream, not the socket, so the transport records the address
 * here for the hooks (an anonymous integration is accepted from loopback only).
 */
const peers = new WeakMap<object, string>();

export function recordPeer(stream: object, address: string | undefined): void {
  if (address) peers.set(stream, address);
}

export function peerOf(stream: object | undefined | null): string | undefined {
  return stream ? peers.get(stream) : undefined;
}

export function isLoopback(address: string | undefined): boolean {
  return (
    address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'))
  );
}
