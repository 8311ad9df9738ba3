import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import type { DiagnosticsPoint, SensorSpec } from '@touchpoint/protocol';
import { sensorSeries } from '../common/chart-series.js';
import { timeAxisRange } from '../common/time-axis-range.js';

/** One sensor's history as a small uPlot line chart, resized with its container. */
export class TpSensorChart extends LitElement {
  static override properties = { sensor: { attribute: false }, points: { attribute: false } };
  declare sensor: SensorSpec | undefined;
  declare points: readonly DiagnosticsPoint[];

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
    const last = this.points.at(-1)?.sensors[this.sensor?.id ?? ''];
    const label = this.sensor?.label.en ?? '';
    return html`<div class="head">
        <span>${label}</span
        ><span class="value"
          >${last === undefined ? '—' : `${String(last)}${this.sensor?.unit ? ` ${this.sensor.unit}` : ''}`}</span
        >
      </div>
      <div class="plot" role="img" aria-label="${label} over time"></div>`;
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
    if (changed.has('sensor') || !this.plot) {
      this.plot?.destroy();
      const box = this.renderRoot.querySelector<HTMLElement>('.plot')!;
      const spec = this.sensor;
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
            { size: 24, font: '11px system-ui', stroke: '#5b6676', grid: { stroke: '#eef0f3' } },
            { size: 36, font: '11px system-ui', stroke: '#5b6676', grid: { stroke: '#eef0f3' } },
          ],
          series: [
            {},
            { label: spec.label.en, stroke: '#2457c5', width: 1.5, fill: 'rgba(36,87,197,0.08)', spanGaps: false },
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
