import { videoSessionView, videoStreamEvent, type PeerSignal, type VideoStreamEvent } from '@touchpoint/protocol';
import { z } from 'zod';
import { api } from '../data/api.js';

const sessionResponse = z.object({ session: videoSessionView });
const accepted = z.object({ ok: z.literal(true) });

/** The console's video calls API (broker/src/video): thin typed calls, CSRF and errors handled by `api`. */
export const videoApi = {
  start: (deviceId: string, caseId?: string) =>
    api('POST', '/api/video/sessions', sessionResponse, { body: { deviceId, ...(caseId ? { caseId } : {}) } }).then(
      (r) => r.session,
    ),
  signal: (sessionId: string, signal: PeerSignal) =>
    api('POST', `/api/video/sessions/${encodeURIComponent(sessionId)}/signal`, accepted, { body: signal }),
  /** Shows the customer a fresh phone code on the device (a device without a camera, issue 16). */
  offerPhone: (sessionId: string) =>
    api('POST', `/api/video/sessions/${encodeURIComponent(sessionId)}/handoff`, sessionResponse, { body: {} }).then(
      (r) => r.session,
    ),
  hangup: (sessionId: string) =>
    api('POST', `/api/video/sessions/${encodeURIComponent(sessionId)}/hangup`, sessionResponse, { body: {} }).then(
      (r) => r.session,
    ),
};

/**
 * The call's own event stream: state changes and the customer side's
 * signalling, only for the staff member the call is bound to. EventSource
 * resumes with Last-Event-ID after a drop; malformed events are refused.
 */
export function openVideoEvents(
  sessionId: string,
  onEvent: (e: VideoStreamEvent) => void,
  onDrop: () => void,
): () => void {
  const source = new EventSource(`/api/video/sessions/${encodeURIComponent(sessionId)}/events`);
  source.onmessage = (m: MessageEvent<string>) => {
    let value: unknown;
    try {
      value = JSON.parse(m.data);
    } catch {
      value = undefined;
    }
    const parsed = videoStreamEvent.safeParse(value);
    if (parsed.success) onEvent(parsed.data);
    else console.warn('console: malformed video event (SCHEMA_INVALID)');
  };
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) onDrop();
  };
  return () => source.close();
}
