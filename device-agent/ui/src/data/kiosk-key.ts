import type { KioskKeyProtocol, LocalUiSubprotocol } from '@touchpoint/protocol';
import { kioskKeyFromHash } from '../common/kiosk-key-from-hash.js';

const STORAGE_KEY = 'tp-kiosk-key';
const SUBPROTOCOL: LocalUiSubprotocol = 'touchpoint.v1';

/**
 * The per-boot secret the agent gave this kiosk tab in the URL fragment
 * (issue 12, Low). It moves to sessionStorage (this tab only, survives a
 * reload) and leaves the address bar, so it is never shown, bookmarked or
 * handed to another page. Undefined: the page was not opened from the kiosk URL.
 */
export function takeKioskKey(): string | undefined {
  const fromHash = kioskKeyFromHash(location.hash);
  try {
    if (fromHash) {
      sessionStorage.setItem(STORAGE_KEY, fromHash);
      history.replaceState(history.state, '', `${location.pathname}${location.search}`);
      return fromHash;
    }
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return fromHash; // storage refused (a locked-down profile): the key still works for this page load
  }
}

/** The WebSocket subprotocols that present the key; the agent answers with `touchpoint.v1`. */
export function kioskProtocols(key: string): [LocalUiSubprotocol, KioskKeyProtocol] {
  return [SUBPROTOCOL, `tp-kiosk.${key}`];
}
