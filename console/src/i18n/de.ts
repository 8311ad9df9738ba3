import type { Messages } from './en.js';

/**
 * Die deutschen Texte der Konsole (Issue 16). Neutrales Software-Deutsch für
 * Support-Teams, durchgehend dieselben Begriffe: Gerät, Fall, Warteschlange,
 * Fehlercode, Fernwartung, Mitarbeitende.
 */
export const de: Messages = {
  // Rahmen: Navigation, Kopfzeile, Sitzung.
  'app.loading': 'Wird geladen …',
  'app.title': 'Touchpoint-Konsole',
  'app.titleWithCount': '({count}) Touchpoint-Konsole',
  'app.mainNav': 'Hauptnavigation',
  'app.liveUpdates': 'Live-Aktualisierung',
  'app.password': 'Passwort',
  'app.signOut': 'Abmelden',
  'app.language': 'Sprache',
  'app.passwordSaved': 'Passwort gespeichert. Willkommen.',
  'app.passwordChanged': 'Passwort geändert. Alle anderen Sitzungen wurden abgemeldet.',
  'app.sessionEnded': 'Die Sitzung ist abgelaufen. Bitte erneut anmelden.',
  'app.newCase': 'Neuer Fall von {device}',
  'app.openCount': '{count} offen',
  'app.adminsOnlyStaff': 'Nur Admins verwalten Mitarbeitende.',
  'app.adminsOnlyIntegrations': 'Nur Admins verwalten Integrationen.',
  'nav.queue': 'Eskalations-Warteschlange',
  'nav.fleet': 'Geräteflotte',
  'nav.kpis': 'Kennzahlen',
  'nav.audit': 'Audit-Log',
  'nav.staff': 'Mitarbeitende',
  'nav.integrations': 'Integrationen',
  'role.viewer': 'Betrachter',
  'role.agent': 'Agent',
  'role.admin': 'Admin',

  // Zustand des Live-Kanals.
  'live.connecting': 'Verbinde …',
  'live.live': 'Live',
  'live.reconnecting': 'Verbinde neu …',
  'live.closed': 'Offline',

  // Zeiten und Dauern.
  'time.never': 'nie',
  'time.justNow': 'gerade eben',
  'time.secondsAgo': 'vor {count} s',
  'time.minutesAgo': 'vor {count} Min.',
  'time.hoursAgo': 'vor {count} Std.',
  'time.daysAgo': { one: 'vor {count} Tag', other: 'vor {count} Tagen' },
  'duration.s': '{s} s',
  'duration.min': '{min} Min.',
  'duration.minS': '{min} Min. {s} s',
  'duration.h': '{h} Std.',
  'duration.hMin': '{h} Std. {min} Min.',
  'duration.d': '{d} Tg.',
  'duration.dH': '{d} Tg. {h} Std.',

  // Customer Effort Score, 1 = sehr schwierig … 7 = sehr einfach.
  'ces.1': 'sehr schwierig',
  'ces.2': 'schwierig',
  'ces.3': 'eher schwierig',
  'ces.4': 'weder leicht noch schwierig',
  'ces.5': 'eher einfach',
  'ces.6': 'recht einfach',
  'ces.7': 'sehr einfach',

  // Gemeinsame Wörter.
  'common.cancel': 'Abbrechen',
  'common.close': 'Schließen',
  'common.save': 'Speichern',
  'common.loading': 'Wird geladen …',
  'common.error': 'Fehler: {message}',
  'common.none': '—',
};
