import { LitElement, css, html, nothing } from 'lit';
import type { DiagnosticsMessage, ProfileView } from '@touchpoint/protocol';
import { formatDuration } from '../common/format-duration.js';
import { formatNumber } from '../common/format-number.js';
import { formatTime } from '../common/format-time.js';
import { LocaleController } from '../i18n/locale-controller.js';
import './tpc-badge.js';
import './tpc-host-metrics.js';
import { sharedStyles } from './shared-styles.js';

/**
 * One diagnostics snapshot as staff read it (issue 16: the case view shows the
 * snapshot taken at escalation next to the trace): when it was taken, the
 * error codes with the profile's names, every reading by the profile's name and
 * unit, the agent's link and outbox, the MCU, and the host's metrics. Renders only.
 */
export class TpDiagnosticsSnapshot extends LitElement {
  static override properties = { diagnostics: { attribute: false }, profile: { attribute: false } };
  declare diagnostics: DiagnosticsMessage | null;
  declare profile: ProfileView | null | undefined;

  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 10px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 4px;
      }
      h4 {
        margin: 4px 0 0;
        font-size: 0.95rem;
      }
    `,
  ];

  constructor() {
    super();
    this.diagnostics = null;
  }

  private text(label: { en: string; de: string } & Record<string, string>): string {
    return label[this.i18n.locale] ?? label.en;
  }

  private value(id: string, raw: unknown): string {
    const unit = this.profile?.sensors.find((s) => s.id === id)?.unit;
    const shown = typeof raw === 'number' ? formatNumber(raw, this.i18n.locale) : String(raw);
    return unit ? `${shown} ${unit}` : shown;
  }

  override render() {
    const t = this.i18n.t;
    const d = this.diagnostics;
    if (!d) return html`<p class="muted">${t('snapshot.none')}</p>`;
    const locale = this.i18n.locale;
    const sensors = Object.entries(d.mcu.sensors);
    const label = (id: string) => {
      const spec = this.profile?.sensors.find((s) => s.id === id);
      return spec ? this.text(spec.label) : id;
    };
    return html`
      <p class="muted" data-snapshot="taken">${t('snapshot.taken', { time: formatTime(d.ts, locale) })}</p>
      <h4>${t('snapshot.errors')}</h4>
      <ul data-snapshot="errors">
        ${
          d.mcu.errors.length === 0
            ? html`<li class="muted">${t('snapshot.noErrors')}</li>`
            : d.mcu.errors.map((code) => {
                const spec = this.profile?.errors.find((e) => e.code === code);
                return html`<li>
                  <tpc-badge tone=${spec?.severity ?? 'warning'} label=${code}></tpc-badge>
                  ${spec ? this.text(spec.label) : nothing}
                </li>`;
              })
        }
      </ul>
      <h4>${t('snapshot.readings')}</h4>
      <dl data-snapshot="readings">
        ${sensors.map(
          ([id, v]) =>
            html`<dt>${label(id)}</dt>
              <dd data-sensor=${id}>${this.value(id, v)}</dd>`,
        )}
      </dl>
      <dl data-snapshot="agent">
        <dt>${t('snapshot.link')}</dt>
        <dd>
          <tpc-badge
            tone=${d.agent.link === 'up' ? 'ok' : d.agent.link === 'down' ? 'critical' : 'warning'}
            label=${d.agent.link}
          ></tpc-badge>
        </dd>
        <dt>${t('snapshot.outbox')}</dt>
        <dd>${t('snapshot.outboxValue', { queued: d.agent.outboxDepth, dropped: d.agent.outboxDropped })}</dd>
        <dt>${t('snapshot.agentUptime')}</dt>
        <dd>${formatDuration(d.agent.uptimeS * 1000, locale)}</dd>
        ${
          d.mcu.info
            ? html`<dt>${t('snapshot.mcu')}</dt>
                <dd>
                  ${d.mcu.info.model} <span class="mono">${d.mcu.info.serial}</span> fw ${d.mcu.info.firmwareVersion}
                </dd>`
            : nothing
        }
      </dl>
      <h4>${t('host.title')}</h4>
      <tpc-host-metrics .host=${d.host}></tpc-host-metrics>
    `;
  }
}
customElements.define('tpc-diagnostics-snapshot', TpDiagnosticsSnapshot);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-diagnostics-snapshot': TpDiagnosticsSnapshot;
  }
}
