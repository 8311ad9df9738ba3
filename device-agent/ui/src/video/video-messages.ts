import type { IceServerConfig, PeerSignal } from '@touchpoint/protocol';

/**
 * The agent's `video.*` pushes as the overlay uses them. The app client hands
 * extension messages over as text (`{ type: 'other', original }`); they are
 * checked structurally here (zod would cost more than the UI), and anything
 * malformed is refused and logged, never half-applied.
 */
export type VideoPush =
  | {
      type: 'video.ring';
      sessionId: string;
      staffName: string;
      shares: { microphone: boolean; camera: boolean };
      expiresAt: number;
      iceServers: IceServerConfig[];
    }
  | { type: 'video.signal'; sessionId: string; signal: PeerSignal }
  | { type: 'video.handoff'; sessionId: string; url: string; expiresAt?: number }
  | { type: 'video.ended'; sessionId: string; endedBy: 'device' | 'staff' | 'phone' | 'timeout'; reason?: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isSignal(v: unknown): v is PeerSignal {
  if (!isObj(v)) return false;
  switch (v.kind) {
    case 'offer':
    case 'answer':
      return isStr(v.sdp);
    case 'ice':
      return (
        isStr(v.candidate) &&
        (v.sdpMid === null || isStr(v.sdpMid)) &&
        (v.sdpMLineIndex === null || isNum(v.sdpMLineIndex))
      );
    default:
      return false;
  }
}

/** A `video.*` push, or undefined for other extensions' messages and malformed ones (logged). */
export function parseVideoPush(text: string): VideoPush | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(v) || !isStr(v.type) || !v.type.startsWith('video.')) return undefined;
  const ok = (() => {
    if (!isStr(v.sessionId)) return false;
    switch (v.type) {
      case 'video.ring':
        return (
          isStr(v.staffName) &&
          isObj(v.shares) &&
          typeof v.shares.camera === 'boolean' &&
          typeof v.shares.microphone === 'boolean' &&
          isNum(v.expiresAt) &&
          Array.isArray(v.iceServers)
        );
      case 'video.signal':
        return isSignal(v.signal);
      case 'video.handoff':
        return isStr(v.url);
      case 'video.ended':
        return v.endedBy === 'device' || v.endedBy === 'staff' || v.endedBy === 'phone' || v.endedBy === 'timeout';
      default:
        return false;
    }
  })();
  if (!ok) {
    console.warn(`touch UI: malformed ${v.type} message (SCHEMA_INVALID)`);
    return undefined;
  }
  return v as VideoPush;
}
