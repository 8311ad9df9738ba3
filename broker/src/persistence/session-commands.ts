import type { Readable } from 'node:stream';
import { parseTopic } from '@touchpoint/protocol';

/** The part of an aedes persistence this module reads. */
export interface OutgoingSessions {
  outgoingStream(client: { id: string }): Readable;
}

/**
 * Ids of the commands that the embedded broker still holds for a device in its
 * MQTT session (queued while it was offline, or sent and not yet acknowledged):
 * aedes delivers those itself when the device reconnects. The birth's resync
 * (fleet/online-resync.ts) leaves them out, so a device on a kept session does
 * not get each of them twice. Only a saving: without a session, or on an
 * engine that lost it, the resync sends them (issue 15).
 */
export async function commandsHeldInSession(persistence: OutgoingSessions, deviceId: string): Promise<Set<string>> {
  const held = new Set<string>();
  for await (const packet of persistence.outgoingStream({ id: deviceId }) as AsyncIterable<{
    topic?: unknown;
    payload?: unknown;
  }>) {
    if (typeof packet.topic !== 'string' || parseTopic(packet.topic)?.kind !== 'command') continue;
    try {
      const payload =
        packet.payload instanceof Uint8Array ? Buffer.from(packet.payload).toString() : String(packet.payload);
      const id = (JSON.parse(payload) as { id?: unknown }).id;
      if (typeof id === 'string') held.add(id);
    } catch {
      // Not an envelope the fleet wrote; the device refuses it on its own.
    }
  }
  return held;
}
