import { css } from 'lit';

/** Buttons, cards, tables, forms and badges shared by every view. */
export const sharedStyles = css`
  :host {
    font-family: var(--tp-font);
    color: var(--tp-text);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3 {
    margin: 0;
    font-weight: 600;
  }
  h1 {
    font-size: 1.35rem;
  }
  h2 {
    font-size: 1.05rem;
  }
  h3 {
    font-size: 0.95rem;
  }
  a {
    color: var(--tp-accent);
  }
  /* Name/value facts (diagnostics, host, case details): names muted, figures aligned. */
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 14px;
    margin: 0;
  }
  dt {
    color: var(--tp-text-2);
  }
  dd {
    margin: 0;
    font-variant-numeric: tabular-nums;
  }
  .card {
    background: var(--tp-surface);
    border: 1px solid var(--tp-border);
    border-radius: var(--tp-radius);
    box-shadow: var(--tp-shadow);
    padding: 16px;
  }
  .card > h2 {
    margin-bottom: 12px;
  }
  .muted {
    color: var(--tp-text-2);
  }
  .mono {
    font-family: var(--tp-mono);
    font-size: 0.92em;
  }
  .row {
    display: flex;
    gap: 8px;
    align-items: center;
    flex-wrap: wrap;
  }
  .spacer {
    flex: 1;
  }
  button,
  .button {
    font: inherit;
    border-radius: 6px;
    border: 1px solid var(--tp-border);
    background: var(--tp-surface);
    color: var(--tp-text);
    padding: 6px 12px;
    cursor: pointer;
    min-height: 32px;
  }
  button:hover:not(:disabled) {
    background: var(--tp-surface-2);
  }
  button.primary {
    background: var(--tp-accent);
    border-color: var(--tp-accent);
    color: #fff;
  }
  button.primary:hover:not(:disabled) {
    background: #1c47a3;
  }
  button.danger {
    color: var(--tp-crit);
    border-color: #f1b5ae;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  a:focus-visible,
  [tabindex]:focus-visible {
    outline: 2px solid var(--tp-accent);
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    border: 1px solid var(--tp-border);
    border-radius: 6px;
    padding: 6px 8px;
    background: var(--tp-surface);
    min-height: 32px;
  }
  label {
    display: grid;
    gap: 4px;
    font-size: 0.9rem;
    color: var(--tp-text-2);
  }
  .field-error {
    color: var(--tp-crit);
    font-size: 0.85rem;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th {
    text-align: left;
    font-weight: 600;
    color: var(--tp-text-2);
    font-size: 0.85rem;
    padding: 6px 8px;
    border-bottom: 1px solid var(--tp-border);
  }
  td {
    padding: 6px 8px;
    border-bottom: 1px solid var(--tp-surface-2);
    vertical-align: top;
  }
  .pill {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 1px 8px;
    border-radius: 999px;
    font-size: 0.8rem;
    font-weight: 600;
    white-space: nowrap;
  }
  .pill.ok {
    background: var(--tp-ok-bg);
    color: var(--tp-ok);
  }
  .pill.info {
    background: var(--tp-info-bg);
    color: var(--tp-info);
  }
  .pill.warning {
    background: var(--tp-warn-bg);
    color: var(--tp-warn);
  }
  .pill.critical,
  .pill.breached,
  .pill.failed {
    background: var(--tp-crit-bg);
    color: var(--tp-crit);
  }
  .pill.unknown,
  .pill.muted {
    background: var(--tp-muted-bg);
    color: var(--tp-text-2);
  }
  .error-box {
    background: var(--tp-crit-bg);
    color: var(--tp-crit);
    border-radius: 6px;
    padding: 8px 12px;
  }
  .notice {
    background: var(--tp-warn-bg);
    color: var(--tp-warn);
    border-radius: 6px;
    padding: 8px 12px;
  }
  .mt {
    margin-top: 14px;
  }
  .mb {
    margin-bottom: 8px;
  }
  .end {
    align-self: end;
  }
  .pad {
    padding: 12px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
