export * from './processes';
export * from './stack';
export * from './fresh-topics';
export * from './owned-server';
export { freePort } from './owned-process';
export { startOwnedKafka } from './owned-kafka';
export { startOwnedNats } from './owned-nats';
export { startOwnedPostgres } from './owned-postgres';
export { startOwnedRedis } from './owned-redis';
