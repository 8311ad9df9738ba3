import { z } from 'zod';
import { localizedText } from './base.js';
import { caseStatus } from './case.js';
import { uiRequestBase } from './local-ui.js';

/**
 * The help-session part of the touch UI <-> agent contract (`help.*` types on
 * the loopback WebSocket). The agent runs the flow engine; the UI renders the
 * screen view model it pushes and sends the customer's taps back as requests.
 */

const locale = z.string().min(2).max(8);
const stepId = z.string().max(64);

// ---- the screen view model (mirrors device-agent's HelpScreen) ------------

const screenCommon = {
  sessionId: z.string().max(64),
  flow: z.object({ id: z.string().max(64), version: z.string().max(32), title: z.string().max(256) }),
  locale,
  stepId: stepId.nullable(),
  title: z.string().max(256),
  canGoBack: z.boolean(),
  busy: z.boolean(),
  progress: z.number().min(0).max(100),
  outcome: z.enum(['resolved', 'escalated', 'abandoned']).nullable(),
};

const text = z.string().max(4096);

export const helpScreen = z.discriminatedUnion('kind', [
  z.object({ ...screenCommon, kind: z.literal('idle') }),
  z.object({
    ...screenCommon,
    kind: z.literal('info'),
    text,
    image: z.string().max(512).optional(),
    imageAlt: z.string().max(512).optional(),
  }),
  z.object({
    ...screenCommon,
    kind: z.literal('question'),
    text,
    choices: z.array(z.object({ id: z.string().max(64), label: z.string().max(256) })).max(16),
  }),
  z.object({ ...screenCommon, kind: z.literal('check'), text }),
  z.object({
    ...screenCommon,
    kind: z.literal('action'),
    phase: z.enum(['confirm', 'running', 'verifying']),
    action: z.object({
      name: z.string().max(64),
      label: z.string().max(256),
      description: z.string().max(1024).optional(),
      estimatedSeconds: z.number().int().nonnegative().optional(),
    }),
    confirm: text,
    text,
    actionProgress: z.number().min(0).max(100).nullable(),
  }),
  z.object({
    ...screenCommon,
    kind: z.literal('outcome'),
    result: z.enum(['resolved', 'escalate']),
    text,
    reason: z.string().max(256).optional(),
    canRate: z.boolean(),
  }),
  z.object({
    ...screenCommon,
    kind: z.literal('rate'),
    question: text,
    helpedQuestion: text,
    scale: z.object({
      min: z.literal(1),
      max: z.literal(7),
      lowLabel: z.string().max(64),
      highLabel: z.string().max(64),
    }),
  }),
  z.object({ ...screenCommon, kind: z.literal('done'), text, rated: z.boolean() }),
]);
export type HelpScreenView = z.infer<typeof helpScreen>;

/** A flow as the home screen lists it; texts in every language so the UI can switch without asking again. */
export const helpFlowSummary = z.object({
  id: z.string().max(64),
  version: z.string().max(32),
  title: localizedText,
  description: localizedText.optional(),
  /** Error codes this flow handles. */
  errors: z.array(z.string().max(16)).max(64),
  /** Listed under help topics. */
  menu: z.boolean(),
});
export type HelpFlowSummary = z.infer<typeof helpFlowSummary>;

/** What the home screen needs to name the device and its error codes. */
export const helpDeviceInfo = z.object({
  name: localizedText,
  /** The profile's displayNoun, for labels such as "Wallbox connected"; absent: the UI says "Device". */
  noun: localizedText.optional(),
  errors: z
    .array(
      z.object({ code: z.string().max(16), label: localizedText, severity: z.enum(['info', 'warning', 'critical']) }),
    )
    .max(256),
});
export type HelpDeviceInfo = z.infer<typeof helpDeviceInfo>;

/** Proactive help: an active error that a flow handles ("E05: Descaling needed — show me how"). */
export const helpOffer = z.object({
  code: z.string().max(16),
  label: localizedText,
  severity: z.enum(['info', 'warning', 'critical']),
  flowId: z.string().max(64),
  flowTitle: localizedText,
});
export type HelpOffer = z.infer<typeof helpOffer>;

/**
 * Where the customer's support case is: `delivery` says whether it has left the
 * device (queued offline, sending, sent = the broker has it), `status` is the
 * fleet's word once it has one (claimed: an agent is looking at the device).
 */
export const helpCaseState = z.object({
  caseId: z.string().max(64),
  delivery: z.enum(['queued', 'sending', 'sent']),
  status: caseStatus.nullable(),
  agentName: z.string().max(64).optional(),
  openedAt: z.number().int().nonnegative(),
});
export type HelpCaseState = z.infer<typeof helpCaseState>;

// ---- UI -> agent ------------------------------------------------------------

export const helpFlowsRequest = uiRequestBase.extend({ type: z.literal('help.flows') });
export const helpStartRequest = uiRequestBase.extend({
  type: z.literal('help.start'),
  flowId: z.string().min(1).max(64),
  locale,
  trigger: z.enum(['menu', 'error']).default('menu'),
  errorCode: z.string().max(16).optional(),
});
export const helpNextRequest = uiRequestBase.extend({ type: z.literal('help.next'), sessionId: z.string().max(64) });
export const helpChooseRequest = uiRequestBase.extend({
  type: z.literal('help.choose'),
  sessionId: z.string().max(64),
  choiceId: z.string().min(1).max(64),
});
export const helpConfirmRequest = uiRequestBase.extend({
  type: z.literal('help.confirm'),
  sessionId: z.string().max(64),
});
export const helpCancelRequest = uiRequestBase.extend({
  type: z.literal('help.cancel'),
  sessionId: z.string().max(64),
});
export const helpBackRequest = uiRequestBase.extend({ type: z.literal('help.back'), sessionId: z.string().max(64) });
export const helpRateRequest = uiRequestBase.extend({
  type: z.literal('help.rate'),
  sessionId: z.string().max(64),
  /** 1 = very difficult … 7 = very easy (CES 2.0); higher is better (issue 16). */
  ces: z.number().int().min(1).max(7),
  helped: z.boolean(),
});
/** Leave help: abandons an unfinished session (traced) and clears the screen. */
export const helpCloseRequest = uiRequestBase.extend({ type: z.literal('help.close') });
export const helpLocaleRequest = uiRequestBase.extend({ type: z.literal('help.locale'), locale });
/** Share / in the consent sheet: the consent is explicit, item by item. */
export const helpCaseOpenRequest = uiRequestBase.extend({
  type: z.literal('help.case.open'),
  locale,
  reason: z.string().min(1).max(256).optional(),
  consent: z.object({ diagnostics: z.literal(true), helpSession: z.literal(true) }),
});
/** Closes the case screen (the case itself stays with support). */
export const helpCaseDismissRequest = uiRequestBase.extend({ type: z.literal('help.case.dismiss') });

/** Reply data by request type (requests not listed reply without data). */
export interface HelpUiReplies {
  'help.flows': { flows: HelpFlowSummary[]; device: HelpDeviceInfo };
  'help.start': { screen: HelpScreenView };
  'help.case.open': HelpCaseState;
}

// ---- agent -> UI ------------------------------------------------------------

/** The current help screen; null when no session runs. Pushed on every change and to each new UI. */
export const helpScreenMessage = z.object({ type: z.literal('help.screen'), screen: helpScreen.nullable() });
/** Every active error that a flow handles; pushed when it changes and to each new UI. */
export const helpOffersMessage = z.object({ type: z.literal('help.offers'), offers: z.array(helpOffer).max(64) });
/** The customer's current case; null once dismissed. */
export const helpCaseMessage = z.object({ type: z.literal('help.case'), case: helpCaseState.nullable() });

/** New help content went live (support pushed it with help.install): the flows and device info, as help.flows replies. */
export const helpCatalogMessage = z.object({
  type: z.literal('help.catalog'),
  flows: z.array(helpFlowSummary).max(256),
  device: helpDeviceInfo,
});

export const helpUiMessage = z.discriminatedUnion('type', [
  helpScreenMessage,
  helpOffersMessage,
  helpCaseMessage,
  helpCatalogMessage,
]);
export type HelpUiMessage = z.infer<typeof helpUiMessage>;
