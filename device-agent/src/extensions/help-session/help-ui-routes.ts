import {
  helpBackRequest,
  helpCancelRequest,
  helpCaseDismissRequest,
  helpCaseOpenRequest,
  helpChooseRequest,
  helpCloseRequest,
  helpConfirmRequest,
  helpFlowsRequest,
  helpLocaleRequest,
  helpNextRequest,
  helpRateRequest,
  helpStartRequest,
  type HelpCaseState,
  type HelpOffer,
  type HelpScreenView,
  type HelpUiReplies,
} from '@touchpoint/protocol';
import type { ExtensionContext } from '../../extension-context.js';
import type { LocalServer } from '../../local-server/local-server.js';
import { FLOW_IMAGE_PATH, flowImageHandler } from './flow-images.js';
import type { SessionRunner } from './session-runner.js';

/** What the touchscreen's `help.*` requests reach. */
export interface HelpUiTarget {
  readonly flowsDir: string;
  readonly currentScreen: HelpScreenView | null;
  readonly currentOffers: readonly HelpOffer[];
  readonly currentCase: HelpCaseState | null;
  readonly runner: SessionRunner;
  catalog(): HelpUiReplies['help.flows'];
  startSession(
    flowId: string,
    locale: string,
    trigger?: 'menu' | 'error' | 'support',
    errorCode?: string,
    via?: 'phone',
  ): Promise<HelpScreenView>;
  closeSession(): Promise<void>;
  openCase(locale: string, reason?: string): Promise<HelpCaseState>;
  dismissCase(): void;
}

/**
 * The help session's surface on the local server: the flow images, the greeting
 * a new UI gets (offers, screen, case), and one handler per `help.*` request,
 * each with its protocol schema. All of them go into the extension's context.
 */
export function registerHelpUi(
  context: ExtensionContext,
  localServer: Pick<LocalServer, 'handle' | 'route' | 'onClient'>,
  help: HelpUiTarget,
): void {
  const act = help.runner.act.bind(help.runner);
  context.add(
    localServer.route(
      'GET',
      FLOW_IMAGE_PATH,
      flowImageHandler(() => help.flowsDir),
    ),
    localServer.onClient((client) => {
      client.send({ type: 'help.offers', offers: [...help.currentOffers] });
      client.send({ type: 'help.screen', screen: help.currentScreen });
      client.send({ type: 'help.case', case: help.currentCase });
    }),
    localServer.handle('help.flows', helpFlowsRequest, () => help.catalog()),
    localServer.handle('help.start', helpStartRequest, async (r) => ({
      screen: await help.startSession(r.flowId, r.locale, r.trigger, r.errorCode),
    })),
    localServer.handle('help.next', helpNextRequest, (r) => act(r.sessionId, (s) => s.next())),
    localServer.handle('help.choose', helpChooseRequest, (r) => act(r.sessionId, (s) => s.choose(r.choiceId))),
    localServer.handle('help.confirm', helpConfirmRequest, (r) => act(r.sessionId, (s) => s.confirmAction())),
    localServer.handle('help.cancel', helpCancelRequest, (r) => act(r.sessionId, (s) => s.cancelAction())),
    localServer.handle('help.back', helpBackRequest, (r) => act(r.sessionId, (s) => s.back())),
    localServer.handle('help.rate', helpRateRequest, (r) => act(r.sessionId, (s) => s.rate(r.ces, r.helped))),
    localServer.handle('help.close', helpCloseRequest, () => help.closeSession()),
    localServer.handle('help.locale', helpLocaleRequest, (r) => help.runner.setLocale(r.locale)),
    localServer.handle('help.case.open', helpCaseOpenRequest, (r) => help.openCase(r.locale, r.reason)),
    localServer.handle('help.case.dismiss', helpCaseDismissRequest, () => help.dismissCase()),
  );
}
