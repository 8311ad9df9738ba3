import type { MessageValue } from './format-message.js';

/**
 * The console's English texts (issue 16: the console in German and English).
 * Keys are `area.name`; every key here must be in de.ts too (the `Messages`
 * type makes a missing one a type error). `{name}` is a parameter; a plural
 * message picks its form with Intl.PluralRules on `{count}`.
 */
export const en = {
  // The shell: navigation, header, session.
  'app.loading': 'Loading…',
  'app.title': 'Touchpoint console',
  'app.titleWithCount': '({count}) Touchpoint console',
  'app.mainNav': 'Main',
  'app.liveUpdates': 'Live updates',
  'app.password': 'Password',
  'app.signOut': 'Sign out',
  'app.language': 'Language',
  'app.passwordSaved': 'Password saved. Welcome.',
  'app.passwordChanged': 'Password changed. Your other sessions were signed out.',
  'app.sessionEnded': 'Your session ended. Please sign in again.',
  'app.newCase': 'New case from {device}',
  'app.openCount': '{count} open',
  'app.adminsOnlyStaff': 'Only admins manage staff.',
  'app.adminsOnlyIntegrations': 'Only admins manage integrations.',
  'nav.queue': 'Escalation queue',
  'nav.fleet': 'Fleet',
  'nav.kpis': 'KPIs',
  'nav.audit': 'Audit log',
  'nav.staff': 'Staff',
  'nav.integrations': 'Integrations',
  'role.viewer': 'viewer',
  'role.agent': 'agent',
  'role.admin': 'admin',

  // The live channel's state (tpc-connection-state).
  'live.connecting': 'Connecting…',
  'live.live': 'Live',
  'live.reconnecting': 'Reconnecting…',
  'live.closed': 'Offline',

  // Times and durations (common/format-relative.ts, format-duration.ts).
  'time.never': 'never',
  'time.justNow': 'just now',
  'time.secondsAgo': '{count} s ago',
  'time.minutesAgo': '{count} min ago',
  'time.hoursAgo': '{count} h ago',
  'time.daysAgo': '{count} d ago',
  'duration.s': '{s} s',
  'duration.min': '{min} min',
  'duration.minS': '{min} min {s} s',
  'duration.h': '{h} h',
  'duration.hMin': '{h} h {min} min',
  'duration.d': '{d} d',
  'duration.dH': '{d} d {h} h',

  // The Customer Effort Score, 1 = very difficult … 7 = very easy (common/ces.ts).
  'ces.1': 'very difficult',
  'ces.2': 'difficult',
  'ces.3': 'somewhat difficult',
  'ces.4': 'neither easy nor difficult',
  'ces.5': 'somewhat easy',
  'ces.6': 'fairly easy',
  'ces.7': 'very easy',

  // Words many views share.
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.save': 'Save',
  'common.loading': 'Loading…',
  'common.error': 'Error: {message}',
  'common.none': '—',
} satisfies Record<string, MessageValue>;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, MessageValue>;
