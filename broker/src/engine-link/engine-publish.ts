import type { Publish } from '../fleet/commands.js';
import { mqttToRoutingKey } from '../engine-auth/routing-key.js';
import type { EngineConnection } from './engine-connection.js';

/**
 * The fleet's Publish (an MQTT topic, QoS, retain) over AMQP to the MQTT plugin's exchange (issue 15).
 * RabbitMQ 3.10's plugin delivers a message without `x-mqtt-publish-qos` at the subscription's QoS
 * (`rabbit_mqtt_processor:delivery_qos`), so QoS 0 is said in that header and QoS 1 is left to the
 * subscription, with a persistent message so a device's QoS 1 queue keeps it while it is away.
 * Retain has no AMQP equivalent; nothing in cluster mode relies on it (presence, case status and
 * pending commands come from the database on each birth).
 */
export function enginePublish(connection: EngineConnection, exchange: string): Publish {
  return (topic, payload, opts) =>
    connection.publish(
      exchange,
      mqttToRoutingKey(topic),
      Buffer.from(payload),
      opts.qos === 0 ? { headers: { 'x-mqtt-publish-qos': { '!': 'byte', value: 0 } } } : { persistent: true },
    );
}
