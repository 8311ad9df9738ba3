import { UsageError } from '@touchpoint/protocol';
import { numberOption } from '@touchpoint/runtime';
import type { AmqpEndpoint } from '../engine-link/engine-connection.js';

/**
 * `--amqp amqp://host[:port][/vhost]` of `touchpoint fleet-worker` and `touchpoint api`; credentials are
 * refused: they would show in the process list (both log in with the data folder's service token).
 */
export function amqpEndpoint(value: string): AmqpEndpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--amqp must be a URL like amqp://10.0.0.5:5672, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:')
    throw new UsageError(`--amqp must be an amqp:// or amqps:// URL, got ${JSON.stringify(url.protocol)}`);
  if (url.username || url.password)
    throw new UsageError("--amqp URLs carry no credentials: the process logs in with the data folder's service token");
  const path = decodeURIComponent(url.pathname.slice(1));
  return {
    protocol: url.protocol === 'amqps:' ? 'amqps' : 'amqp',
    hostname: url.hostname,
    port: url.port
      ? numberOption(url.port, '--amqp port', { integer: true, min: 1, max: 65535 })
      : url.protocol === 'amqps:'
        ? 5671
        : 5672,
    vhost: path === '' ? '/' : path,
  };
}

/** Every `--amqp` given, at least one. */
export function amqpEndpoints(values: readonly string[] | undefined): AmqpEndpoint[] {
  if (!values || values.length === 0) throw new UsageError('--amqp URL is required (one per engine node)');
  return values.map(amqpEndpoint);
}
