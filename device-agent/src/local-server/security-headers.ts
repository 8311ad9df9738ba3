import type { ServerResponse } from 'node:http';

/**
 * Response headers of the loopback UI server (issue 12, item 6: a page in the
 * kiosk browser framed the touchscreen invisibly and a tap on a decoy accepted
 * a video call). Every response forbids framing, twice: CSP `frame-ancestors`
 * for current browsers and `X-Frame-Options` for old kiosk engines.
 */

/** Everything that is not the UI document: no content may load, nothing may frame it. */
export const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The UI document. `connect-src 'self'`: the UI only talks to its own
 * WebSocket on this origin (CSP3 lets 'self' match ws: on the same host and
 * port); WebRTC media is not governed by connect-src. Images are the UI's own,
 * flow images (same origin) and the locally drawn QR code (data:); video
 * streams are blob:/MediaStream. Inline styles: index.html and Lit.
 */
export const UI_DOCUMENT_CSP =
  "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Installed flow images (issue 12, item 7: an SVG with a script, opened on the
 * UI origin, accepted a video call by itself). `sandbox` gives an opened image
 * an opaque origin without scripts; `default-src 'none'` stops it loading or
 * sending anything; inline styles are what SVG illustrations use.
 */
export const FLOW_IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

/** Set on every response before anything else writes headers; a handler may narrow the CSP (see FLOW_IMAGE_CSP). */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', DEFAULT_CSP);
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

/** The same headers as a raw HTTP head, for refusals written straight to an upgrade socket. */
export const RAW_SECURITY_HEADERS = `Content-Security-Policy: ${DEFAULT_CSP}\r\nX-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\n`;
