/**
 * RabbitMQ's MQTT plugin turns an MQTT topic into an AMQP routing key by replacing `/` with `.`
 * and `+` with `*` (rabbit_mqtt_util:to_amqp, 3.10); `#` means the same in both. The auth hook
 * sees only the routing key, so it maps it back (to_mqtt) and judges the MQTT topic with the same
 * ACL as the embedded broker. The mapping is exact only for topics without `.`, which is why a
 * device id with `.` cannot use this engine (see engine-auth/decide.ts).
 */
export function routingKeyToMqtt(routingKey: string): string {
  return routingKey.replaceAll('*', '+').replaceAll('.', '/');
}

/** The inverse, as the plugin computes it: for tests and docs. */
export function mqttToRoutingKey(topic: string): string {
  return topic.replaceAll('/', '.').replaceAll('+', '*');
}

/** The queue the MQTT plugin declares for a client's subscriptions at QoS 0 and QoS 1 (rabbit_mqtt_util:subcription_queue_name). */
export function subscriptionQueues(clientId: string): readonly [string, string] {
  return [`mqtt-subscription-${clientId}qos0`, `mqtt-subscription-${clientId}qos1`];
}
