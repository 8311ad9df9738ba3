const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/**
 * A Zammad article body (usually text/html) as a plain case note: line breaks kept, tags dropped, the common
 * entities decoded. The console renders notes as text, so nothing here is ever interpreted as markup.
 */
export function htmlToText(body: string, contentType: string | undefined): string {
  if (contentType && !contentType.startsWith('text/html')) return body.trim();
  return body
    .replace(/<\s*br\s*\/?>/gi, '\n')
    .replace(/<\/\s*(p|div|li|blockquote)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, name: string) => ENTITIES[name] ?? '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
