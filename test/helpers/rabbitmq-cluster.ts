// The three-node RabbitMQ launcher lives in the CLI, which `touchpoint demo --cluster` runs too (issue 15).
export * from 'touchpoint/rabbitmq-cluster';
