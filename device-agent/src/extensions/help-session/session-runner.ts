import {
  ErrorCode,
  newId,
  TouchpointError,
  type DeviceProfile,
  type HelpFlow,
  type HelpScreenView,
  type Result,
} from '@touchpoint/protocol';
import { createFlowSession, type FlowSession, type HelpTrigger } from '../../help/session.js';
import type { HelpPort } from '../../help/port.js';
import type { HelpScreen } from '../../help/screen.js';
import type { Logger } from '../../logger.js';
import type { Reporter } from '../../outbox/reporter.js';
import { flowImageUrl } from './flow-images.js';

export interface SessionRunnerOptions {
  profile: DeviceProfile;
  port: HelpPort;
  reporter: Pick<Reporter, 'event'>;
  logger: Logger;
  now: () => number;
  /** Every screen change of the running session; null when it goes away. */
  onScreen: (screen: HelpScreenView | null) => void;
}

/**
 * Runs one flow session at a time on the engine and publishes every trace
 * entry as a `help` device event the moment it happens (the outbox holds them
 * while offline). Starting a flow abandons an unfinished one first.
 */
export class SessionRunner {
  private session: FlowSession | undefined;
  private sessionOff: (() => void) | undefined;
  /** Set while a step from the customer's phone runs, so its trace entries say so (issue 17). */
  private via: 'phone' | undefined;

  constructor(private readonly options: SessionRunnerOptions) {}

  get current(): FlowSession | undefined {
    return this.session;
  }

  get screen(): HelpScreenView | null {
    return this.session ? screenView(this.session.state) : null;
  }

  async start(
    flow: HelpFlow,
    locale: string,
    trigger: HelpTrigger,
    errorCode?: string,
    via?: 'phone',
  ): Promise<HelpScreenView> {
    await this.close(false);
    const sessionId = newId();
    const { reporter, logger, profile, port, now } = this.options;
    const session = createFlowSession({
      flow,
      profile,
      port,
      now,
      locale,
      sessionId,
      trigger,
      ...(errorCode !== undefined ? { errorCode } : {}),
      via: () => this.via,
      onTrace: (entry) => reporter.event({ type: 'help', sessionId, flowId: flow.id, entry }, now()),
      onListenerError: (err) =>
        logger.error('help session listener failed', {
          code: ErrorCode.INTERNAL,
          error: err instanceof Error ? err.message : String(err),
        }),
    });
    this.session = session;
    this.sessionOff = session.subscribe((state) => this.options.onScreen(screenView(state)));
    const started = await this.from(via, () => session.start());
    if (!started.ok) throw new TouchpointError(started.code, started.reason);
    return screenView(session.state);
  }

  /** The customer leaves help. An unfinished session is abandoned (traced); the screen goes away. */
  async close(push = true): Promise<void> {
    const session = this.session;
    if (!session) return;
    if (session.state.outcome === null) await session.abandon();
    this.unsubscribe();
    this.session = undefined;
    if (push) this.options.onScreen(null);
  }

  /** One customer step on the running session; a request for an older session is a CONFLICT. */
  async act(sessionId: string, run: (session: FlowSession) => Promise<Result<void>>, via?: 'phone'): Promise<void> {
    const session = this.session;
    if (!session || session.state.sessionId !== sessionId)
      throw new TouchpointError(ErrorCode.CONFLICT, 'this help session is no longer running');
    const result = await this.from(via, () => run(session));
    if (!result.ok) throw new TouchpointError(result.code, result.reason);
  }

  private async from<T>(via: 'phone' | undefined, run: () => Promise<T>): Promise<T> {
    this.via = via;
    try {
      return await run();
    } finally {
      this.via = undefined;
    }
  }

  setLocale(locale: string): void {
    this.session?.setLocale(locale);
  }

  /** Stops pushing the session's screens (the extension stops); the session itself stays as it is. */
  unsubscribe(): void {
    this.sessionOff?.();
    this.sessionOff = undefined;
  }
}

/** The engine's view with image paths turned into URLs on the local server. */
function screenView(state: HelpScreen): HelpScreenView {
  if (state.kind === 'info' && state.image) return { ...state, image: flowImageUrl(state.image) };
  return state;
}
