import { formatMessage, type MessageParams, type MessageValue } from '../i18n/format-message.js';
import type { ConsoleLocale } from '../i18n/locale.js';

/**
 * The demo's Simulator panel's words (tpc-simulator-panel; issue 16), in English and German,
 * formatted with the console's Intl message helper. `{name}` is a parameter.
 */
const en = {
  title: 'Simulator',
  note: 'This is a simulated demo device. What you do here happens to the device itself, as if it were real.',
  errors: 'Errors in the device',
  none: 'none',
  clear: 'Clear {code}',
  raise: 'Raise',
  raiseLabel: 'Error to raise',
  scenario: 'Apply',
  scenarioLabel: 'Scenario',
  unplug: 'Unplug serial link (30 s)',
  unplugged: 'Serial link unplugged until {time}',
  offline: 'Take offline',
  online: 'Bring online',
  networkOffline: 'The device is offline (its network connection is dropped).',
  done: '{control} sent',
  failed: 'Could not apply: {message}',
  viewerOnly: 'Your role can watch the simulator but not drive it.',
} satisfies Record<string, MessageValue>;

export type SimulatorTextKey = keyof typeof en;

const de: Record<SimulatorTextKey, MessageValue> = {
  title: 'Simulator',
  note: 'Dies ist ein simuliertes Demo-Gerät. Was Sie hier tun, geschieht dem Gerät selbst, als wäre es echt.',
  errors: 'Fehler im Gerät',
  none: 'keine',
  clear: '{code} aufheben',
  raise: 'Auslösen',
  raiseLabel: 'Auszulösender Fehler',
  scenario: 'Anwenden',
  scenarioLabel: 'Szenario',
  unplug: 'Serielle Verbindung trennen (30 s)',
  unplugged: 'Serielle Verbindung getrennt bis {time}',
  offline: 'Offline nehmen',
  online: 'Wieder online',
  networkOffline: 'Das Gerät ist offline (seine Netzwerkverbindung ist getrennt).',
  done: '{control} gesendet',
  failed: 'Nicht möglich: {message}',
  viewerOnly: 'Ihre Rolle kann den Simulator sehen, aber nicht bedienen.',
};

export const simulatorTexts: Record<ConsoleLocale, Record<SimulatorTextKey, MessageValue>> = { en, de };

export function simulatorText(locale: ConsoleLocale, key: SimulatorTextKey, params?: MessageParams): string {
  return formatMessage(locale, simulatorTexts[locale][key], params);
}
