import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallState, PeerSignal } from '@touchpoint/protocol';
import { PeerSession, openLocalMedia } from '@touchpoint/protocol/webrtc';
import { parseVideoPush, type VideoPush } from './video-messages.js';

/** How the overlay reaches the agent: the app's client (requests with replies, pushed messages). */
export interface VideoAgentPort {
  request<T = unknown>(type: string, fields?: Record<string, unknown>): Promise<T>;
  onMessage(listener: (message: { type: string; original?: string }) => void): () => void;
}

export type Ring = Extract<VideoPush, { type: 'video.ring' }>;
export type Phase = 'idle' | CallState;

/**
 * The device's side of a call, kept out of the component: ringing, consent,
 * the peer connection (created only after Accept), local media, the phone
 * link, and the end of the call from either side. Signals that arrive before
 * the peer connection exists are held and applied in order once it does.
 */
export class VideoCallController implements ReactiveController {
  phase: Phase = 'idle';
  ring: Ring | undefined;
  handoffUrl: string | undefined;
  endedBy: 'device' | 'staff' | 'phone' | 'timeout' | undefined;
  error: string | undefined;
  remoteStream: MediaStream | undefined;
  localStream: MediaStream | undefined;
  private peer: PeerSession | undefined;
  private early: PeerSignal[] = [];
  private off: (() => void) | undefined;
  private clearTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly port: () => VideoAgentPort | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const port = this.port();
    if (!port) return;
    this.off = port.onMessage((m) => {
      if (m.type !== 'other' || !m.original) return;
      const push = parseVideoPush(m.original);
      if (push) this.onPush(push);
    });
    // A UI that (re)loads while the device rings still shows the call.
    port
      .request<Ring | null>('video.current')
      .then((ring) => ring && this.phase === 'idle' && this.onPush(ring))
      .catch(() => undefined);
  }

  hostDisconnected(): void {
    this.off?.();
    this.teardown();
  }

  get cameraShared(): boolean {
    return Boolean(this.ring?.shares.camera);
  }

  async accept(): Promise<void> {
    const ring = this.ring;
    const port = this.port();
    if (!ring || !port || this.phase !== 'ringing') return;
    this.set('connecting');
    try {
      await port.request('video.consent', { sessionId: ring.sessionId, decision: 'accepted' });
      this.localStream = await openLocalMedia({ audio: ring.shares.microphone, video: ring.shares.camera }).catch(
        () => undefined,
      );
      if (this.ring !== ring) return this.stopMedia();
      const send = (signal: PeerSignal) =>
        void port.request('video.signal', { sessionId: ring.sessionId, signal }).catch(() => undefined);
      this.peer = new PeerSession({
        role: 'answerer',
        iceServers: ring.iceServers,
        localStream: this.localStream,
        send,
        onRemoteStream: (stream) => {
          this.remoteStream = stream;
          this.host.requestUpdate();
        },
        onState: (state) => {
          if (this.ring !== ring) return;
          this.set(state);
          if (state !== 'connecting')
            void port.request('video.status', { sessionId: ring.sessionId, status: state }).catch(() => undefined);
        },
        onError: (err) => console.warn('touch UI: WebRTC step failed', err.message),
      });
      for (const signal of this.early.splice(0)) void this.peer.handle(signal);
      this.host.requestUpdate();
    } catch (err) {
      this.error = (err as Error).message;
      this.end('device');
    }
  }

  async decline(): Promise<void> {
    const ring = this.ring;
    if (!ring || this.phase !== 'ringing') return;
    await this.port()
      ?.request('video.consent', { sessionId: ring.sessionId, decision: 'declined' })
      .catch(() => undefined);
    this.end('device');
  }

  async hangup(): Promise<void> {
    const ring = this.ring;
    if (!ring) return;
    this.end('device');
    await this.port()
      ?.request('video.hangup', { sessionId: ring.sessionId })
      .catch(() => undefined);
  }

  /** Asks for a fresh phone link (the current one was used or expired). */
  async newPhoneLink(): Promise<void> {
    const ring = this.ring;
    if (ring)
      await this.port()
        ?.request('video.handoff', { sessionId: ring.sessionId })
        .catch(() => undefined);
  }

  private onPush(push: VideoPush): void {
    if (push.type === 'video.ring') {
      if (this.ring && this.phase !== 'ended') return;
      this.teardown();
      this.ring = push;
      this.handoffUrl = undefined;
      this.endedBy = undefined;
      this.error = undefined;
      return this.set('ringing');
    }
    if (!this.ring || push.sessionId !== this.ring.sessionId) return;
    switch (push.type) {
      case 'video.signal':
        if (this.peer) void this.peer.handle(push.signal);
        else if (this.phase === 'connecting') this.early.push(push.signal);
        return;
      case 'video.handoff':
        this.handoffUrl = push.url;
        return this.host.requestUpdate();
      case 'video.ended':
        return this.end(push.endedBy);
    }
  }

  private end(by: 'device' | 'staff' | 'phone' | 'timeout'): void {
    this.closePeer();
    this.endedBy = by;
    this.set('ended');
    if (this.clearTimer) clearTimeout(this.clearTimer);
    // The "call ended" note stays a moment, then the overlay goes away.
    this.clearTimer = setTimeout(() => {
      if (this.phase !== 'ended') return;
      this.ring = undefined;
      this.set('idle');
    }, 4_000);
  }

  private closePeer(): void {
    this.peer?.close();
    this.peer = undefined;
    this.early = [];
    this.remoteStream = undefined;
    this.stopMedia();
  }

  private stopMedia(): void {
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.localStream = undefined;
  }

  private teardown(): void {
    this.closePeer();
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = undefined;
  }

  private set(phase: Phase): void {
    this.phase = phase;
    this.host.requestUpdate();
  }
}
