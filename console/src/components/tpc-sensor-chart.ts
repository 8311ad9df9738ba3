import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { localize, type DiagnosticsPoint, type SensorSpec } from '@touchpoint/protocol';
import { sensorSeries } from '../common/chart-series.js';
import { timeAxisRange } from '../common/time-axis-range.js';
import { formatReading } from '../common/format-number.js';
import type { ConsoleLocale } from '../i18n/locale.js';
import { LocaleController } from '../i18n/locale-controller.js';

const tickFormats = new Map<string, Intl.DateTimeFormat>();

/** The time axis's ticks as the locale writes a time of day ("14:05", "2:05 PM"); uPlot's own are English only. */
function tickFormat(locale: string): Intl.DateTimeFormat {
  let format = tickFormats.get(locale);
  if (!format)
    tickFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' })));
  return format;
}

/** One sensor's history as a small uPlot line chart, resized with its container. */
export class TpSensorChart extends LitElement {
  static override properties = { sensor: { attribute: false }, points: { attribute: false } };
  declare sensor: SensorSpec | undefined;
  declare points: readonly DiagnosticsPoint[];
  private readonly i18n = new LocaleController(this);
  /** The language the plot was drawn in: a switch draws it again. */
  private plotLocale: ConsoleLocale | undefined;

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
      }
      .head {
        display: flex;
        justify-content: space-between;
        font-size: 0.85rem;
        color: var(--tp-text-2);
        margin-bottom: 2px;
      }
      .value {
        font-weight: 600;
        color: var(--tp-text);
        font-variant-numeric: tabular-nums;
      }
      .plot {
        height: 110px;
      }
    `,
  ];

  private plot: uPlot | undefined;
  private observer: ResizeObserver | undefined;

  constructor() {
    super();
    this.points = [];
  }

  override render() {
    const t = this.i18n.t;
    const locale = this.i18n.locale;
    const last = this.points.at(-1)?.sensors[this.sensor?.id ?? ''];
    const label = this.sensor ? localize(this.sensor.label, locale) : '';
    const value =
      last === undefined
        ? '—'
        : typeof last === 'number'
          ? formatReading(last, locale)
          : typeof last === 'boolean'
            ? t(last ? 'chart.yes' : 'chart.no')
            : String(last);
    return html`<div class="head">
        <span>${label}</span
        ><span class="value"
          >${last === undefined ? value : `${value}${this.sensor?.unit ? ` ${this.sensor.unit}` : ''}`}</span
        >
      </div>
      <div class="plot" role="img" aria-label=${t('chart.overTime', { sensor: label })}></div>`;
  }

  protected override firstUpdated(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.plot')!;
    this.observer = new ResizeObserver(() =>
      this.plot?.setSize({ width: Math.max(120, box.clientWidth), height: 110 }),
    );
    this.observer.observe(box);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.sensor) return;
    const data = sensorSeries(this.points, this.sensor.id) as uPlot.AlignedData;
    const locale = this.i18n.locale;
    if (changed.has('sensor') || !this.plot || this.plotLocale !== locale) {
      this.plot?.destroy();
      this.plotLocale = locale;
      const box = this.renderRoot.querySelector<HTMLElement>('.plot')!;
      const spec = this.sensor;
      const ticks = tickFormat(locale);
      this.plot = new uPlot(
        {
          width: Math.max(120, box.clientWidth),
          height: 110,
          legend: { show: false },
          cursor: { y: false },
          scales: {
            x: { time: true, range: (_u, min, max) => timeAxisRange(min, max) },
            y:
              spec.type === 'boolean'
                ? { range: [0, 1] }
                : spec.min !== undefined && spec.max !== undefined
                  ? { range: [spec.min, spec.max] }
                  : { auto: true },
          },
          axes: [
            {
              size: 24,
              font: '11px system-ui',
              stroke: '#5b6676',
              grid: { stroke: '#eef0f3' },
              values: (_u, splits) => splits.map((s) => ticks.format(new Date(s * 1000))),
            },
            { size: 36, font: '11px system-ui', stroke: '#5b6676', grid: { stroke: '#eef0f3' } },
          ],
          series: [
            {},
            {
              label: localize(spec.label, locale),
              stroke: '#2457c5',
              width: 1.5,
              fill: 'rgba(36,87,197,0.08)',
              spanGaps: false,
            },
          ],
        },
        data,
        box,
      );
    } else {
      this.plot.setData(data);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }
}
customElements.define('tpc-sensor-chart', TpSensorChart);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-sensor-chart': TpSensorChart;
  }
}
