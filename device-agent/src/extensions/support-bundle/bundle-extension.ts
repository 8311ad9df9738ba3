import {
  BUNDLE_CONSENT_WAIT_MS,
  BUNDLE_MAX_BYTES,
  ErrorCode,
  TouchpointError,
  bundleRequestMessage,
  decode,
  deviceTopic,
  header,
  uiBundleAnswerRequest,
  type BundleContent,
  type BundleReplyMessage,
  type BundleRequestMessage,
  type UiBundleAnswerRequest,
  type UiBundleAskMessage,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import { ExtensionBase } from '../../extension-base.js';
import type { ExtensionContext } from '../../extension-context.js';
import type { LocalServer } from '../../local-server/local-server.js';
import type { Logger } from '../../logger.js';
import type { MqttConnection } from '../../mqtt/connection.js';
import type { Reporter } from '../../outbox/reporter.js';
import { collectBundle, type BundleSources } from './collect.js';
import type { BundleHistory } from './history.js';

export interface SupportBundleOptions {
  deviceId: string;
  bus: EventBus<AgentEvents>;
  connection: Pick<MqttConnection, 'subscribe'>;
  reporter: Pick<Reporter, 'bundle'>;
  /** undefined without a touchscreen: nobody can consent, so every request is answered `failed`. */
  localServer: Pick<LocalServer, 'handle' | 'broadcast' | 'onClient'> | undefined;
  history: BundleHistory;
  sources: BundleSources;
  logger: Logger;
  /** How long the customer has at most, capped by the request's own expiry. */
  consentWaitMs?: number;
  now?: () => number;
}

interface Pending {
  request: BundleRequestMessage;
  bundle: BundleContent;
  ask: UiBundleAskMessage;
  cancel: () => void;
}

/**
 * Support bundles on the device (issue 17): a staff request arrives on `bundle/req`, the agent builds the
 * redacted bundle, shows it on the touchscreen exactly as it would be sent, and only the customer's Send puts
 * it in the outbox. Don't send is reported as a refusal, no answer in time as expired, and a bundle over
 * BUNDLE_MAX_BYTES is never offered (failed, with its size). One request at a time.
 */
export class SupportBundleExtension extends ExtensionBase {
  readonly name = 'support-bundle';
  private pending: Pending | undefined;
  private context: ExtensionContext | undefined;
  private readonly now: () => number;
  private invalid = 0;

  constructor(private readonly options: SupportBundleOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  /** Requests refused as invalid since start. */
  get invalidRequests(): number {
    return this.invalid;
  }

  protected onStart(context: ExtensionContext): void {
    const { bus, connection, deviceId, history, localServer } = this.options;
    this.context = context;
    // The link as it stands now (the MCU link starts before this extension), then every change.
    history.link(this.options.sources.mcu.link, this.now());
    context.on(bus, 'mcu.event', (event) => history.mcuEvent(event, this.now()));
    context.on(bus, 'mcu.link', ({ state }) => history.link(state, this.now()));
    context.on(bus, 'event.reported', (message) => history.reported(message));
    context.subscribe(connection, deviceTopic(deviceId, 'bundleRequest'), 1, (_topic: string, payload: Buffer) => {
      this.receive(payload).catch((err: unknown) =>
        this.options.logger.error('support bundle request failed', {
          code: ErrorCode.INTERNAL,
          error: (err as Error).message,
        }),
      );
    });
    if (localServer) {
      context.add(
        localServer.handle('bundle.answer', uiBundleAnswerRequest, (answer) => this.answer(answer)),
        // A touchscreen that (re)connects while the customer is being asked shows the question again.
        localServer.onClient((client) => {
          if (this.pending) client.send(this.pending.ask);
        }),
      );
    }
  }

  protected override onStop(): void {
    // The agent stops with a question open: nothing was sent; the fleet shows it expired after its deadline.
    this.pending = undefined;
    this.context = undefined;
  }

  /** A request from the fleet; every outcome is reported, never thrown. */
  async receive(payload: Buffer | string): Promise<void> {
    const { logger, localServer } = this.options;
    const parsed = decode(bundleRequestMessage, payload);
    if (!parsed.ok) {
      this.invalid += 1;
      logger.warn('support bundle request refused', { code: parsed.code, reason: parsed.reason });
      return;
    }
    const request = parsed.value;
    const now = this.now();
    if (this.pending?.request.requestId === request.requestId) return; // a redelivery of the open question
    if (request.expiresAt <= now) return this.reply(request, { outcome: 'expired', at: now });
    if (!localServer)
      return this.fail(request, ErrorCode.NOT_AUTHORIZED, 'this device has no touchscreen to ask the customer');
    if (this.pending)
      return this.fail(request, ErrorCode.CONFLICT, 'another bundle request is waiting for the customer');
    const bundle = await collectBundle(this.options.sources, { from: request.from, to: request.to }, now);
    // The size as sent: the whole reply, so the fleet's limit (the same constant) never refuses what was offered.
    const sizeBytes = Buffer.byteLength(
      JSON.stringify(this.message(request, { outcome: 'sent', consentAt: now, bundle })),
    );
    if (sizeBytes > BUNDLE_MAX_BYTES)
      return this.fail(
        request,
        ErrorCode.PAYLOAD_TOO_LARGE,
        `the bundle is ${sizeBytes} bytes, over the ${BUNDLE_MAX_BYTES}-byte limit: ask for a shorter time range`,
      );
    const until = Math.min(request.expiresAt, now + (this.options.consentWaitMs ?? BUNDLE_CONSENT_WAIT_MS));
    const ask: UiBundleAskMessage = {
      type: 'bundle.ask',
      requestId: request.requestId,
      requestedBy: request.requestedBy,
      until,
      bundle,
      sizeBytes,
    };
    const cancel = this.context?.after(until - now, () => this.close('expired')) ?? (() => undefined);
    this.pending = { request, bundle, ask, cancel };
    logger.info('support bundle: asking the customer', { requestId: request.requestId, sizeBytes });
    localServer.broadcast(ask);
  }

  /** The customer's tap; a late or foreign answer is refused (the question was closed meanwhile). */
  private answer(answer: UiBundleAnswerRequest): { outcome: 'sent' | 'refused' } {
    if (!this.pending || this.pending.request.requestId !== answer.requestId)
      throw new TouchpointError(ErrorCode.NOT_FOUND, 'this bundle request is no longer open');
    const outcome = answer.send ? 'sent' : 'refused';
    this.close(outcome);
    return { outcome };
  }

  private close(outcome: 'sent' | 'refused' | 'expired'): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    pending.cancel();
    const now = this.now();
    this.reply(
      pending.request,
      outcome === 'sent' ? { outcome: 'sent', consentAt: now, bundle: pending.bundle } : { outcome, at: now },
    );
    this.options.localServer?.broadcast({ type: 'bundle.closed', requestId: pending.request.requestId, outcome });
    this.options.logger.info('support bundle answered', { requestId: pending.request.requestId, outcome });
  }

  private fail(request: BundleRequestMessage, code: string, reason: string): void {
    this.options.logger.warn('support bundle not offered', { requestId: request.requestId, code, reason });
    this.reply(request, { outcome: 'failed', code, reason });
  }

  private reply(request: BundleRequestMessage, answer: BundleAnswer): void {
    this.options.reporter.bundle(this.message(request, answer));
  }

  private message(request: BundleRequestMessage, answer: BundleAnswer): BundleReplyMessage {
    return {
      ...header(this.now()),
      deviceId: this.options.deviceId,
      requestId: request.requestId,
      caseId: request.caseId,
      ...answer,
    } as BundleReplyMessage;
  }
}

type Header = 'v' | 'id' | 'ts' | 'deviceId' | 'requestId' | 'caseId';
/** One outcome of the reply, without the fields every reply has. */
type BundleAnswer = BundleReplyMessage extends infer M
  ? M extends BundleReplyMessage
    ? Omit<M, Header>
    : never
  : never;
