import { LitElement, css, html, nothing } from 'lit';

/** A progress bar with its value for screen readers; `value` null shows an indeterminate bar. */
export class TpProgressBar extends LitElement {
  static override properties = { value: { type: Number }, label: {}, valueText: { attribute: false } };
  declare value: number | null;
  declare label: string;
  declare valueText: string;

  static override styles = css`
    :host {
      display: block;
    }
    .track {
      height: var(--tp-progress-height, 14px);
      border-radius: 999px;
      background: var(--tp-track);
      overflow: hidden;
    }
    .fill {
      height: 100%;
      background: var(--tp-primary);
      border-radius: inherit;
      transition: width 0.25s ease-out;
    }
    .indeterminate .fill {
      width: 35%;
      animation: slide 1.2s ease-in-out infinite;
    }
    @keyframes slide {
      from {
        transform: translateX(-100%);
      }
      to {
        transform: translateX(300%);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .fill {
        transition: none;
      }
      .indeterminate .fill {
        animation: none;
        width: 100%;
        opacity: 0.4;
      }
    }
  `;

  constructor() {
    super();
    this.value = null;
    this.label = '';
    this.valueText = '';
  }

  /**
   * The fill's width is set through the CSSOM, not a style attribute: a page whose CSP has no
   * 'unsafe-inline' for styles (the console, where the flow studio previews this bar, issue 18) blocks
   * style attributes, also the one a first render would write.
   */
  protected override updated(): void {
    const fill = this.renderRoot.querySelector<HTMLElement>('.fill');
    const known = typeof this.value === 'number' && Number.isFinite(this.value);
    if (fill) fill.style.width = known ? `${Math.min(100, Math.max(0, this.value as number))}%` : '';
  }

  protected override render() {
    const known = typeof this.value === 'number' && Number.isFinite(this.value);
    const value = known ? Math.min(100, Math.max(0, this.value as number)) : 0;
    return html`<div
      class="track ${known ? '' : 'indeterminate'}"
      role="progressbar"
      aria-label=${this.label}
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow=${known ? String(Math.round(value)) : nothing}
      aria-valuetext=${this.valueText || nothing}
    >
      <div class="fill"></div>
    </div>`;
  }
}

customElements.define('tp-progress-bar', TpProgressBar);
declare global {
  interface HTMLElementTagNameMap {
    'tp-progress-bar': TpProgressBar;
  }
}
