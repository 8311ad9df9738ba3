import { ref } from 'lit/directives/ref.js';

/**
 * Sets an element's width through the CSSOM. The CSP allows no inline style
 * attributes, and styleMap writes one on first render; `style.width` is not
 * an attribute, so it is allowed.
 */
export const barWidth = (percent: number) =>
  ref((el?: Element) => {
    if (el instanceof HTMLElement) el.style.width = `${Math.max(0, Math.min(100, percent))}%`;
  });
