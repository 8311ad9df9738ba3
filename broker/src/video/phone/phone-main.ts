// The customer's phone: claims the single-use link, asks for consent, then answers the console's offer.
import type { CallState, PeerSignal, PhoneClaimResponse, VideoStreamEvent } from '@touchpoint/protocol';
import { PeerSession, openLocalMedia } from '@touchpoint/protocol/webrtc';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusText = $('status');

function show(state: CallState | 'refused' | 'consent' | 'declined', text: string): void {
  document.body.dataset.callState = state;
  statusText.textContent = text;
}

async function api<T>(path: string, body: unknown, key?: string): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  const data = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(data.error?.message ?? `HTTP ${res.status}`);
  return data;
}

/** Server-sent events over fetch, so the bearer key travels in a header and never in a URL. */
async function follow(
  path: string,
  key: string,
  onEvent: (e: VideoStreamEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) throw new Error(`event stream: HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data) onEvent(JSON.parse(data) as VideoStreamEvent);
    }
  }
}

async function main(): Promise<void> {
  const token = location.pathname.split('/').pop() ?? '';
  // The link is single-use: drop it from the address bar and history before anything else.
  history.replaceState(null, '', '/v/');
  let claim: PhoneClaimResponse;
  try {
    claim = await api<PhoneClaimResponse>('/api/video/phone/claim', { token });
  } catch (err) {
    show('refused', `This link cannot be used: ${(err as Error).message}. Ask for a new code on the device.`);
    return;
  }
  const base = `/api/video/phone/${claim.sessionId}`;
  let seq = 0;
  let peer: PeerSession | undefined;
  let local: MediaStream | undefined;
  let ended = false;
  const abort = new AbortController();

  const finish = (text: string) => {
    if (ended) return;
    ended = true;
    peer?.close();
    for (const t of local?.getTracks() ?? []) t.stop();
    abort.abort();
    $('call').hidden = true;
    $('controls').hidden = true;
    $('consent').hidden = true;
    show('ended', text);
  };
  const send = (signal: PeerSignal) =>
    void api(`${base}/signal`, { seq: seq++, signal }, claim.key).catch(() => undefined);

  const onEvent = (e: VideoStreamEvent) => {
    if (e.type === 'state') {
      if (e.session.status === 'ended')
        finish(e.session.outcome === 'timeout' ? 'The call request timed out.' : 'The call has ended.');
      return;
    }
    if (e.from !== 'staff' || !peer) return;
    void peer.handle(e.signal);
  };

  $('who').textContent = `${claim.staffName} from support would like to start a video call with you.`;
  $('consent').hidden = false;
  show('consent', 'Incoming video call');
  follow(`${base}/events`, claim.key, onEvent, abort.signal).then(
    // The server ends the stream of a phone it let go: a newer code was shown, or the customer accepted on the device.
    () => {
      if (ended) return;
      finish('');
      show('refused', 'This phone is no longer part of the call. To use a phone, ask for a new code on the device.');
    },
    () => {
      if (!ended) show('reconnecting', 'Connection to the server lost.');
    },
  );

  $('decline').onclick = () => {
    void api(`${base}/consent`, { decision: 'declined' }, claim.key).finally(() => finish('You declined the call.'));
  };
  $('end').onclick = () => {
    void api(`${base}/hangup`, {}, claim.key).finally(() => finish('You ended the call.'));
  };
  $('accept').onclick = async () => {
    $('consent').hidden = true;
    show('connecting', 'Connecting…');
    try {
      local = await openLocalMedia({ audio: true, video: true });
    } catch {
      local = undefined;
    }
    ($('local') as HTMLVideoElement).srcObject = local ?? null;
    peer = new PeerSession({
      role: 'answerer',
      iceServers: claim.iceServers,
      localStream: local,
      send,
      onRemoteStream: (stream) => {
        ($('remote') as HTMLVideoElement).srcObject = stream;
      },
      onState: (state) => {
        if (ended) return;
        show(state, state === 'connected' ? 'Connected' : state === 'reconnecting' ? 'Reconnecting…' : 'Connecting…');
        if (state !== 'connecting') void api(`${base}/status`, { status: state }, claim.key).catch(() => undefined);
      },
    });
    (window as unknown as { __tpPeer?: PeerSession }).__tpPeer = peer;
    $('call').hidden = false;
    $('controls').hidden = false;
    await api(`${base}/consent`, { decision: 'accepted' }, claim.key).catch((err: Error) =>
      finish(`The call could not start: ${err.message}`),
    );
  };
}

void main();
