import type { CannedReply } from '@touchpoint/protocol';

/** Canned replies per language (issue 17): a short list staff pick from; a deployment replaces it (FleetLimits.chat). */
export type CannedReplies = Readonly<Record<string, readonly CannedReply[]>>;

export const DEFAULT_CANNED: CannedReplies = {
  en: [
    { id: 'greet', text: 'Hello, I am looking at your device now.' },
    { id: 'moment', text: 'One moment please, I am checking the diagnostics.' },
    { id: 'try-again', text: 'Please try again now and tell me if it works.' },
    { id: 'thanks', text: 'Thank you for your patience. Is there anything else I can do?' },
  ],
  de: [
    { id: 'greet', text: 'Hallo, ich sehe mir Ihr Gerät jetzt an.' },
    { id: 'moment', text: 'Einen Moment bitte, ich prüfe die Diagnosedaten.' },
    { id: 'try-again', text: 'Bitte versuchen Sie es jetzt noch einmal und sagen Sie mir, ob es funktioniert.' },
    { id: 'thanks', text: 'Vielen Dank für Ihre Geduld. Kann ich sonst noch etwas für Sie tun?' },
  ],
};

/** The list for `locale` (`de-AT` finds `de`), English when there is none for it. */
export function cannedFor(canned: CannedReplies, locale: string | undefined): { locale: string; items: CannedReply[] } {
  const lang = (locale ?? 'en').slice(0, 2).toLowerCase();
  const items = canned[lang];
  if (items) return { locale: lang, items: [...items] };
  return { locale: 'en', items: [...(canned['en'] ?? [])] };
}
