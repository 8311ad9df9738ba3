/** The phone page's own words, en and de (the flows' texts come resolved from the device). German uses "Sie". */
const en = {
  opening: 'Opening the link…',
  connected: 'Connected to your device. Steps you take here run on the device.',
  refusedLink: 'This link cannot be used: it was already used, replaced or has expired. Show a new code on the device.',
  lost: 'Connection lost. Reload the code on the device to continue here.',
  ended: {
    device: 'Access ended on the device. This phone can no longer control it.',
    phone: 'You ended this phone’s access.',
    expired: 'This phone’s access has expired. Show a new code on the device to continue.',
    replaced: 'A new code was shown on the device; this phone’s access has ended.',
    offline: 'The device went offline; this phone’s access has ended.',
  },
  liveBadge: 'Connected to the device',
  leave: 'Leave',
  topics: 'How can we help?',
  next: 'Next',
  back: 'Back',
  close: 'Close',
  run: 'Run on the device',
  cancel: 'Cancel',
  confirmOnDevice: 'For your safety this step must be confirmed on the device’s screen.',
  checking: 'Checking on the device…',
  running: 'Running on the device…',
  verifying: 'Checking the result on the device…',
  escalate: 'To contact support, confirm on the device’s screen what will be shared.',
  helped: 'Did this solve your problem?',
  yes: 'Yes',
  no: 'No',
  caseTitle: 'Your support case',
  caseStatus: {
    queued: 'Waiting for a support agent',
    sending: 'Sending…',
    open: 'Open',
    claimed: 'A support agent is looking at your device',
    resolved: 'Resolved',
    closed: 'Closed',
  },
  stepRefused: 'The device did not take this step:',
  chatTitle: 'Chat with support',
  chatSend: 'Send',
  chatPlaceholder: 'Write a message',
  chatYou: 'You',
  chatSupport: 'Support',
  chatAnswered: 'Answered: {choice}',
};

export type PhoneStrings = typeof en;

const de: PhoneStrings = {
  opening: 'Link wird geöffnet …',
  connected: 'Mit Ihrem Gerät verbunden. Schritte, die Sie hier ausführen, laufen auf dem Gerät.',
  refusedLink:
    'Dieser Link kann nicht verwendet werden: Er wurde bereits benutzt, ersetzt oder ist abgelaufen. Lassen Sie sich am Gerät einen neuen Code anzeigen.',
  lost: 'Verbindung verloren. Lassen Sie sich am Gerät einen neuen Code anzeigen, um hier weiterzumachen.',
  ended: {
    device: 'Der Zugriff wurde am Gerät beendet. Dieses Telefon kann das Gerät nicht mehr steuern.',
    phone: 'Sie haben den Zugriff dieses Telefons beendet.',
    expired: 'Der Zugriff dieses Telefons ist abgelaufen. Lassen Sie sich am Gerät einen neuen Code anzeigen.',
    replaced: 'Am Gerät wurde ein neuer Code angezeigt; der Zugriff dieses Telefons ist beendet.',
    offline: 'Das Gerät ist offline; der Zugriff dieses Telefons ist beendet.',
  },
  liveBadge: 'Mit dem Gerät verbunden',
  leave: 'Beenden',
  topics: 'Wobei können wir helfen?',
  next: 'Weiter',
  back: 'Zurück',
  close: 'Schließen',
  run: 'Am Gerät ausführen',
  cancel: 'Abbrechen',
  confirmOnDevice: 'Zu Ihrer Sicherheit muss dieser Schritt am Bildschirm des Geräts bestätigt werden.',
  checking: 'Wird am Gerät geprüft …',
  running: 'Läuft am Gerät …',
  verifying: 'Ergebnis wird am Gerät geprüft …',
  escalate: 'Um den Support zu kontaktieren, bestätigen Sie am Bildschirm des Geräts, was geteilt wird.',
  helped: 'Hat das Ihr Problem gelöst?',
  yes: 'Ja',
  no: 'Nein',
  caseTitle: 'Ihr Supportfall',
  caseStatus: {
    queued: 'Wartet auf eine Supportkraft',
    sending: 'Wird gesendet …',
    open: 'Offen',
    claimed: 'Eine Supportkraft sieht sich Ihr Gerät an',
    resolved: 'Gelöst',
    closed: 'Geschlossen',
  },
  stepRefused: 'Das Gerät hat diesen Schritt nicht ausgeführt:',
  chatTitle: 'Chat mit dem Support',
  chatSend: 'Senden',
  chatPlaceholder: 'Nachricht schreiben',
  chatYou: 'Sie',
  chatSupport: 'Support',
  chatAnswered: 'Beantwortet: {choice}',
};

export const PHONE_STRINGS: Record<'en' | 'de', PhoneStrings> = { en, de };
export type PhoneLocale = keyof typeof PHONE_STRINGS;

export function phoneLocale(tag: string | undefined): PhoneLocale {
  return tag?.toLowerCase().startsWith('de') ? 'de' : 'en';
}
