import type { UiLocale } from '../common/initial-locale.js';

/** Everything a customer can ask for with a tap. Screens only render and raise intents; tp-app acts on them. */
export type Intent =
  | { kind: 'start'; flowId: string; trigger: 'menu' | 'error'; errorCode?: string }
  | { kind: 'next' }
  | { kind: 'choose'; choiceId: string }
  | { kind: 'confirm' }
  | { kind: 'cancel-action' }
  | { kind: 'back' }
  | { kind: 'rate'; ces: number; helped: boolean }
  | { kind: 'close' }
  | { kind: 'support' }
  | { kind: 'share' }
  | { kind: 'consent-cancel' }
  | { kind: 'show-case' }
  | { kind: 'home' }
  | { kind: 'dismiss-case' }
  | { kind: 'dismiss-support' }
  | { kind: 'history' }
  | { kind: 'support-answer'; commandId: string; allow: boolean }
  /** Allow remote control for the agent's configured time; 0 ends it. */
  | { kind: 'support-remote'; minutes: number }
  /** The customer's Send (true) or Don't send on a support bundle (issue 17). */
  | { kind: 'bundle-answer'; send: boolean }
  /** "Use my phone" (issue 17): a code for the customer's phone; and the end of the phone's access. */
  | { kind: 'phone-open' }
  | { kind: 'phone-end' }
  /** The live chat (issue 17): open and close it, write, tap an answer (a flow step's starts its flow), a photo. */
  | { kind: 'chat-open' }
  | { kind: 'chat-close' }
  | { kind: 'chat-send'; text: string }
  | { kind: 'chat-answer'; replyTo: string; choice: string; flowId?: string }
  | { kind: 'chat-typing' }
  | { kind: 'chat-image'; mime: string; data: string }
  | { kind: 'locale'; locale: UiLocale };

export class IntentEvent extends Event {
  static readonly type = 'tp-intent';
  constructor(readonly intent: Intent) {
    super(IntentEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'tp-intent': IntentEvent;
  }
}

/** Raise an intent from a component. */
export function emitIntent(from: EventTarget, intent: Intent): void {
  from.dispatchEvent(new IntentEvent(intent));
}
