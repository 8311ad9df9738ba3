import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveEvent } from '@touchpoint/protocol';

export type FeedListener = (event: LiveEvent | { type: 'resync-all' }) => void;

/** The app's one fleet-wide stream, shared with every view (they listen, never open their own for fleet events). */
export class LiveFeed {
  private readonly listeners = new Set<FeedListener>();

  emit(event: LiveEvent | { type: 'resync-all' }): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        console.error('live listener failed', err);
      }
    }
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Listens to a LiveFeed while the host is on the page. */
export class FeedController implements ReactiveController {
  private off: (() => void) | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly feed: () => LiveFeed | undefined,
    private readonly listener: FeedListener,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.off = this.feed()?.subscribe(this.listener);
  }

  hostUpdated(): void {
    if (!this.off) this.off = this.feed()?.subscribe(this.listener);
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
  }
}
