import { localize, type LocalizedText } from '@touchpoint/protocol';

/**
 * The Integrations view's words in German and English, as LocalizedText like
 * every other text Touchpoint shows (flows, profiles, the device's engine
 * texts). `{name}` is replaced with the account's name.
 */
export const integrationTexts = {
  title: { de: 'Integrationen', en: 'Integrations' },
  intro: {
    de: 'MQTT-Zugänge für die Backends eines Herstellers (ERP, Data Lake, Garantiesystem): jeder mit eigenem Token und einer Liste erlaubter Topic-Filter.',
    en: "MQTT accounts for a maker's backends (ERP, data lake, warranty system), each with its own token and an allow-list of topic filters.",
  },
  guide: { de: 'Anleitung: docs/integrations.md', en: 'Guide: docs/integrations.md' },
  accounts: { de: 'Zugänge', en: 'Accounts' },
  empty: { de: 'Noch keine Integrationen.', en: 'No integration accounts yet.' },
  loading: { de: 'Wird geladen …', en: 'Loading …' },
  colName: { de: 'Name', en: 'Name' },
  colRights: { de: 'Rechte', en: 'Rights' },
  colCreated: { de: 'Angelegt', en: 'Created' },
  colRotated: { de: 'Token erneuert', en: 'Rotated' },
  colStatus: { de: 'Status', en: 'Status' },
  colActions: { de: 'Aktionen', en: 'Actions' },
  never: { de: 'nie', en: 'never' },
  by: { de: 'von {name}', en: 'by {name}' },
  builtin: { de: 'eingebaut', en: 'built-in' },
  builtinNote: {
    de: 'Der interne Dienst des Brokers; sein Token wechselt mit keys/service-token.',
    en: "The broker's internal service; its token changes with keys/service-token.",
  },
  active: { de: 'aktiv', en: 'active' },
  revoked: { de: 'widerrufen', en: 'revoked' },
  chipSubscribe: { de: 'liest', en: 'reads' },
  chipPublish: { de: 'schreibt', en: 'writes' },
  chipDeny: { de: 'außer', en: 'except' },
  chipModels: { de: 'Modell', en: 'model' },
  chipPrefix: { de: 'Client-IDs', en: 'client ids' },
  chipAnonymous: { de: 'anonym über Loopback', en: 'anonymous on loopback' },
  rotate: { de: 'Token erneuern', en: 'Rotate token' },
  revoke: { de: 'Widerrufen', en: 'Revoke' },
  rotateHeading: { de: '{name} ein neues Token geben?', en: 'Give {name} a new token?' },
  rotateBody: {
    de: 'Das alte Token gilt sofort nicht mehr, offene Verbindungen werden geschlossen. Das Backend braucht danach das neue Token.',
    en: 'The old token stops working at once and open connections are closed. The backend needs the new token afterwards.',
  },
  revokeHeading: { de: '{name} widerrufen?', en: 'Revoke {name}?' },
  revokeBody: {
    de: 'Der Zugang kann sich nicht mehr verbinden, offene Verbindungen werden geschlossen. Der Name bleibt für das Audit-Log reserviert.',
    en: 'The account can no longer connect and open connections are closed. The name stays reserved for the audit log.',
  },
  cancel: { de: 'Abbrechen', en: 'Cancel' },
  createHeading: { de: 'Integration anlegen', en: 'Add an integration' },
  fieldName: { de: 'Name (MQTT-Benutzername)', en: 'Name (MQTT user name)' },
  fieldSubscribe: { de: 'Darf abonnieren (ein Filter pro Zeile)', en: 'May subscribe to (one filter per line)' },
  fieldPublish: {
    de: 'Darf senden an (ein Filter pro Zeile, nie im Gerätebaum tp/v1/d/…)',
    en: 'May publish to (one filter per line, never in the device tree tp/v1/d/…)',
  },
  fieldDeny: { de: 'Nie zustellen (ein Filter pro Zeile)', en: 'Never deliver (one filter per line)' },
  fieldModels: {
    de: 'Nur diese Modelle (eines pro Zeile, leer: alle)',
    en: 'Only these models (one per line, empty: all)',
  },
  fieldPrefix: { de: 'Präfix der Client-IDs (leer: NAME-)', en: 'Client id prefix (empty: NAME-)' },
  create: { de: 'Zugang anlegen', en: 'Create account' },
  tokenFor: { de: 'MQTT-Passwort für {name}', en: 'MQTT password for {name}' },
  shownOnce: {
    de: 'Wird nur dieses eine Mal angezeigt: jetzt kopieren. Es lässt sich nicht wieder anzeigen; geht es verloren, das Token erneuern.',
    en: 'Shown once: copy it now. It cannot be shown again; if it is lost, rotate the token.',
  },
  userName: { de: 'Benutzername', en: 'User name' },
  clientIds: { de: 'Client-IDs beginnen mit', en: 'Client ids start with' },
  copy: { de: 'Kopieren', en: 'Copy' },
  copied: { de: 'Kopiert', en: 'Copied' },
  copyFailed: {
    de: 'Kopieren ging nicht: bitte markieren und selbst kopieren.',
    en: 'Could not copy: select it and copy it yourself.',
  },
  done: { de: 'Fertig, ich habe es gespeichert', en: 'Done, I have stored it' },
  created: { de: 'Integration {name} angelegt.', en: 'Integration {name} created.' },
  rotated: {
    de: 'Neues Token für {name}; alte Verbindungen wurden geschlossen.',
    en: 'New token for {name}; its old connections were closed.',
  },
  revokedDone: {
    de: '{name} widerrufen; seine Verbindungen wurden geschlossen.',
    en: '{name} revoked; its connections were closed.',
  },
} satisfies Record<string, LocalizedText>;

export type IntegrationTextKey = keyof typeof integrationTexts;

/** The browser's first language, for choosing between the texts (German or English, English otherwise). */
export function browserLocale(
  languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages,
): string {
  return languages[0] ?? 'en';
}

/** One text in `locale`, with `{name}` filled in. */
export function integrationText(key: IntegrationTextKey, locale: string, name = ''): string {
  return localize(integrationTexts[key], locale).replaceAll('{name}', name);
}
