// Types only, like peer-session.ts: the touch UI and the phone page bundle this module and must not pull in zod.
import type { IceServerConfig } from '@touchpoint/protocol';

/**
 * `relay` when the session's ICE servers include TURN, else `all` (issue 12,
 * Low). Every peer of a call gets the same servers from the broker, so the
 * console, the device and the phone all decide alike: with TURN configured,
 * media only ever flows through the relay, and no peer learns the other's
 * host or server-reflexive addresses (the customer's and the staff member's
 * networks stay private to each other). Without TURN, direct candidates are
 * the only way to connect on a LAN.
 */
export function iceTransportPolicyFor(servers: readonly IceServerConfig[]): RTCIceTransportPolicy {
  const urls = servers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return urls.some((u) => /^turns?:/i.test(u.trim())) ? 'relay' : 'all';
}
