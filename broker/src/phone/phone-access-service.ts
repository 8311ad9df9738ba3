import {
  ErrorCode,
  PHONE_ACCESS_TTL_MS,
  PHONE_LINK_TTL_MS,
  TouchpointError,
  deviceTopic,
  header,
  phoneDownMessage,
  type ChatCustomerBody,
  type PhoneAccessClaimResponse,
  type PhoneEndReason,
  type PhoneStep,
  type PhoneStreamEvent,
  type PhoneUpMessage,
  type PhoneView,
} from '@touchpoint/protocol';
import { SafeEventEmitter } from '@touchpoint/runtime';
import type { Counters } from '../counters.js';
import type { Publish } from '../fleet/commands.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import { TokenBucket } from '../token-bucket.js';
import { PhoneAccessStore, type PhoneAccessRow } from './phone-access-store.js';
import { chatItems, openCaseOf, sendFromPhone } from './phone-chat.js';

export interface PhoneAccessDeps {
  fleet: Pick<Fleet, 'store' | 'audit' | 'live' | 'cases' | 'chat' | 'staff'>;
  publish: Publish;
  counters: Counters;
  log: Logger;
  /** Where links point: the public URL, or on a loopback broker its own address; undefined: no links. */
  origin: () => string | undefined;
  now?: () => number;
  linkTtlMs?: number;
  accessTtlMs?: number;
}

const STEPS_PER_SECOND = 5;
const STEP_BURST = 10;

type DownBody =
  | { kind: 'link'; url: string; expiresAt: number }
  | { kind: 'claimed'; expiresAt: number }
  | { kind: 'ended'; reason: PhoneEndReason }
  | { kind: 'step'; seq: number; step: PhoneStep };

/**
 * The fleet's side of the phone as a touchpoint (issue 17). It issues the single-use link a device asks
 * for, binds the phone that claims it, relays the phone's steps down to the device and the device's help
 * view up to the phone, and ends the access when the customer ends it on the device, the phone leaves,
 * it expires, a new link replaces it or the device goes offline. The flow itself runs on the device
 * (its checks read the device's sensors, its actions run there); this service only relays and audits.
 *
 * The latest view and the phones' streams live in this process; the accesses are in the database.
 */
export class PhoneAccessService {
  private readonly accesses: PhoneAccessStore;
  private readonly events: SafeEventEmitter<{ event: [string, PhoneStreamEvent] }>;
  private readonly views = new Map<string, PhoneView>();
  /** Accesses with a phone stream in this process, until when they last. */
  private readonly openUntil = new Map<string, number>();
  /** The device of each access with a phone stream in this process (for the case's chat). */
  private readonly streamDevice = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly off: (() => void)[] = [];
  /** Each access's step budget: a person taps a few times a second at most; a script does not get further. */
  private readonly budgets = new Map<string, TokenBucket>();
  private readonly now: () => number;

  constructor(private readonly deps: PhoneAccessDeps) {
    this.accesses = new PhoneAccessStore(deps.fleet.store);
    this.now = deps.now ?? Date.now;
    this.events = new SafeEventEmitter((err) =>
      deps.log.error('phone stream listener failed', { code: ErrorCode.INTERNAL, error: String(err) }),
    );
    this.off.push(
      deps.fleet.live.subscribe('phone', (e) => void this.onDevice(e.deviceId, e.message).catch(this.logFailure)),
      deps.fleet.live.subscribe('presence', (e) => {
        if (!e.online) void this.endOpen(e.deviceId, 'offline').catch(this.logFailure);
      }),
      // The open case's chat on the phone (issue 17, "Live chat"): a new case, and every change of its chat.
      deps.fleet.live.subscribe('chat', (e) => this.chatChanged(e.deviceId, e.caseId)),
      deps.fleet.live.subscribe('case', (e) => this.chatChanged(e.deviceId, e.caseId)),
    );
  }

  close(): void {
    for (const off of this.off.splice(0)) off();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** What the device sends up on `phone/up`, already schema-checked by ingest. */
  async onDevice(deviceId: string, message: PhoneUpMessage): Promise<void> {
    if (message.kind === 'link.request') return this.issue(deviceId);
    const access = await this.accesses.get(message.accessId);
    if (!access || access.deviceId !== deviceId) {
      this.deps.counters.inc(`phone.rejected.${ErrorCode.NOT_FOUND}`);
      this.deps.log.warn('phone message for an unknown access', { deviceId, kind: message.kind });
      return;
    }
    switch (message.kind) {
      case 'end':
        return this.end(access, 'device');
      case 'view':
        if (access.endedAt !== null) return;
        this.views.set(access.id, message.view);
        this.events.emit('event', access.id, { type: 'view', view: message.view });
        return;
      case 'step.refused':
        this.events.emit('event', access.id, {
          type: 'refused',
          seq: message.seq,
          code: message.code,
          reason: message.reason,
        });
    }
  }

  /** The single use of a phone link. Every refusal reads the same to the phone: this link is gone. */
  async claim(token: string): Promise<PhoneAccessClaimResponse> {
    const now = this.now();
    const claim = await this.accesses.claim(token, this.deps.accessTtlMs ?? PHONE_ACCESS_TTL_MS, now);
    if (!claim.ok) {
      this.deps.counters.inc(`phone.claim.refused.${claim.code}`);
      await this.audit({ actor: 'phone', action: 'phone.claim', outcome: 'refused', detail: { code: claim.code } });
      throw new TouchpointError(claim.code, claim.reason);
    }
    const { accessId, deviceId, key, expiresAt } = claim.value;
    await this.audit({ actor: 'phone', action: 'phone.claim', deviceId, target: accessId, outcome: 'ok' });
    this.armExpiry(accessId, expiresAt);
    await this.sendDown(deviceId, accessId, { kind: 'claimed', expiresAt });
    return { accessId, key, expiresAt };
  }

  /** A step the customer took on the phone: checked, audited and sent to the device, which runs it. */
  async step(accessId: string, key: string, seq: number, step: PhoneStep): Promise<void> {
    const access = await this.authorize(accessId, key);
    let budget = this.budgets.get(accessId);
    if (!budget) this.budgets.set(accessId, (budget = new TokenBucket(STEPS_PER_SECOND, STEP_BURST, this.now())));
    if (!budget.take(1, this.now())) {
      this.deps.counters.inc(`phone.refused.${ErrorCode.RATE_LIMITED}`);
      throw new TouchpointError(ErrorCode.RATE_LIMITED, 'too many steps; wait a moment');
    }
    if (!(await this.accesses.takeSeq(accessId, seq))) {
      await this.audit({
        actor: 'phone',
        action: 'phone.step',
        deviceId: access.deviceId,
        target: accessId,
        outcome: 'refused',
        detail: { type: step.type, seq, code: ErrorCode.REPLAY },
      });
      throw new TouchpointError(ErrorCode.REPLAY, `step ${seq} was already sent`);
    }
    await this.audit({
      actor: 'phone',
      action: 'phone.step',
      deviceId: access.deviceId,
      target: accessId,
      outcome: 'ok',
      detail: { seq, ...step },
    });
    await this.sendDown(access.deviceId, accessId, { kind: 'step', seq, step });
  }

  /** The customer left on the phone. */
  async leave(accessId: string, key: string): Promise<void> {
    await this.end(await this.authorize(accessId, key), 'phone');
  }

  /** Opens the phone's stream: the latest view at once, then every change, and `ended` last. */
  async follow(
    accessId: string,
    key: string,
    send: (id: number, event: PhoneStreamEvent) => void,
    close: () => void,
  ): Promise<() => void> {
    const access = await this.authorize(accessId, key);
    this.openUntil.set(accessId, access.expiresAt);
    this.streamDevice.set(accessId, access.deviceId);
    let n = 0;
    const view = this.views.get(accessId);
    if (view) send(n++, { type: 'view', view });
    const off = this.events.subscribe('event', (id, event) => {
      if (id !== accessId) return;
      send(n++, event);
      if (event.type === 'ended') close();
    });
    const caseId = openCaseOf(this.deps.fleet, access.deviceId);
    if (caseId) this.pushChat(accessId, caseId);
    return () => {
      off();
      this.streamDevice.delete(accessId);
    };
  }

  /** The customer writes in the open case's chat from the phone; audited as the phone's access. */
  async chat(accessId: string, key: string, body: ChatCustomerBody): Promise<void> {
    const access = await this.authorize(accessId, key);
    const caseId = await sendFromPhone(this.deps.fleet, access.deviceId, body);
    await this.audit({
      actor: 'phone',
      action: 'phone.chat',
      deviceId: access.deviceId,
      target: caseId,
      outcome: 'ok',
      detail: { accessId, kind: body.kind },
    });
  }

  private chatChanged(deviceId: string, caseId: string): void {
    for (const [accessId, device] of this.streamDevice) if (device === deviceId) this.pushChat(accessId, caseId);
  }

  private pushChat(accessId: string, caseId: string): void {
    chatItems(this.deps.fleet, caseId).then(
      (items) => this.events.emit('event', accessId, { type: 'chat', caseId, items }),
      this.logFailure,
    );
  }

  /** Whether a phone's stream may go on: its access has not ended or expired (checked before every event). */
  stillOpen(accessId: string): boolean {
    return (this.openUntil.get(accessId) ?? 0) > this.now();
  }

  private async authorize(accessId: string, key: string): Promise<PhoneAccessRow> {
    const access = await this.accesses.byKey(accessId, key);
    if (!access) {
      this.deps.counters.inc(`phone.refused.${ErrorCode.NOT_AUTHORIZED}`);
      throw new TouchpointError(ErrorCode.NOT_AUTHORIZED, 'this phone has no access to the device');
    }
    if (access.endedAt === null && access.expiresAt <= this.now()) await this.end(access, 'expired');
    if (access.endedAt !== null || access.expiresAt <= this.now())
      throw new TouchpointError(ErrorCode.EXPIRED, 'the access of this phone has ended');
    return access;
  }

  private async issue(deviceId: string): Promise<void> {
    const origin = this.deps.origin();
    if (!origin) {
      this.deps.counters.inc('phone.link.no_origin');
      await this.audit({
        actor: 'device',
        action: 'phone.link',
        deviceId,
        outcome: 'refused',
        detail: { reason: 'no public URL for phone links' },
      });
      return;
    }
    const now = this.now();
    const issued = await this.accesses.issue(
      deviceId,
      this.deps.linkTtlMs ?? PHONE_LINK_TTL_MS,
      this.deps.accessTtlMs ?? PHONE_ACCESS_TTL_MS,
      now,
    );
    for (const id of issued.replaced) this.ended(id, 'replaced');
    await this.audit({ actor: 'device', action: 'phone.link', deviceId, target: issued.accessId, outcome: 'ok' });
    await this.sendDown(deviceId, issued.accessId, {
      kind: 'link',
      url: `${origin}/p/${issued.token}`,
      expiresAt: issued.linkExpiresAt,
    });
  }

  private async endOpen(deviceId: string, reason: PhoneEndReason): Promise<void> {
    const open = await this.accesses.open(deviceId);
    if (open) await this.end(open, reason);
  }

  private async end(access: PhoneAccessRow, reason: PhoneEndReason): Promise<void> {
    if (!(await this.accesses.end(access.id, reason, this.now()))) return;
    await this.audit({
      actor: reason === 'phone' ? 'phone' : reason === 'device' ? 'device' : 'system',
      action: 'phone.end',
      deviceId: access.deviceId,
      target: access.id,
      outcome: 'ok',
      detail: { reason },
    });
    this.ended(access.id, reason);
    // The device learns it too (the customer may have ended it there; then this only confirms).
    if (reason !== 'offline') await this.sendDown(access.deviceId, access.id, { kind: 'ended', reason });
  }

  private ended(accessId: string, reason: PhoneEndReason): void {
    clearTimeout(this.timers.get(accessId));
    this.timers.delete(accessId);
    this.views.delete(accessId);
    this.budgets.delete(accessId);
    // The stream's own check would drop the last event: `ended` goes out first, then the stream closes.
    this.events.emit('event', accessId, { type: 'ended', reason });
    this.openUntil.delete(accessId);
  }

  private armExpiry(accessId: string, expiresAt: number): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(accessId);
        void this.accesses
          .get(accessId)
          .then((access) => (access && access.endedAt === null ? this.end(access, 'expired') : undefined))
          .catch(this.logFailure);
      },
      Math.max(0, expiresAt - this.now()),
    );
    timer.unref();
    this.timers.set(accessId, timer);
  }

  private async sendDown(deviceId: string, accessId: string, body: DownBody): Promise<void> {
    const message = phoneDownMessage.parse({ ...header(this.now()), accessId, ...body });
    try {
      await this.deps.publish(deviceTopic(deviceId, 'phoneDown'), JSON.stringify(message), { qos: 1, retain: false });
    } catch (err) {
      this.deps.counters.inc('phone.publish.failed');
      this.deps.log.error('phone message publish failed', {
        deviceId,
        kind: body.kind,
        code: ErrorCode.INTERNAL,
        reason: (err as Error).message,
      });
    }
  }

  private async audit(entry: Parameters<Fleet['audit']['record']>[0]): Promise<void> {
    await this.deps.fleet.audit.record(entry, this.now());
  }

  private readonly logFailure = (err: unknown) => {
    this.deps.counters.inc('phone.failed');
    this.deps.log.error('phone access failed', {
      code: ErrorCode.INTERNAL,
      reason: err instanceof Error ? err.message : String(err),
    });
  };
}
