import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { HelpCaseState, HelpDeviceInfo, HelpFlowSummary, HelpOffer, HelpScreenView } from '@touchpoint/protocol';
import { AgentRequestError, type AgentClient } from '../data/agent-client.js';
import { helpApi, type HelpApi } from '../data/help-api.js';

/**
 * The help session as the UI sees it: flows and device info (fetched on every
 * (re)connect), the screen the agent's engine pushes, proactive offers and the
 * support case. Methods send the customer's taps; the screen follows from the
 * agent's pushes, so several tabs (or a reload) always agree.
 */
export class HelpSessionController implements ReactiveController {
  flows: HelpFlowSummary[] = [];
  device: HelpDeviceInfo | undefined;
  screen: HelpScreenView | null = null;
  offers: HelpOffer[] = [];
  supportCase: HelpCaseState | null = null;
  /** The last refused request, shown until the next tap. */
  error: AgentRequestError | undefined;
  /** Requests on their way (buttons show it; the engine also refuses taps while busy). */
  private inflight = 0;
  readonly api: HelpApi;

  get pending(): boolean {
    return this.inflight > 0;
  }
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: AgentClient,
    private readonly locale: () => string,
  ) {
    this.api = helpApi(client);
    host.addController(this);
  }

  hostConnected(): void {
    this.off.push(
      this.client.onStatus((status) => {
        if (status === 'open') void this.loadFlows();
      }),
      this.client.onMessage((message) => {
        switch (message.type) {
          case 'help.screen':
            this.screen = message.screen;
            break;
          case 'help.offers':
            this.offers = message.offers;
            break;
          case 'help.case':
            this.supportCase = message.case;
            break;
          case 'help.catalog':
            this.flows = message.flows;
            this.device = message.device;
            break;
          case 'hello':
          case 'state':
          case 'reply':
          case 'progress':
          case 'command':
          case 'case.status':
          case 'support.ask':
          case 'support.remote':
          case 'bundle.ask':
          case 'bundle.closed':
          case 'phone.state':
          case 'chat.state':
          case 'other':
            return;
        }
        this.host.requestUpdate();
      }),
    );
    if (this.client.status === 'open') void this.loadFlows();
  }

  hostDisconnected(): void {
    for (const off of this.off.splice(0)) off();
  }

  async loadFlows(): Promise<void> {
    await this.run(async () => {
      const reply = await this.api.flows();
      this.flows = reply.flows;
      this.device = reply.device;
    });
  }

  start(flowId: string, trigger: 'menu' | 'error' = 'menu', errorCode?: string): Promise<void> {
    return this.run(async () => {
      const { screen } = await this.api.start(flowId, this.locale(), trigger, errorCode);
      this.screen = screen;
    });
  }

  next = (): Promise<void> => this.withSession((id) => this.api.next(id));
  choose = (choiceId: string): Promise<void> => this.withSession((id) => this.api.choose(id, choiceId));
  confirm = (): Promise<void> => this.withSession((id) => this.api.confirm(id));
  cancel = (): Promise<void> => this.withSession((id) => this.api.cancel(id));
  back = (): Promise<void> => this.withSession((id) => this.api.back(id));
  rate = (ces: number, helped: boolean): Promise<void> => this.withSession((id) => this.api.rate(id, ces, helped));

  close(): Promise<void> {
    return this.run(async () => {
      await this.api.close();
      this.screen = null;
    });
  }

  openCase(): Promise<void> {
    return this.run(async () => {
      this.supportCase = await this.api.openCase(this.locale());
    });
  }

  dismissCase(): Promise<void> {
    return this.run(async () => {
      await this.api.dismissCase();
      this.supportCase = null;
    });
  }

  setLocale(locale: string): void {
    if (this.screen) void this.run(() => this.api.setLocale(locale));
  }

  private withSession(call: (sessionId: string) => Promise<void>): Promise<void> {
    const id = this.screen?.sessionId;
    if (!id) return Promise.resolve();
    return this.run(() => call(id));
  }

  /** Runs one request; a refusal is kept for the UI to show, never thrown at a click handler. */
  private async run(work: () => Promise<void>): Promise<void> {
    this.error = undefined;
    this.inflight++;
    this.host.requestUpdate();
    try {
      await work();
    } catch (err) {
      this.error = err instanceof AgentRequestError ? err : new AgentRequestError('INTERNAL', (err as Error).message);
    } finally {
      this.inflight--;
      this.host.requestUpdate();
    }
  }
}
