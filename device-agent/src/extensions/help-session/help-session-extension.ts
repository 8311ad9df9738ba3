import {
  caseStatusMessage,
  decode,
  deviceTopic,
  ErrorCode,
  helpCaseDismissRequest,
  helpCaseOpenRequest,
  helpCancelRequest,
  helpBackRequest,
  helpChooseRequest,
  helpCloseRequest,
  helpConfirmRequest,
  helpFlowsRequest,
  helpLocaleRequest,
  helpNextRequest,
  helpRateRequest,
  helpStartRequest,
  newId,
  TouchpointError,
  type DeviceProfile,
  type HelpCaseState,
  type HelpFlow,
  type HelpFlowSummary,
  type HelpOffer,
  type HelpScreenView,
  type HelpUiMessage,
  type HelpUiReplies,
  type Result,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import type { Extension } from '../../extension.js';
import { createFlowSession, type FlowSession } from '../../help/session.js';
import { loadFlows } from '../../help/load-flows.js';
import type { HelpPort } from '../../help/port.js';
import type { HelpScreen } from '../../help/screen.js';
import type { LocalServer } from '../../local-server/local-server.js';
import type { Logger } from '../../logger.js';
import type { MqttConnection } from '../../mqtt/connection.js';
import type { Reporter } from '../../outbox/reporter.js';
import type { DiagnosticsExtension } from '../diagnostics/diagnostics-extension.js';
import { CaseTracker } from './case-tracker.js';
import { FLOW_IMAGE_PATH, flowImageHandler, flowImageUrl } from './flow-images.js';
import { offersFor } from './offers.js';

export interface HelpSessionOptions {
  deviceId: string;
  profile: DeviceProfile;
  /** The model directory: flows are read from `<modelDir>/flows/*.json`. */
  modelDir: string;
  /** Help content installed by support (`help.install`), which replaces the shipped flows; undefined when none. */
  installedDir?: () => Promise<string | undefined>;
  port: HelpPort;
  bus: EventBus<AgentEvents>;
  reporter: Pick<Reporter, 'event' | 'case'>;
  connection: Pick<MqttConnection, 'subscribe' | 'connected'>;
  diagnostics: Pick<DiagnosticsExtension, 'build'>;
  /** Without a local server there is no touchscreen: flows still load, nothing is exposed. */
  localServer: Pick<LocalServer, 'handle' | 'route' | 'broadcast' | 'onClient'> | undefined;
  logger: Logger;
  /** Errors already active when help starts (read from the MCU when its link comes up). */
  readErrors: () => Promise<string[]>;
  now?: () => number;
}

/**
 * The touchscreen's help: exposes this model's flows to the UI (`help.*`),
 * runs one flow session at a time on the engine, publishes every trace entry
 * as a `help` device event the moment it happens (the outbox holds them while
 * offline), offers a flow when the MCU raises an error one handles, and opens
 * a support case with the trace and a diagnostics snapshot after consent.
 */
export class HelpSessionExtension implements Extension {
  readonly name = 'help-session';
  private flows: HelpFlow[] = [];
  private flowsDir = '';
  private session: FlowSession | undefined;
  private sessionOff: (() => void) | undefined;
  private errors: string[] = [];
  private offers: HelpOffer[] = [];
  private readonly cases: CaseTracker;
  private readonly off: (() => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly options: HelpSessionOptions) {
    this.now = options.now ?? Date.now;
    this.cases = new CaseTracker((state) => this.push({ type: 'help.case', case: state }));
  }

  /** The loaded flows (valid ones for this model only). */
  get loadedFlows(): readonly HelpFlow[] {
    return this.flows;
  }

  get currentScreen(): HelpScreenView | null {
    return this.session ? this.view(this.session.state) : null;
  }

  get currentOffers(): readonly HelpOffer[] {
    return this.offers;
  }

  get currentCase(): HelpCaseState | null {
    return this.cases.state;
  }

  async start(): Promise<void> {
    const { modelDir, logger, bus, connection, deviceId, localServer } = this.options;
    const installed = await this.options.installedDir?.().catch(() => undefined);
    await this.load(installed ?? modelDir);

    // The fleet mirrors the case status on a retained topic; the UI shows it live.
    connection.subscribe(deviceTopic(deviceId, 'caseStatus'), 1, (_topic, payload) => {
      if (payload.length === 0) return; // a cleared retained message
      const decoded = decode(caseStatusMessage, payload);
      if (!decoded.ok) return logger.warn('case status refused', { code: decoded.code, reason: decoded.reason });
      bus.emit('case.status', decoded.value);
    });

    this.off.push(
      bus.on('case.status', (message) => this.cases.status(message)),
      bus.on('report.delivered', ({ kind, messageId }) => {
        if (kind === 'case') this.cases.delivered(messageId);
      }),
      bus.on('mqtt.connected', () => this.cases.connection(true)),
      bus.on('mqtt.disconnected', () => this.cases.connection(false)),
      bus.on('mcu.event', (event) => {
        if (event.type === 'error.raised' && !this.errors.includes(event.code))
          this.setErrors([...this.errors, event.code]);
        if (event.type === 'error.cleared') this.setErrors(this.errors.filter((c) => c !== event.code));
      }),
      bus.on('diagnostics.snapshot', (snapshot) => {
        if (snapshot.agent.link === 'up') this.setErrors(orderLike(snapshot.mcu.errors, this.errors));
      }),
      bus.on('mcu.link', ({ state }) => {
        if (state === 'up') void this.refreshErrors();
      }),
      bus.on('help.installed', async ({ dir }) => {
        await this.load(dir);
        this.setErrors(this.errors, true);
        this.push({ type: 'help.catalog', ...this.catalog() });
      }),
    );
    void this.refreshErrors();

    if (!localServer) return;
    this.off.push(
      localServer.route(
        'GET',
        FLOW_IMAGE_PATH,
        flowImageHandler(() => this.flowsDir),
      ),
      localServer.onClient((client) => {
        client.send({ type: 'help.offers', offers: this.offers });
        client.send({ type: 'help.screen', screen: this.currentScreen });
        client.send({ type: 'help.case', case: this.cases.state });
      }),
      localServer.handle('help.flows', helpFlowsRequest, () => this.catalog()),
      localServer.handle('help.start', helpStartRequest, async (r) => ({
        screen: await this.startSession(r.flowId, r.locale, r.trigger, r.errorCode),
      })),
      localServer.handle('help.next', helpNextRequest, (r) => this.act(r.sessionId, (s) => s.next())),
      localServer.handle('help.choose', helpChooseRequest, (r) => this.act(r.sessionId, (s) => s.choose(r.choiceId))),
      localServer.handle('help.confirm', helpConfirmRequest, (r) => this.act(r.sessionId, (s) => s.confirmAction())),
      localServer.handle('help.cancel', helpCancelRequest, (r) => this.act(r.sessionId, (s) => s.cancelAction())),
      localServer.handle('help.back', helpBackRequest, (r) => this.act(r.sessionId, (s) => s.back())),
      localServer.handle('help.rate', helpRateRequest, (r) => this.act(r.sessionId, (s) => s.rate(r.ces, r.helped))),
      localServer.handle('help.close', helpCloseRequest, () => this.closeSession()),
      localServer.handle('help.locale', helpLocaleRequest, (r) => this.session?.setLocale(r.locale)),
      localServer.handle('help.case.open', helpCaseOpenRequest, (r) => this.openCase(r.locale, r.reason)),
      localServer.handle('help.case.dismiss', helpCaseDismissRequest, () => this.cases.dismiss()),
    );
  }

  async stop(): Promise<void> {
    for (const off of this.off.splice(0)) off();
    this.sessionOff?.();
    this.sessionOff = undefined;
  }

  /** Loads `<dir>/flows` for this model; a session already running keeps the flow it started with. */
  private async load(dir: string): Promise<void> {
    const { profile, logger } = this.options;
    const loaded = await loadFlows(dir, { profile });
    for (const p of loaded.problems)
      logger.warn(`help flow left out: ${p.file} ${p.path}: ${p.message}`, {
        code: ErrorCode.FLOW_INVALID,
        problem: p.code,
      });
    this.flows = loaded.flows.filter((f) => f.models.includes(profile.model));
    this.flowsDir = loaded.flowsDir;
    logger.info(`help flows loaded: ${this.flows.map((f) => f.id).join(', ') || 'none'}`, { dir: loaded.flowsDir });
  }

  /** The flows and what the home screen needs to name the device and its errors. */
  catalog(): HelpUiReplies['help.flows'] {
    const { profile } = this.options;
    return {
      flows: this.flows.map(summary),
      device: {
        name: profile.name,
        errors: profile.errors.map((e) => ({ code: e.code, label: e.label, severity: e.severity })),
      },
    };
  }

  /** Starts a flow; an unfinished session is abandoned first (and traced as such). */
  async startSession(
    flowId: string,
    locale: string,
    trigger: 'menu' | 'error' | 'support' = 'menu',
    errorCode?: string,
  ): Promise<HelpScreenView> {
    const flow = this.flows.find((f) => f.id === flowId);
    if (!flow)
      throw new TouchpointError(ErrorCode.NOT_FOUND, `no help flow ${flowId} for ${this.options.profile.model}`);
    await this.closeSession(false);
    const sessionId = newId();
    const { reporter, logger, profile, port } = this.options;
    const session = createFlowSession({
      flow,
      profile,
      port,
      now: this.now,
      locale,
      sessionId,
      trigger,
      ...(errorCode !== undefined ? { errorCode } : {}),
      onTrace: (entry) => reporter.event({ type: 'help', sessionId, flowId: flow.id, entry }, this.now()),
      onListenerError: (err) =>
        logger.error('help session listener failed', {
          code: ErrorCode.INTERNAL,
          error: err instanceof Error ? err.message : String(err),
        }),
    });
    this.session = session;
    this.sessionOff = session.subscribe((state) => this.push({ type: 'help.screen', screen: this.view(state) }));
    const started = await session.start();
    if (!started.ok) throw new TouchpointError(started.code, started.reason);
    return this.view(session.state);
  }

  /** The customer leaves help. An unfinished session is abandoned (traced); the screen goes away. */
  async closeSession(push = true): Promise<void> {
    const session = this.session;
    if (!session) return;
    if (session.state.outcome === null) await session.abandon();
    this.sessionOff?.();
    this.sessionOff = undefined;
    this.session = undefined;
    if (push) this.push({ type: 'help.screen', screen: null });
  }

  /**
   * Opens a support case after the customer consented (the consent sheet lists
   * exactly this: the diagnostics snapshot and this help session). A running
   * session ends as escalated first, so the trace says why.
   */
  async openCase(locale: string, reason?: string): Promise<HelpCaseState> {
    const session = this.session;
    if (session && session.state.outcome === null) {
      const escalated = await session.escalate('customer_request');
      if (!escalated.ok)
        this.options.logger.warn('could not escalate the help session', {
          code: escalated.code,
          reason: escalated.reason,
        });
    }
    const trace = session ? session.trace.slice(-1000) : [];
    const lastOutcome = [...trace].reverse().find((e) => e.kind === 'outcome');
    const caseReason =
      reason ?? (lastOutcome?.kind === 'outcome' ? lastOutcome.reason : undefined) ?? 'customer_request';
    const diagnostics = await this.options.diagnostics.build('case').catch((err: unknown) => {
      this.options.logger.warn('no diagnostics for the case', {
        code: ErrorCode.MCU_ERROR,
        error: (err as Error).message,
      });
      return undefined;
    });
    const at = this.now();
    const caseId = newId();
    const message = this.options.reporter.case(
      {
        caseId,
        reason: caseReason,
        ...(session ? { flowId: session.state.flow.id, sessionId: session.state.sessionId } : {}),
        locale,
        trace,
        ...(diagnostics ? { diagnostics } : {}),
        consent: { diagnostics: true, helpSession: true, at },
      },
      at,
    );
    this.options.logger.info('support case queued', { caseId, reason: caseReason, traceEntries: trace.length });
    return this.cases.opened(caseId, message.id, this.options.connection.connected, at);
  }

  private async act(sessionId: string, run: (session: FlowSession) => Promise<Result<void>>): Promise<void> {
    const session = this.session;
    if (!session || session.state.sessionId !== sessionId)
      throw new TouchpointError(ErrorCode.CONFLICT, 'this help session is no longer running');
    const result = await run(session);
    if (!result.ok) throw new TouchpointError(result.code, result.reason);
  }

  /** The engine's view with image paths turned into URLs on this server. */
  private view(state: HelpScreen): HelpScreenView {
    if (state.kind === 'info' && state.image) return { ...state, image: flowImageUrl(state.image) };
    return state;
  }

  private async refreshErrors(): Promise<void> {
    try {
      const errors = await this.options.readErrors();
      this.setErrors(orderLike(errors, this.errors));
    } catch (err) {
      this.options.logger.debug('could not read active errors', { error: (err as Error).message });
    }
  }

  private setErrors(errors: string[], force = false): void {
    this.errors = errors.slice(-64);
    const offers = offersFor(this.options.profile, this.flows, this.errors);
    if (!force && sameOffers(offers, this.offers)) return;
    this.offers = offers;
    this.push({ type: 'help.offers', offers });
  }

  private push(message: HelpUiMessage): void {
    this.options.localServer?.broadcast(message);
  }
}

function summary(flow: HelpFlow): HelpFlowSummary {
  return {
    id: flow.id,
    version: flow.version,
    title: flow.title,
    ...(flow.description ? { description: flow.description } : {}),
    errors: flow.triggers.errors,
    menu: flow.triggers.menu,
  };
}

/** Keeps codes already known in their raised order; new ones go last. */
function orderLike(next: readonly string[], previous: readonly string[]): string[] {
  return [...previous.filter((c) => next.includes(c)), ...next.filter((c) => !previous.includes(c))];
}

function sameOffers(a: readonly HelpOffer[], b: readonly HelpOffer[]): boolean {
  return a.length === b.length && a.every((o, i) => o.code === b[i]?.code && o.flowId === b[i]?.flowId);
}
