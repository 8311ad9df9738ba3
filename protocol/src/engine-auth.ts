import { z } from 'zod';

/**
 * The requests a clustered MQTT engine's HTTP auth hook sends to `touchpoint engine-auth`
 * (issue 15). The field names are RabbitMQ's rabbitmq_auth_backend_http (3.10): form fields or query
 * parameters, answered with the text `allow` or `deny`. The MQTT plugin adds the client id to every
 * request: `client_id` on user, vhost and resource checks, `variable_map.client_id` on topic checks.
 * Unknown fields (tags, other variables) are ignored.
 */
const name = z.string().min(1).max(256);
const text = z.string().max(1024);

export const engineAuthUserRequest = z.object({
  username: name,
  password: text.optional(),
  vhost: text.optional(),
  client_id: text.optional(),
});
export type EngineAuthUserRequest = z.output<typeof engineAuthUserRequest>;

export const engineAuthVhostRequest = z.object({
  username: name,
  vhost: text,
  ip: text.optional(),
  client_id: text.optional(),
});
export type EngineAuthVhostRequest = z.output<typeof engineAuthVhostRequest>;

export const engineAuthResourceRequest = z.object({
  username: name,
  vhost: text,
  resource: z.enum(['queue', 'exchange', 'topic']),
  name: text,
  permission: z.enum(['configure', 'write', 'read']),
  client_id: text.optional(),
});
export type EngineAuthResourceRequest = z.output<typeof engineAuthResourceRequest>;

export const engineAuthTopicRequest = z.object({
  username: name,
  vhost: text,
  resource: z.literal('topic'),
  /** The exchange: `amq.topic` unless the plugin's `mqtt.exchange` says otherwise. */
  name: text,
  permission: z.enum(['write', 'read']),
  /** The MQTT topic as an AMQP routing key (publish) or binding key (subscribe): `/` became `.`, `+` became `*`. */
  routing_key: text,
  'variable_map.client_id': text.optional(),
});
export type EngineAuthTopicRequest = z.output<typeof engineAuthTopicRequest>;
