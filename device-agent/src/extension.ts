/**
 * A feature of the agent (connection, diagnostics, commands, help session,
 * signalling...). The composition root starts extensions in order and stops
 * them in reverse; an extension talks to others only through the event bus and
 * the services it is handed.
 */
export interface Extension {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}
