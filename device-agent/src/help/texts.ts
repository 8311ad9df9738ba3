import type { LocalizedText } from '@touchpoint/protocol';

/** Engine texts a flow does not have to write itself. Flows may override the rate questions. */
export const defaultTexts = {
  rateQuestion: { de: 'Wie einfach war es, Ihr Problem zu lösen?', en: 'How easy was it to solve your problem?' },
  helpedQuestion: { de: 'Hat Ihnen das geholfen?', en: 'Did this help?' },
  rateLow: { de: 'Sehr schwierig', en: 'Very difficult' },
  rateHigh: { de: 'Sehr einfach', en: 'Very easy' },
  checking: { de: 'Einen Moment, das Gerät wird geprüft …', en: 'One moment, checking the device …' },
  running: { de: 'Läuft …', en: 'Running …' },
  verifying: { de: 'Ergebnis wird geprüft …', en: 'Checking the result …' },
  customerEscalated: { de: 'Unser Support hilft Ihnen weiter.', en: 'Our support team will help you from here.' },
  checkFailed: {
    de: 'Der Zustand des Geräts konnte nicht gelesen werden. Unser Support hilft Ihnen weiter.',
    en: "We could not read the device's state. Our support team will help you from here.",
  },
  flowLoop: {
    de: 'Diese Hilfe kommt hier nicht weiter. Unser Support hilft Ihnen weiter.',
    en: 'This guide cannot go any further. Our support team will help you from here.',
  },
  thanks: { de: 'Danke für Ihre Bewertung!', en: 'Thank you for your feedback!' },
  abandoned: { de: 'Hilfe beendet.', en: 'Help closed.' },
} satisfies Record<string, LocalizedText>;
