import { LitElement, css, html, nothing } from 'lit';
import type { SimulatorControl, SimulatorState } from '@touchpoint/protocol';
import { formatTime } from '../common/format-time.js';
import { fetchSimulator, sendSimulatorControl } from '../data/simulator.js';
import { LocaleController } from '../i18n/locale-controller.js';
import { sharedStyles } from './shared-styles.js';
import './tpc-badge.js';

/** How often the panel re-reads the simulator while shown: random faults come and go by themselves. */
const REFRESH_MS = 5_000;

/**
 * The demo's Simulator panel (issue 16): a presenter makes a simulated device misbehave on purpose
 * (raise and clear an error, apply a scenario such as an empty water tank, unplug the serial link,
 * take the device offline). Renders nothing for a device the broker does not simulate (the API
 * answers 404), so it appears only in `touchpoint demo`. The broker checks the role and audits.
 */
export class TpSimulatorPanel extends LitElement {
  static override properties = {
    deviceId: {},
    canControl: { type: Boolean },
    _state: { state: true },
    _code: { state: true },
    _scenario: { state: true },
    _busy: { state: true },
    _status: { state: true },
  };
  declare deviceId: string;
  declare canControl: boolean;
  declare _state: SimulatorState | undefined;
  declare _code: string;
  declare _scenario: string;
  declare _busy: boolean;
  declare _status: string;
  private readonly i18n = new LocaleController(this);
  private timer: ReturnType<typeof setInterval> | undefined;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      :host([hidden]) {
        display: none;
      }
      .controls {
        display: grid;
        gap: 10px;
        margin-top: 12px;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 6px 0 0;
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
    `,
  ];

  constructor() {
    super();
    this.deviceId = '';
    this.canControl = false;
    this._code = '';
    this._scenario = '';
    this._busy = false;
    this._status = '';
    this.hidden = true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('deviceId')) {
      this._state = undefined;
      this.hidden = true;
      void this.refresh();
    }
  }

  private async refresh(): Promise<void> {
    const deviceId = this.deviceId;
    if (!deviceId) return;
    try {
      const state = await fetchSimulator(deviceId);
      if (deviceId !== this.deviceId) return;
      this.adopt(state);
    } catch {
      // A failed refresh keeps what is shown; the next one (or the next control) updates it.
    }
  }

  private adopt(state: SimulatorState | undefined): void {
    this._state = state;
    this.hidden = state === undefined;
    if (state && !state.codes.some((c) => c.code === this._code)) this._code = state.codes[0]?.code ?? '';
    if (state && !state.scenarios.includes(this._scenario)) this._scenario = state.scenarios[0] ?? '';
  }

  private async send(control: SimulatorControl, label: string): Promise<void> {
    this._busy = true;
    try {
      this.adopt(await sendSimulatorControl(this.deviceId, control));
      this._status = this.i18n.t('simulator.done', { control: label });
    } catch (err) {
      this._status = this.i18n.t('simulator.failed', { message: (err as Error).message });
    } finally {
      this._busy = false;
    }
  }

  private renderControls(s: SimulatorState) {
    const unplugged = s.serialUnpluggedUntil !== undefined;
    return html`<div class="controls">
      <div class="row">
        <label for="sim-code">${this.i18n.t('simulator.raiseLabel')}</label>
        <select
          id="sim-code"
          .value=${this._code}
          @change=${(e: Event) => (this._code = (e.target as HTMLSelectElement).value)}
        >
          ${s.codes.map(
            (c) => html`<option value=${c.code} ?selected=${c.code === this._code}>${c.code} ${c.label}</option>`,
          )}
        </select>
        <button
          data-sim="raise"
          ?disabled=${this._busy || !this._code}
          @click=${() => void this.send({ control: 'raise', code: this._code }, `${this.i18n.t('simulator.raise')} ${this._code}`)}
        >
          ${this.i18n.t('simulator.raise')}
        </button>
      </div>
      <div class="row">
        <label for="sim-scenario">${this.i18n.t('simulator.scenarioLabel')}</label>
        <select
          id="sim-scenario"
          .value=${this._scenario}
          @change=${(e: Event) => (this._scenario = (e.target as HTMLSelectElement).value)}
        >
          ${s.scenarios.map((n) => html`<option value=${n} ?selected=${n === this._scenario}>${n}</option>`)}
        </select>
        <button
          data-sim="scenario"
          ?disabled=${this._busy || !this._scenario}
          @click=${() => void this.send({ control: 'scenario', name: this._scenario }, this._scenario)}
        >
          ${this.i18n.t('simulator.scenario')}
        </button>
      </div>
      <div class="row">
        <button
          data-sim="unplug-serial"
          ?disabled=${this._busy || unplugged}
          @click=${() => void this.send({ control: 'unplug-serial', seconds: 30 }, this.i18n.t('simulator.unplug'))}
        >
          ${this.i18n.t('simulator.unplug')}
        </button>
        ${
          s.network === 'online'
            ? html`<button
                data-sim="offline"
                ?disabled=${this._busy}
                @click=${() => void this.send({ control: 'offline' }, this.i18n.t('simulator.offline'))}
              >
                ${this.i18n.t('simulator.offline')}
              </button>`
            : html`<button
                data-sim="online"
                ?disabled=${this._busy}
                @click=${() => void this.send({ control: 'online' }, this.i18n.t('simulator.online'))}
              >
                ${this.i18n.t('simulator.online')}
              </button>`
        }
      </div>
    </div>`;
  }

  override render() {
    const s = this._state;
    if (!s) return nothing;
    return html`<section class="card" aria-labelledby="sim-h">
      <h2 id="sim-h">${this.i18n.t('simulator.title')}</h2>
      <p class="muted">${this.i18n.t('simulator.note')}</p>
      <h3>${this.i18n.t('simulator.errors')}</h3>
      <ul aria-label=${this.i18n.t('simulator.errors')}>
        ${
          s.errors.length === 0
            ? html`<li class="muted">${this.i18n.t('simulator.none')}</li>`
            : s.errors.map(
                (code) =>
                  html`<li>
                    <button
                      data-sim="clear"
                      data-code=${code}
                      ?disabled=${this._busy || !this.canControl}
                      @click=${() => void this.send({ control: 'clear', code }, this.i18n.t('simulator.clear', { code }))}
                    >
                      ${this.i18n.t('simulator.clear', { code })}
                    </button>
                  </li>`,
              )
        }
      </ul>
      ${s.network === 'offline' ? html`<p><tpc-badge tone="warning" label=${this.i18n.t('simulator.networkOffline')}></tpc-badge></p>` : nothing}
      ${
        s.serialUnpluggedUntil !== undefined
          ? html`<p>
              <tpc-badge
                tone="warning"
                label=${this.i18n.t('simulator.unplugged', { time: formatTime(s.serialUnpluggedUntil, this.i18n.locale) })}
              ></tpc-badge>
            </p>`
          : nothing
      }
      ${this.canControl ? this.renderControls(s) : html`<p class="muted">${this.i18n.t('simulator.viewerOnly')}</p>`}
      <p class="muted" role="status" aria-live="polite">${this._status}</p>
    </section>`;
  }
}
customElements.define('tpc-simulator-panel', TpSimulatorPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tpc-simulator-panel': TpSimulatorPanel;
  }
}
