import {
  caseStatusMessage,
  decode,
  deviceTopic,
  ErrorCode,
  TouchpointError,
  type DeviceProfile,
  type HelpCaseState,
  type HelpFlow,
  type HelpOffer,
  type HelpScreenView,
  type HelpUiMessage,
  type HelpUiReplies,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import { ExtensionBase } from '../../extension-base.js';
import type { ExtensionContext } from '../../extension-context.js';
import type { HelpPort } from '../../help/port.js';
import type { LocalServer } from '../../local-server/local-server.js';
import type { Logger } from '../../logger.js';
import type { MqttConnection } from '../../mqtt/connection.js';
import type { Reporter } from '../../outbox/reporter.js';
import type { DiagnosticsExtension } from '../diagnostics/diagnostics-extension.js';
import { openCase } from './case-opener.js';
import { CaseTracker } from './case-tracker.js';
import { ErrorOffers } from './error-offers.js';
import { FlowCatalog } from './flow-catalog.js';
import { registerHelpUi, type HelpUiTarget } from './help-ui-routes.js';
import { SessionRunner } from './session-runner.js';

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
 * The touchscreen's help, wired from parts with one job each: the model's
 * flows (FlowCatalog), one flow session at a time with its trace published as
 * it happens (SessionRunner), help offered for the MCU's active errors
 * (ErrorOffers), the customer's case (openCase, CaseTracker), and the `help.*`
 * requests of the UI (registerHelpUi). This class feeds them bus events and
 * pushes their changes to the UI.
 */
export class HelpSessionExtension extends ExtensionBase implements HelpUiTarget {
  readonly name = 'help-session';
  /** Without help the device still takes commands and reports; a broken flows folder must not stop that. */
  override readonly optional = true;
  readonly runner: SessionRunner;
  private readonly flows: FlowCatalog;
  private readonly offers: ErrorOffers;
  private readonly cases: CaseTracker;
  private readonly now: () => number;

  constructor(private readonly options: HelpSessionOptions) {
    super();
    this.now = options.now ?? Date.now;
    const { profile, port, reporter, logger } = options;
    this.flows = new FlowCatalog(profile, logger);
    this.runner = new SessionRunner({
      profile,
      port,
      reporter,
      logger,
      now: this.now,
      onScreen: (screen) => this.push({ type: 'help.screen', screen }),
    });
    this.offers = new ErrorOffers(
      profile,
      () => this.flows.loaded,
      (offers) => this.push({ type: 'help.offers', offers }),
    );
    this.cases = new CaseTracker((state) => this.push({ type: 'help.case', case: state }));
  }

  /** The loaded flows (valid ones for this model only). */
  get loadedFlows(): readonly HelpFlow[] {
    return this.flows.loaded;
  }

  get flowsDir(): string {
    return this.flows.flowsDir;
  }

  get currentScreen(): HelpScreenView | null {
    return this.runner.screen;
  }

  get currentOffers(): readonly HelpOffer[] {
    return this.offers.current;
  }

  get currentCase(): HelpCaseState | null {
    return this.cases.state;
  }

  protected async onStart(context: ExtensionContext): Promise<void> {
    const { modelDir, logger, bus, connection, deviceId, localServer } = this.options;
    const installed = await this.options.installedDir?.().catch(() => undefined);
    await this.flows.load(installed ?? modelDir);

    // The fleet sends the case status on each change and again on every birth (issue 15); the UI shows it live.
    context.subscribe(connection, deviceTopic(deviceId, 'caseStatus'), 1, (_topic: string, payload: Buffer) => {
      if (payload.length === 0) return; // a cleared retained message (brokers that kept one from older versions)
      const decoded = decode(caseStatusMessage, payload);
      if (!decoded.ok) return logger.warn('case status refused', { code: decoded.code, reason: decoded.reason });
      bus.emit('case.status', decoded.value);
    });

    context.on(bus, 'case.status', (message) => this.cases.status(message));
    context.on(bus, 'report.delivered', ({ kind, messageId }) => {
      if (kind === 'case') this.cases.delivered(messageId);
    });
    context.on(bus, 'mqtt.connected', () => this.cases.connection(true));
    context.on(bus, 'mqtt.disconnected', () => this.cases.connection(false));
    context.on(bus, 'mcu.event', (event) => {
      if (event.type === 'error.raised') this.offers.raised(event.code);
      if (event.type === 'error.cleared') this.offers.cleared(event.code);
    });
    context.on(bus, 'mcu.link', ({ state }) => {
      if (state === 'up') void this.refreshErrors();
    });
    context.on(bus, 'help.installed', async ({ dir }) => {
      await this.flows.load(dir);
      this.offers.flowsChanged();
      this.push({ type: 'help.catalog', ...this.catalog() });
    });
    void this.refreshErrors();

    if (localServer) registerHelpUi(context, localServer, this);
  }

  protected override onStop(): void {
    this.runner.unsubscribe();
  }

  /** The flows and what the home screen needs to name the device and its errors. */
  catalog(): HelpUiReplies['help.flows'] {
    return this.flows.catalog();
  }

  /** Starts a flow; an unfinished session is abandoned first (and traced as such). */
  async startSession(
    flowId: string,
    locale: string,
    trigger: 'menu' | 'error' | 'support' = 'menu',
    errorCode?: string,
    via?: 'phone',
  ): Promise<HelpScreenView> {
    const flow = this.flows.find(flowId);
    if (!flow)
      throw new TouchpointError(ErrorCode.NOT_FOUND, `no help flow ${flowId} for ${this.options.profile.model}`);
    return this.runner.start(flow, locale, trigger, errorCode, via);
  }

  /** The customer leaves help. An unfinished session is abandoned (traced); the screen goes away. */
  closeSession(push = true): Promise<void> {
    return this.runner.close(push);
  }

  /** Opens a support case after consent; see case-opener.ts. */
  openCase(locale: string, reason?: string): Promise<HelpCaseState> {
    const { reporter, connection, diagnostics, logger } = this.options;
    return openCase(
      { reporter, connection, diagnostics, cases: this.cases, logger, now: this.now, bus: this.options.bus },
      this.runner.current,
      locale,
      reason,
    );
  }

  dismissCase(): void {
    this.cases.dismiss();
  }

  /**
   * Seeds the offers at start and after a reconnect. Later differences (lost events, a diagnostics snapshot's read)
   * reach us as the bridge's corrective error events (its ErrorLedger), in wire order.
   */
  private async refreshErrors(): Promise<void> {
    const eventCount = this.offers.eventCount;
    try {
      this.offers.replace(await this.options.readErrors(), eventCount);
    } catch (err) {
      this.options.logger.debug('could not read active errors', { error: (err as Error).message });
    }
  }

  private push(message: HelpUiMessage): void {
    this.options.localServer?.broadcast(message);
    this.options.bus.emit('help.ui', message);
  }
}
