/**
 * A feature of the agent (connection, diagnostics, commands, help session,
 * signalling...). The composition root starts extensions in order and stops
 * them in reverse; an extension talks to others only through the event bus and
 * the services it is handed. Most extend ExtensionBase, which removes their
 * listeners when they stop.
 */
export interface Extension {
  readonly name: string;
  /**
   * true: a failure in start() is logged and reported (AgentHealth.failedExtensions) and the agent runs on
   * without this extension; false or absent: the agent does not start (issue 14).
   */
  readonly optional?: boolean;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}
