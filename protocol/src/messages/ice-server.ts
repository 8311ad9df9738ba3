import { z } from 'zod';

/** An RTCIceServer as both peers receive it from the broker: STUN, or TURN with short-lived credentials. */
export const iceServerConfig = z.object({
  urls: z.union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1).max(8)]),
  username: z.string().max(128).optional(),
  credential: z.string().max(256).optional(),
});
export type IceServerConfig = z.infer<typeof iceServerConfig>;
