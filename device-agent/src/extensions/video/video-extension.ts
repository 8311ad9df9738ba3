import {
  decode,
  ErrorCode,
  Filters,
  header,
  parseTopic,
  signalMessage,
  signalTopic,
  TouchpointError,
  videoConsentRequest,
  videoCurrentRequest,
  videoHandoffRequest,
  videoHangupRequest,
  videoSignalRequest,
  videoStatusRequest,
  type CallParty,
  type DeviceProfile,
  type IceServerConfig,
  type SignalMessage,
  type VideoUiMessage,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import { ExtensionBase } from '../../extension-base.js';
import type { ExtensionContext } from '../../extension-context.js';
import type { LocalServer } from '../../local-server/local-server.js';
import type { Logger } from '../../logger.js';
import type { MqttConnection } from '../../mqtt/connection.js';
import type { Reporter } from '../../outbox/reporter.js';
import { checkPhoneLink, type PhoneLinkPolicy } from './phone-link.js';
import { checkDown, type BoundCall } from './session-guard.js';

export interface VideoExtensionOptions {
  deviceId: string;
  profile: DeviceProfile;
  connection: Pick<MqttConnection, 'subscribe' | 'publish'>;
  reporter: Pick<Reporter, 'event'>;
  localServer: Pick<LocalServer, 'handle' | 'broadcast' | 'onClient'>;
  /** Which phone links may be shown (config `video.phoneOrigin`, else the broker's host). */
  phoneLinks: PhoneLinkPolicy;
  logger: Logger;
  /** Told `video.call.ended` when a call the customer accepted ends (their receipt, issue 16). */
  bus?: Pick<EventBus<AgentEvents>, 'emit'>;
  now?: () => number;
}

interface Call extends BoundCall {
  staffName: string;
  state: 'ringing' | 'accepted';
  /** When the customer tapped Accept (ms since epoch). */
  acceptedAt: number | undefined;
  expiresAt: number;
  iceServers: IceServerConfig[];
  handoff: { url: string; expiresAt?: number | undefined } | undefined;
  upSeq: number;
  /** Cancels the ring timeout (registered in the extension's context, so a stop cancels it too). */
  cancelTimer: () => void;
}

type Outgoing =
  | { kind: 'consent'; decision: 'accepted' | 'declined'; capabilities: { camera: boolean; microphone: boolean } }
  | { kind: 'answer'; sdp: string }
  | { kind: 'ice'; candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }
  | { kind: 'hangup'; reason?: string; endedBy: CallParty }
  | { kind: 'handoff-request' };

/**
 * The device's half of a video call. It listens on `rtc/+/down`, accepts a
 * message only if it belongs to the call the device is in (session, staff
 * member, rising sequence), hands it to the touch UI as `video.*`, and
 * publishes the UI's consent, answer, ICE candidates and hang-up on
 * `rtc/{sessionId}/up`. Consent is given only by a tap on the device; the
 * console's offer is not passed on before it. Call milestones go out as
 * `video` device events (through the outbox) for the audit trail.
 */
export class VideoExtension extends ExtensionBase {
  readonly name = 'video';
  override readonly optional = true;
  private call: Call | undefined;
  private context: ExtensionContext | undefined;
  private readonly now: () => number;
  /** Messages refused, by code (also logged); tests and diagnostics read it. */
  readonly refused = new Map<string, number>();

  constructor(private readonly o: VideoExtensionOptions) {
    super();
    this.now = o.now ?? Date.now;
  }

  protected onStart(context: ExtensionContext): void {
    const { connection, localServer, deviceId } = this.o;
    this.context = context;
    context.subscribe(connection, Filters.deviceSignalsDown(deviceId), 1, (topic: string, payload: Buffer) =>
      this.onDown(topic, payload),
    );
    context.add(
      localServer.handle('video.consent', videoConsentRequest, (r) => this.consent(r.sessionId, r.decision)),
      localServer.handle('video.signal', videoSignalRequest, async (r) => {
        const call = this.active(r.sessionId, 'accepted');
        if (r.signal.kind === 'offer')
          throw new TouchpointError(ErrorCode.SCHEMA_INVALID, 'the device answers; it never offers');
        await this.up(call, r.signal);
      }),
      localServer.handle('video.hangup', videoHangupRequest, (r) => this.hangup(r.sessionId)),
      localServer.handle('video.handoff', videoHandoffRequest, async (r) => {
        await this.up(this.active(r.sessionId), { kind: 'handoff-request' });
      }),
      localServer.handle('video.status', videoStatusRequest, (r) => {
        const call = this.active(r.sessionId, 'accepted');
        if (r.status === 'connected')
          this.o.reporter.event({ type: 'video', sessionId: call.sessionId, status: 'connected' });
      }),
      localServer.handle('video.current', videoCurrentRequest, () => (this.call ? this.ringMessage(this.call) : null)),
      localServer.onClient((client) => {
        const call = this.call;
        if (call?.state !== 'ringing') return;
        client.send(this.ringMessage(call));
        if (call.handoff) client.send({ type: 'video.handoff', sessionId: call.sessionId, ...call.handoff });
      }),
    );
  }

  protected override onStop(): void {
    if (this.call) this.finish(this.call, 'device', 'the agent stopped');
    this.context = undefined;
  }

  private onDown(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== 'signal' || parsed.deviceId !== this.o.deviceId || parsed.direction !== 'down')
      return this.refuse(ErrorCode.TOPIC_INVALID, topic);
    const decoded = decode(signalMessage, payload);
    if (!decoded.ok) return this.refuse(decoded.code, decoded.reason);
    const message = decoded.value;
    if (message.kind === 'request') return this.onRequest(message, parsed.sessionId);
    const checked = checkDown(this.call, message, parsed.sessionId);
    if (!checked.ok) return this.refuse(checked.code, checked.reason, message.sessionId);
    const call = this.call!;
    call.lastDownSeq = checked.value.lastDownSeq;
    switch (message.kind) {
      case 'offer':
        if (call.state !== 'accepted')
          return this.refuse(ErrorCode.NOT_AUTHORIZED, 'an offer before the customer consented', call.sessionId);
        return this.push({
          type: 'video.signal',
          sessionId: call.sessionId,
          signal: { kind: 'offer', sdp: message.sdp, ...(message.iceRestart ? { iceRestart: true } : {}) },
        });
      case 'ice':
        if (call.state !== 'accepted')
          return this.refuse(ErrorCode.NOT_AUTHORIZED, 'ICE before the customer consented', call.sessionId);
        return this.push({
          type: 'video.signal',
          sessionId: call.sessionId,
          signal: {
            kind: 'ice',
            candidate: message.candidate,
            sdpMid: message.sdpMid,
            sdpMLineIndex: message.sdpMLineIndex,
          },
        });
      case 'handoff': {
        // Only a link to the pinned origin reaches the screen (issue 12, Low); the customer would open it with camera and microphone.
        const link = checkPhoneLink(this.o.phoneLinks, message.url);
        if (!link.ok) return this.refuse(link.code, link.reason, call.sessionId);
        call.handoff = {
          url: link.value,
          ...(message.expiresAt !== undefined ? { expiresAt: message.expiresAt } : {}),
        };
        return this.push({ type: 'video.handoff', sessionId: call.sessionId, ...call.handoff });
      }
      case 'hangup': {
        const reason = message.reason ?? 'ended by support';
        // Who ended it is the sender's typed field, never read from the free-text reason (issue 14).
        const by: CallParty = message.endedBy ?? (reason === 'timeout' ? 'timeout' : 'staff');
        return this.finish(call, by, reason);
      }
      case 'consent':
      case 'answer':
      case 'handoff-request':
        return this.refuse(ErrorCode.NOT_AUTHORIZED, `${message.kind} may not come from the fleet`, call.sessionId);
    }
  }

  private onRequest(message: Extract<SignalMessage, { kind: 'request' }>, topicSessionId: string): void {
    if (message.sessionId !== topicSessionId)
      return this.refuse(ErrorCode.SCHEMA_INVALID, 'sessionId does not match the topic');
    if (message.from !== 'staff') return this.refuse(ErrorCode.NOT_AUTHORIZED, `a request from ${message.from}`);
    if (this.call?.sessionId === message.sessionId)
      return this.refuse(ErrorCode.REPLAY, 'request delivered twice', message.sessionId);
    const now = this.now();
    if (message.expiresAt <= now)
      return this.refuse(ErrorCode.EXPIRED, 'the call request expired before it arrived', message.sessionId);
    if (this.call) {
      // One call at a time: the second caller hears "declined" at once instead of ringing out.
      const busy = { sessionId: message.sessionId, staffId: message.staffId, upSeq: 0 };
      void this.publishUp(busy, { kind: 'consent', decision: 'declined', capabilities: this.capabilities() }).catch(
        () => undefined,
      );
      return;
    }
    const call: Call = {
      sessionId: message.sessionId,
      staffId: message.staffId,
      lastDownSeq: message.seq,
      staffName: message.staffName,
      state: 'ringing',
      acceptedAt: undefined,
      expiresAt: message.expiresAt,
      iceServers: message.iceServers ?? [],
      handoff: undefined,
      upSeq: 0,
      cancelTimer: () => undefined,
    };
    // The fleet times the call out too; this covers a device that lost its connection while ringing.
    call.cancelTimer =
      this.context?.after(
        message.expiresAt - now,
        () => this.call === call && call.state === 'ringing' && this.finish(call, 'timeout', 'timeout'),
      ) ?? call.cancelTimer;
    this.call = call;
    this.o.reporter.event({ type: 'video', sessionId: call.sessionId, status: 'ringing' });
    this.push(this.ringMessage(call));
  }

  private async consent(sessionId: string, decision: 'accepted' | 'declined'): Promise<void> {
    const call = this.active(sessionId, 'ringing');
    await this.up(call, { kind: 'consent', decision, capabilities: this.capabilities() });
    this.o.reporter.event({ type: 'video', sessionId, status: decision });
    if (decision === 'accepted') {
      call.state = 'accepted';
      call.acceptedAt = this.now();
      call.cancelTimer();
    } else {
      this.finish(call, 'device', 'declined on the device', false);
    }
  }

  private async hangup(sessionId: string): Promise<void> {
    const call = this.active(sessionId);
    this.finish(call, 'device', 'ended on the device');
    await this.up(call, {
      kind: 'hangup',
      reason: call.state === 'ringing' ? 'declined on the device' : 'ended on the device',
      endedBy: 'device',
    }).catch(() => undefined);
  }

  /** Ends the call here and tells every UI; `report: false` when the outcome was already reported (a decline). */
  private finish(call: Call, endedBy: CallParty, reason: string, report = true): void {
    if (this.call !== call) return;
    this.clear(call);
    if (report)
      this.o.reporter.event({
        type: 'video',
        sessionId: call.sessionId,
        status: endedBy === 'timeout' ? 'timeout' : 'ended',
        endedBy,
      });
    this.push({ type: 'video.ended', sessionId: call.sessionId, endedBy, reason: reason.slice(0, 128) });
    if (call.acceptedAt !== undefined)
      this.o.bus?.emit('video.call.ended', {
        sessionId: call.sessionId,
        staffName: call.staffName,
        ...this.capabilities(),
        acceptedAt: call.acceptedAt,
        endedAt: this.now(),
      });
  }

  private clear(call: Call): void {
    call.cancelTimer();
    if (this.call === call) this.call = undefined;
  }

  private active(sessionId: string, state?: Call['state']): Call {
    const call = this.call;
    if (!call || call.sessionId !== sessionId) throw new TouchpointError(ErrorCode.NOT_FOUND, `no call ${sessionId}`);
    if (state && call.state !== state) throw new TouchpointError(ErrorCode.CONFLICT, `the call is ${call.state}`);
    return call;
  }

  private up(call: Call, body: Outgoing): Promise<void> {
    return this.publishUp(call, body).catch((err: unknown) => {
      throw new TouchpointError(ErrorCode.LINK_DOWN, `cannot reach support: ${(err as Error).message}`);
    });
  }

  /** Signalling is live or useless: published directly, never through the durable outbox. */
  private publishUp(call: { sessionId: string; staffId: string; upSeq: number }, body: Outgoing): Promise<void> {
    const message = signalMessage.parse({
      ...header(this.now()),
      ...body,
      sessionId: call.sessionId,
      staffId: call.staffId,
      seq: call.upSeq++,
      from: 'device',
    });
    return this.o.connection.publish(signalTopic(this.o.deviceId, call.sessionId, 'up'), JSON.stringify(message), {
      qos: 1,
    });
  }

  private capabilities(): { camera: boolean; microphone: boolean } {
    return { camera: this.o.profile.capabilities.camera, microphone: this.o.profile.capabilities.microphone };
  }

  private ringMessage(call: Call): VideoUiMessage {
    return {
      type: 'video.ring',
      sessionId: call.sessionId,
      staffName: call.staffName,
      shares: { microphone: this.o.profile.capabilities.microphone, camera: this.o.profile.capabilities.camera },
      expiresAt: call.expiresAt,
      iceServers: call.iceServers,
    };
  }

  private push(message: VideoUiMessage): void {
    this.o.localServer.broadcast(message);
    this.o.bus?.emit('video.ui', message);
  }

  private refuse(code: string, reason: string, sessionId?: string): void {
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
    this.o.logger.warn('video signal refused', { code, reason, ...(sessionId ? { sessionId } : {}) });
  }
}
