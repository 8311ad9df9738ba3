import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallOutcome, CallParty, CallState, VideoSessionView, VideoStreamEvent } from '@touchpoint/protocol';
import { PeerSession, openLocalMedia } from '@touchpoint/protocol/webrtc';
import { openVideoEvents, videoApi } from './video-api.js';

export type ConsoleCallPhase = 'idle' | 'starting' | CallState;

/**
 * The staff member's side of a call: start, the call's event stream, the
 * peer connection (created only once the customer consented, and again when
 * the call moves to the phone), hang-up, and how it ended. The console offers;
 * the device or phone answers.
 */
export class VideoCallController implements ReactiveController {
  phase: ConsoleCallPhase = 'idle';
  session: VideoSessionView | undefined;
  outcome: CallOutcome | undefined;
  endedBy: CallParty | undefined;
  error: string | undefined;
  remoteStream: MediaStream | undefined;
  /** When staff last had a phone code shown on the device (offerPhone). */
  phoneOfferedAt: number | undefined;
  private peer: PeerSession | undefined;
  private peerFor: 'device' | 'phone' | undefined;
  private local: MediaStream | undefined;
  private closeEvents: (() => void) | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    if (this.session && this.phase !== 'ended') void videoApi.hangup(this.session.sessionId).catch(() => undefined);
    this.teardown();
  }

  /** Received video as getStats reports it (for the panel's diagnostics and tests). */
  stats(): Promise<{ framesDecoded: number; bytesReceived: number }> {
    return this.peer?.receivedVideo() ?? Promise.resolve({ framesDecoded: 0, bytesReceived: 0 });
  }

  async start(deviceId: string, caseId?: string): Promise<void> {
    if (this.phase !== 'idle' && this.phase !== 'ended') return;
    this.teardown();
    this.outcome = undefined;
    this.endedBy = undefined;
    this.error = undefined;
    this.phoneOfferedAt = undefined;
    this.set('starting');
    try {
      const session = await videoApi.start(deviceId, caseId);
      this.session = session;
      this.closeEvents = openVideoEvents(
        session.sessionId,
        (e) => this.onEvent(e),
        () => {
          if (this.phase !== 'ended') this.set('reconnecting');
        },
      );
      this.apply(session);
    } catch (err) {
      this.error = (err as Error).message;
      this.set('idle');
    }
  }

  /** A device without a camera: the customer gets a phone code on their screen to move the call there. */
  async offerPhone(): Promise<void> {
    const session = this.session;
    if (!session || this.phase === 'ended' || this.phase === 'idle') return;
    this.error = undefined;
    try {
      this.apply(await videoApi.offerPhone(session.sessionId));
      this.phoneOfferedAt = Date.now();
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.host.requestUpdate();
  }

  async hangup(): Promise<void> {
    const session = this.session;
    if (!session || this.phase === 'ended' || this.phase === 'idle') return;
    try {
      this.apply(await videoApi.hangup(session.sessionId));
    } catch (err) {
      this.error = (err as Error).message;
      this.host.requestUpdate();
    }
  }

  private onEvent(e: VideoStreamEvent): void {
    if (e.type === 'state') return this.apply(e.session);
    if (e.from === 'staff' || e.from !== this.peerFor) return;
    void this.peer?.handle(e.signal);
  }

  private apply(session: VideoSessionView): void {
    if (this.session && session.sessionId !== this.session.sessionId) return;
    this.session = session;
    switch (session.status) {
      case 'ringing':
        if (this.phase === 'starting' || this.phase === 'idle') this.set('ringing');
        return;
      case 'accepted':
      case 'connected':
        if (session.peer && session.peer !== this.peerFor) void this.connect(session, session.peer);
        else if (session.status === 'connected' && this.phase === 'connecting') this.host.requestUpdate();
        return;
      case 'ended':
        this.outcome = session.outcome ?? undefined;
        this.endedBy = session.endedBy ?? undefined;
        this.teardown(false);
        this.set('ended');
        return;
    }
  }

  /** Consent arrived (or the call moved to the phone): a fresh peer connection and a new offer. */
  private async connect(session: VideoSessionView, peerFor: 'device' | 'phone'): Promise<void> {
    this.closePeer();
    this.peerFor = peerFor;
    this.set('connecting');
    this.local ??= await openLocalMedia({ audio: true, video: true }).catch(() => undefined);
    if (this.session?.sessionId !== session.sessionId || this.peerFor !== peerFor || this.phase === 'ended') return;
    this.peer = new PeerSession({
      role: 'offerer',
      iceServers: session.iceServers,
      localStream: this.local,
      receive: { audio: true, video: true },
      send: (signal) =>
        void videoApi
          .signal(session.sessionId, signal)
          .catch((err: Error) => console.warn('console: signal not sent', err.message)),
      onRemoteStream: (stream) => {
        this.remoteStream = stream;
        this.host.requestUpdate();
      },
      onState: (state) => {
        if (this.phase !== 'ended') this.set(state);
      },
      onError: (err) => console.warn('console: WebRTC step failed', err.message),
    });
    await this.peer.start();
  }

  private closePeer(): void {
    this.peer?.close();
    this.peer = undefined;
    this.peerFor = undefined;
    this.remoteStream = undefined;
  }

  private teardown(closeStream = true): void {
    this.closePeer();
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = undefined;
    if (closeStream) {
      this.closeEvents?.();
      this.closeEvents = undefined;
    }
  }

  private set(phase: ConsoleCallPhase): void {
    this.phase = phase;
    this.host.requestUpdate();
  }
}
