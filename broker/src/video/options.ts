import { createHmac } from 'node:crypto';
import type { IceServerConfig } from '@touchpoint/protocol';

/** How video calls run on this broker; every field has a default that works on a LAN. */
export interface VideoOptions {
  /** How long the device rings before the request times out ("no answer"). Default 60 s. */
  ringTimeoutMs?: number | undefined;
  /** How long a phone link stays valid. Default: the ring timeout, at least 60 s. */
  handoffTtlMs?: number | undefined;
  /** STUN servers (and TURN with static credentials) handed to both peers as they are. */
  iceServers?: IceServerConfig[] | undefined;
  /** TURN with short-lived credentials (coturn `use-auth-secret`), minted per session. */
  turn?: { urls: string[]; secret: string; ttlS?: number | undefined } | undefined;
  /**
   * The origin phones reach the broker at (what the QR code encodes), e.g. https://support.example.com.
   * The broker's own `publicUrl` wins over it. Without either, only a broker listening on loopback makes phone
   * links, on the loopback origin the console used (issue 12, Low).
   */
  publicUrl?: string | undefined;
}

export const DEFAULT_RING_TIMEOUT_MS = 60_000;

/**
 * Options from the environment, for `touchpoint broker` and the demo:
 * TP_VIDEO_RING_TIMEOUT_MS, TP_STUN_URLS (comma-separated), TP_TURN_URLS, TP_TURN_SECRET, TP_PUBLIC_URL.
 */
export function videoOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): VideoOptions {
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const ring = Number(env.TP_VIDEO_RING_TIMEOUT_MS);
  const stun = list(env.TP_STUN_URLS);
  const turnUrls = list(env.TP_TURN_URLS);
  return {
    ...(Number.isInteger(ring) && ring > 0 ? { ringTimeoutMs: ring } : {}),
    ...(stun.length > 0 ? { iceServers: [{ urls: stun }] } : {}),
    ...(turnUrls.length > 0 && env.TP_TURN_SECRET ? { turn: { urls: turnUrls, secret: env.TP_TURN_SECRET } } : {}),
    ...(env.TP_PUBLIC_URL ? { publicUrl: env.TP_PUBLIC_URL } : {}),
  };
}

/**
 * The ICE servers for one session. TURN credentials follow the TURN REST API
 * convention coturn implements: username `expiry:sessionId`, password
 * base64(HMAC-SHA1(secret, username)). They expire on their own, so a leaked
 * one is worthless after the call, and coturn needs no user database.
 */
export function iceServersFor(sessionId: string, options: VideoOptions, now: number): IceServerConfig[] {
  const servers = [...(options.iceServers ?? [])];
  if (options.turn) {
    const expiry = Math.floor(now / 1000) + (options.turn.ttlS ?? 3600);
    const username = `${expiry}:${sessionId}`;
    const credential = createHmac('sha1', options.turn.secret).update(username).digest('base64');
    servers.push({ urls: options.turn.urls, username, credential });
  }
  return servers;
}
