import type { MessageKey, Translate } from '../i18n/translator.js';

const MARK = '\u0001';

/**
 * A translated sentence with markup inside it (issue 16): "Run <strong>Descale</strong>
 * on <strong>cm-1</strong>." is one text per language, and the words around the
 * parts move with the language. Each `{name}` in the text becomes the Lit value
 * given for it; the result is an array Lit renders in order.
 */
export function messageParts(t: Translate, key: MessageKey, parts: Record<string, unknown>): unknown[] {
  const names = Object.keys(parts);
  const markers = Object.fromEntries(names.map((name, i) => [name, `${MARK}${i}${MARK}`]));
  return t(key, markers)
    .split(new RegExp(`${MARK}(\\d+)${MARK}`))
    .map((piece, i) => (i % 2 === 1 ? parts[names[Number(piece)]!] : piece));
}
