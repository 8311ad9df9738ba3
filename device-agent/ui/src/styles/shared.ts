import { css } from 'lit';

/**
 * Shared look: system fonts only (nothing is fetched), 48 px minimum touch
 * targets, visible focus, colours with at least 4.5:1 contrast. Colours come
 * from custom properties set in index.html, so a device maker can re-skin.
 */
export const shared = css`
  :host {
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  h1,
  h2,
  h3,
  p {
    margin: 0;
  }
  h1 {
    font-size: 1.3em;
    line-height: 1.2;
  }
  h2 {
    font-size: 1.05em;
    margin-bottom: 0.4em;
  }
  h1:focus {
    outline: none;
  }
  button {
    font: inherit;
    min-height: 48px;
    min-width: 48px;
    padding: 0.5em 1.1em;
    border-radius: 12px;
    border: 2px solid var(--tp-primary);
    background: var(--tp-surface);
    color: var(--tp-primary);
    font-weight: 600;
    cursor: pointer;
    touch-action: manipulation;
    -webkit-tap-highlight-color: transparent;
  }
  button.primary {
    background: var(--tp-primary);
    color: var(--tp-on-primary);
  }
  button.quiet {
    border-color: transparent;
    background: transparent;
  }
  button:active:not(:disabled) {
    transform: translateY(1px);
  }
  button:focus-visible,
  input:focus-visible + label,
  [tabindex]:focus-visible {
    outline: 3px solid var(--tp-focus);
    outline-offset: 2px;
  }
  button:disabled {
    opacity: 0.55;
    cursor: default;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .error {
    color: var(--tp-danger);
    font-weight: 600;
  }
  .card {
    background: var(--tp-surface);
    border: 1px solid var(--tp-border);
    border-radius: 14px;
    padding: 0.7em 0.9em;
  }
`;

/** The three-row frame every screen uses: header, scrolling content, action footer. */
export const frame = css`
  :host {
    display: grid;
    grid-template-rows: auto auto minmax(0, 1fr) auto;
    grid-template-columns: minmax(0, 1fr);
    height: 100%;
    min-height: 0;
  }
  .bar {
    display: flex;
    align-items: center;
    gap: 0.5em;
    padding: 0.35em 0.75em;
    min-height: 56px;
    background: var(--tp-surface);
    border-bottom: 1px solid var(--tp-border);
  }
  .bar h1 {
    flex: 1;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .body {
    overflow: auto;
    padding: 0.8em 1em;
    display: flex;
    flex-direction: column;
    gap: 0.8em;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6em;
    justify-content: flex-end;
    padding: 0.6em 1em;
    background: var(--tp-surface);
    border-top: 1px solid var(--tp-border);
  }
`;
