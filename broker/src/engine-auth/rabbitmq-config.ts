/**
 * The rabbitmq.conf lines that send every login and check of a RabbitMQ node to engine-auth at `baseUrl`
 * (rabbitmq_auth_backend_http behind rabbitmq_auth_backend_cache, docs/scale-out.md "Running it"), with the
 * MQTT plugin's settings engine-auth assumes. The tests, the bench and `touchpoint demo --cluster` use these.
 */
export function engineAuthConfig(baseUrl: string, cacheTtlMs = 60_000): string[] {
  return [
    'auth_backends.1 = cache',
    'auth_cache.cached_backend = http',
    `auth_cache.cache_ttl = ${cacheTtlMs}`,
    // A refusal is asked again each time, so every one is counted and audited by engine-auth.
    'auth_cache.cache_refusals = false',
    'auth_http.http_method = post',
    `auth_http.user_path = ${baseUrl}/auth/user`,
    `auth_http.vhost_path = ${baseUrl}/auth/vhost`,
    `auth_http.resource_path = ${baseUrl}/auth/resource`,
    `auth_http.topic_path = ${baseUrl}/auth/topic`,
    'mqtt.allow_anonymous = false',
    'mqtt.vhost = /',
    'mqtt.exchange = amq.topic',
  ];
}
