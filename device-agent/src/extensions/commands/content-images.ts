/**
 * Images in installed help content are served on the touch UI's origin, so an
 * image that can run script there can do anything the UI can, including
 * accepting a video call (issue 12 item 7). Raster images must be what their
 * extension says; SVG must be plain drawing: no script, no event handlers, no
 * javascript: URLs, no embedded HTML, no external references.
 *
 * The SVG rules are a deny-list over the text, kept strict on purpose: they
 * refuse what a browser could decode into script (entities, DOCTYPE), so an
 * obfuscated payload fails as surely as a plain one. Maker SVGs exported from
 * an editor may need "Export as plain SVG"; the refusal names the rule.
 */
const RASTER_MAGIC: Record<string, (bytes: Buffer) => boolean> = {
  png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  jpg: (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
  jpeg: (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
  gif: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')),
  webp: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

/** `squeezed`: also tested with whitespace and control characters removed. */
const SVG_RULES: readonly { rule: RegExp; what: string; squeezed?: true }[] = [
  { rule: /<!DOCTYPE|<!ENTITY/i, what: 'a DOCTYPE or entity declaration' },
  { rule: /<\?xml-stylesheet/i, what: 'an xml-stylesheet instruction' },
  {
    rule: /<\s*(?:[\w-]+:)?(?:script|foreignObject|iframe|embed|object|handler|listener|audio|video)\b/i,
    what: 'a script, foreignObject or embedding element',
  },
  { rule: /\bon[a-z]+\s*=/i, what: 'an event handler attribute (on…=)' },
  { rule: /&#|&(?!(?:amp|lt|gt|quot|apos);)/i, what: 'a character reference other than &amp; &lt; &gt; &quot; &apos;' },
  {
    rule: /(?:java|vb)script:|data:(?:text|application)/i,
    what: 'a javascript:, vbscript: or data:text URL',
    squeezed: true,
  },
  {
    rule: /\b(?:xlink:)?href\s*=(?!\s*["']?\s*#)/i,
    what: 'a reference to anything but a fragment (#id) in the same file',
  },
  { rule: /@import|url\((?!\s*["']?\s*#)/i, what: 'a style reference to another resource' },
];

export type ImageCheck = { ok: true } | { ok: false; reason: string };

/** Checks one image of a content document; `path` decides the type by its extension. */
export function checkContentImage(path: string, bytes: Buffer): ImageCheck {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  if (ext === 'svg') {
    const svg = checkSvg(bytes);
    return svg.ok ? svg : { ok: false, reason: `${path}: ${svg.reason}` };
  }
  const magic = RASTER_MAGIC[ext];
  if (!magic)
    return { ok: false, reason: `${path}: only .svg, .png, .jpg, .jpeg, .gif and .webp images are installed` };
  return magic(bytes) ? { ok: true } : { ok: false, reason: `${path}: the bytes are not a ${ext.toUpperCase()} image` };
}

export function checkSvg(bytes: Buffer): ImageCheck {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'the SVG is not UTF-8 text' };
  }
  if (!/<svg[\s/>]/i.test(text)) return { ok: false, reason: 'the file holds no <svg> element' };
  // Browsers drop tabs and newlines inside URLs ("java\tscript:"); compare without any whitespace or control characters.
  // eslint-disable-next-line no-control-regex
  const squeezed = text.replace(/[\u0000-\u0020\u007f-\u00a0]+/g, '');
  for (const { rule, what, squeezed: alsoSqueezed } of SVG_RULES) {
    if (rule.test(text) || (alsoSqueezed && rule.test(squeezed)))
      return { ok: false, reason: `the SVG contains ${what}` };
  }
  return { ok: true };
}
