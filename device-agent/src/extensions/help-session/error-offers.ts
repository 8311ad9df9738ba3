import type { DeviceProfile, HelpFlow, HelpOffer } from '@touchpoint/protocol';
import { offersFor } from './offers.js';

/**
 * The MCU's active errors, in the order they were raised, and the help the
 * touchscreen offers for them. `onChange` hears every change of the offers
 * (not of the error list alone: an error no flow handles offers nothing).
 */
export class ErrorOffers {
  private errors: string[] = [];
  private offers: HelpOffer[] = [];
  private events = 0;

  constructor(
    private readonly profile: DeviceProfile,
    private readonly flows: () => readonly HelpFlow[],
    private readonly onChange: (offers: HelpOffer[]) => void,
  ) {}

  get current(): readonly HelpOffer[] {
    return this.offers;
  }

  /** Counts error events; a caller notes it before reading the MCU's list and hands it to `replace`. */
  get eventCount(): number {
    return this.events;
  }

  raised(code: string): void {
    this.events++;
    if (!this.errors.includes(code)) this.set([...this.errors, code]);
  }

  cleared(code: string): void {
    this.events++;
    this.set(this.errors.filter((c) => c !== code));
  }

  /**
   * A full list read from the MCU: codes already known keep their raised order. The list is dropped when an error
   * event arrived since the read began (`eventCountAtRead`): the caller's continuation runs after events that
   * followed the response on the wire, and the stale list would bring a cleared error back.
   */
  replace(codes: readonly string[], eventCountAtRead: number): boolean {
    if (eventCountAtRead !== this.events) return false;
    this.set(orderLike(codes, this.errors));
    return true;
  }

  /** The flows changed (new help content): offers are computed again and always pushed. */
  flowsChanged(): void {
    this.set(this.errors, true);
  }

  private set(errors: string[], force = false): void {
    this.errors = errors.slice(-64);
    const offers = offersFor(this.profile, this.flows(), this.errors);
    if (!force && sameOffers(offers, this.offers)) return;
    this.offers = offers;
    this.onChange(offers);
  }
}

/** Keeps codes already known in their raised order; new ones go last. */
function orderLike(next: readonly string[], previous: readonly string[]): string[] {
  return [...previous.filter((c) => next.includes(c)), ...next.filter((c) => !previous.includes(c))];
}

function sameOffers(a: readonly HelpOffer[], b: readonly HelpOffer[]): boolean {
  return a.length === b.length && a.every((o, i) => o.code === b[i]?.code && o.flowId === b[i]?.flowId);
}
