import { LitElement, css, html, nothing } from 'lit';
import type { HostMetrics } from '@touchpoint/protocol';
import { formatBytes } from '../common/format-bytes.js';
import { formatDuration } from '../common/format-duration.js';
import { formatNumber } from '../common/format-number.js';
import { formatShare } from '../common/format-share.js';
import { LocaleController } from '../i18n/locale-controller.js';
import { sharedStyles } from './shared-styles.js';

/**
 * The device host's metrics from a diagnostics snapshot (issue 16: collected,
 * now shown): load averages, memory, the data directory's disk, the network
 * interfaces that are up, and the host's uptime. Renders only.
 */
export class TpHostMetrics extends LitElement {
  static override properties = { host: { attribute: false } };
  declare host: HostMetrics | undefined;

  private readonly i18n = new LocaleController(this);

  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
    `,
  ];

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const h = this.host;
    if (!h) return html`<p class="muted">${t('host.none')}</p>`;
    const used = Math.max(0, h.memTotalBytes - h.memFreeBytes);
    return html`<dl>
      <dt>${t('host.load')}</dt>
      <dd data-host="load">${h.load.length ? h.load.map((l) => formatNumber(l, locale, 2)).join(' / ') : '—'}</dd>
      <dt>${t('host.memory')}</dt>
      <dd data-host="memory">
        ${t('host.memoryUsed', {
          used: formatBytes(used, locale),
          total: formatBytes(h.memTotalBytes, locale),
          percent: formatShare(h.memTotalBytes > 0 ? used / h.memTotalBytes : null, locale),
        })}
      </dd>
      ${
        h.diskTotalBytes !== undefined && h.diskFreeBytes !== undefined
          ? html`<dt>${t('host.disk')}</dt>
              <dd data-host="disk">
                ${t('host.diskFree', {
                  free: formatBytes(h.diskFreeBytes, locale),
                  total: formatBytes(h.diskTotalBytes, locale),
                })}
              </dd>`
          : nothing
      }
      <dt>${t('host.network')}</dt>
      <dd data-host="network">
        ${
          h.net.length
            ? html`<ul>
                ${h.net.map(
                  (n) =>
                    html`<li>
                      <span class="mono">${n.name}</span> ${n.address} <span class="muted">${n.family}</span>
                    </li>`,
                )}
              </ul>`
            : html`<span class="muted">${t('host.noNetwork')}</span>`
        }
      </dd>
      <dt>${t('host.uptime')}</dt>
      <dd data-host="uptime">${formatDuration(h.uptimeS * 1000, locale)}</dd>
    </dl>`;
  }
}
customElements.define('tpc-host-metrics', TpHostMetrics);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-host-metrics': TpHostMetrics;
  }
}
