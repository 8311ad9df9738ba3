import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Context an agent-local action gets besides its (validated) params. */
export interface AgentActionContext {
  /** The command id when staff pushed it; absent when the device started it itself. */
  commandId?: string;
  issuedBy?: string;
}

/**
 * An action that runs in the agent rather than on the MCU (profile `target:
 * "agent"`). Return output for the result, throw to report `failed` with the
 * error's message as the reason.
 */
export type AgentActionHandler = (
  params: Record<string, unknown>,
  context: AgentActionContext,
) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

export type AgentActionRegistry = Map<string, AgentActionHandler>;

export interface BuiltinActionDeps {
  /** Take an on-demand diagnostics snapshot; returns its message id. */
  snapshot(): Promise<string | undefined>;
  /** Drop the broker connection and dial again. */
  reconnect(reason: string): void;
  /** Restart every extension; runs after the `succeeded` result is queued. */
  restart(reason: string): void;
  cacheDir: string;
}

/** The agent-local actions every agent has. Device-maker hooks can override any of them. */
export function builtinActions(deps: BuiltinActionDeps): AgentActionRegistry {
  const actions: AgentActionRegistry = new Map();
  actions.set('diagnostics.request', async () => {
    const id = await deps.snapshot();
    if (!id) throw new Error('the diagnostics snapshot failed; see the agent log');
    return { diagnosticsId: id };
  });
  actions.set('network.reconnect', () => {
    // Deferred, so the result is queued before the connection drops; the outbox delivers it on the new one.
    setImmediate(() => deps.reconnect('network.reconnect command'));
    return { scheduled: true };
  });
  actions.set('agent.restart', () => {
    setImmediate(() => deps.restart('agent.restart command'));
    return { scheduled: true };
  });
  actions.set('cache.clear', async () => {
    await mkdir(deps.cacheDir, { recursive: true });
    const entries = await readdir(deps.cacheDir);
    await Promise.all(entries.map((name) => rm(join(deps.cacheDir, name), { recursive: true, force: true })));
    return { removed: entries.length };
  });
  return actions;
}
