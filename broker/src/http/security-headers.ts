import type { ServerResponse } from 'node:http';

/**
 * The console's Content-Security-Policy: only its own scripts and styles
 * (Lit adopts constructed stylesheets, so no inline styles are needed), no
 * framing, no plugins. Media from blob:/mediastream: is for the video call.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob: mediastream:",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers for every response: no sniffing, no referrer, no framing, isolated browsing context. */
export function setSecurityHeaders(res: ServerResponse, kind: 'api' | 'console'): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  if (kind === 'console') {
    res.setHeader('content-security-policy', CONSOLE_CSP);
    // Camera and microphone only for this origin (the video call); nothing else.
    res.setHeader(
      'permissions-policy',
      'camera=(self), microphone=(self), geolocation=(), usb=(), serial=(), payment=()',
    );
  } else {
    res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  }
}
