// Types only, through the package entry: the touch UI bundles this module and must not pull in zod.
import type { IceServerConfig, PeerSignal } from '@touchpoint/protocol';
import { iceTransportPolicyFor } from './transport-policy.js';

/** What a peer connection reports to its call: ICE progress mapped onto the call states both sides show. */
export type PeerState = 'connecting' | 'connected' | 'reconnecting';

export interface PeerSessionOptions {
  /** The offerer (the console) creates offers and restarts ICE; the answerer (device, phone) answers every offer. */
  role: 'offerer' | 'answerer';
  iceServers: readonly IceServerConfig[];
  /** Our microphone/camera; absent when we only receive. */
  localStream?: MediaStream | undefined;
  /** Media the offerer wants to receive even if it sends none of that kind. */
  receive?: { audio: boolean; video: boolean } | undefined;
  /** Hands a local offer, answer or ICE candidate to the signalling channel. */
  send(signal: PeerSignal): void;
  onState?(state: PeerState): void;
  onRemoteStream?(stream: MediaStream): void;
  /** Logged, never thrown: a failed negotiation step (bad SDP, closed connection). */
  onError?(error: Error): void;
  /** How long `disconnected` may last before the offerer restarts ICE. */
  restartAfterMs?: number | undefined;
}

/**
 * One WebRTC peer connection and its negotiation, shared by the console, the
 * touch UI and the phone page (DOM only, no framework).
 *
 * - Remote ICE candidates are queued until the remote description is set;
 *   candidates can overtake the offer or answer on the signalling path.
 * - Remote signals are applied strictly in order through one promise chain.
 * - The offerer restarts ICE when the connection fails, or stays
 *   disconnected for `restartAfterMs`; the answerer just answers the new offer.
 */
export class PeerSession {
  readonly peer: RTCPeerConnection;
  private pending: RTCIceCandidateInit[] = [];
  private chain: Promise<void> = Promise.resolve();
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private state: PeerState | undefined;
  private remote: MediaStream | undefined;

  constructor(private readonly o: PeerSessionOptions) {
    // Relay only when TURN is configured: the peers never see each other's addresses.
    this.peer = new RTCPeerConnection({
      iceServers: o.iceServers.map((s) => ({ ...s })),
      iceTransportPolicy: iceTransportPolicyFor(o.iceServers),
    });
    const local = o.localStream;
    if (local) for (const track of local.getTracks()) this.peer.addTrack(track, local);
    if (o.role === 'offerer') {
      for (const kind of ['audio', 'video'] as const) {
        const sending = local?.getTracks().some((t) => t.kind === kind) ?? false;
        if (o.receive?.[kind] && !sending) this.peer.addTransceiver(kind, { direction: 'recvonly' });
      }
    }
    this.peer.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate) return;
      o.send({
        kind: 'ice',
        candidate: e.candidate.candidate,
        sdpMid: e.candidate.sdpMid,
        sdpMLineIndex: e.candidate.sdpMLineIndex,
      });
    };
    this.peer.ontrack = (e) => {
      const stream = e.streams[0] ?? (this.remote ??= new MediaStream());
      if (!e.streams[0]) stream.addTrack(e.track);
      this.remote = stream;
      o.onRemoteStream?.(stream);
    };
    this.peer.oniceconnectionstatechange = () => this.onIceState();
  }

  /** The offerer's first offer. */
  start(): Promise<void> {
    return this.enqueue(() => this.offer(false));
  }

  /** Applies a remote offer, answer or candidate, in arrival order. */
  handle(signal: PeerSignal): Promise<void> {
    return this.enqueue(async () => {
      switch (signal.kind) {
        case 'offer': {
          await this.peer.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
          await this.flushCandidates();
          const answer = await this.peer.createAnswer();
          await this.peer.setLocalDescription(answer);
          this.o.send({ kind: 'answer', sdp: answer.sdp ?? '' });
          break;
        }
        case 'answer':
          await this.peer.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
          await this.flushCandidates();
          break;
        case 'ice': {
          const candidate = { candidate: signal.candidate, sdpMid: signal.sdpMid, sdpMLineIndex: signal.sdpMLineIndex };
          if (this.peer.remoteDescription) await this.peer.addIceCandidate(candidate);
          else this.pending.push(candidate);
          break;
        }
      }
    });
  }

  /** Restarts ICE now (offerer only): a new offer with fresh ICE credentials. */
  restartIce(): Promise<void> {
    if (this.o.role !== 'offerer') return Promise.resolve();
    return this.enqueue(() => this.offer(true));
  }

  /** Inbound video as getStats reports it; zeros before any frame arrived. */
  async receivedVideo(): Promise<{ framesDecoded: number; bytesReceived: number }> {
    const report = await this.peer.getStats();
    let framesDecoded = 0;
    let bytesReceived = 0;
    report.forEach((s: { type?: string; kind?: string; framesDecoded?: number; bytesReceived?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        framesDecoded += s.framesDecoded ?? 0;
        bytesReceived += s.bytesReceived ?? 0;
      }
    });
    return { framesDecoded, bytesReceived };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.peer.onicecandidate = null;
    this.peer.ontrack = null;
    this.peer.oniceconnectionstatechange = null;
    this.peer.close();
  }

  private async offer(iceRestart: boolean): Promise<void> {
    const offer = await this.peer.createOffer(iceRestart ? { iceRestart: true } : {});
    await this.peer.setLocalDescription(offer);
    this.o.send({ kind: 'offer', sdp: offer.sdp ?? '', ...(iceRestart ? { iceRestart: true } : {}) });
  }

  private async flushCandidates(): Promise<void> {
    const queued = this.pending;
    this.pending = [];
    for (const candidate of queued) await this.peer.addIceCandidate(candidate);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await step();
      } catch (err) {
        this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    });
    this.chain = run;
    return run;
  }

  private setState(state: PeerState): void {
    if (state === this.state) return;
    this.state = state;
    this.o.onState?.(state);
  }

  private onIceState(): void {
    switch (this.peer.iceConnectionState) {
      case 'new':
      case 'checking':
        if (this.state === undefined) this.setState('connecting');
        break;
      case 'connected':
      case 'completed':
        if (this.restartTimer) clearTimeout(this.restartTimer);
        this.restartTimer = undefined;
        this.setState('connected');
        break;
      case 'disconnected':
        this.setState('reconnecting');
        if (this.o.role === 'offerer' && !this.restartTimer) {
          this.restartTimer = setTimeout(() => {
            this.restartTimer = undefined;
            if (this.peer.iceConnectionState === 'disconnected') void this.restartIce();
          }, this.o.restartAfterMs ?? 3_000);
        }
        break;
      case 'failed':
        this.setState('reconnecting');
        void this.restartIce();
        break;
      case 'closed':
        break;
    }
  }
}

/** Microphone and, if asked and present, camera; falls back to audio only when the camera cannot be opened. */
export async function openLocalMedia(want: { audio: boolean; video: boolean }): Promise<MediaStream> {
  if (want.video) {
    try {
      return await navigator.mediaDevices.getUserMedia({
        audio: want.audio,
        video: { width: { ideal: 640 }, height: { ideal: 480 } },
      });
    } catch {
      // no camera or permission refused: carry on with the microphone
    }
  }
  return navigator.mediaDevices.getUserMedia({ audio: want.audio, video: false });
}
