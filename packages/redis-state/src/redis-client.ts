import type { Cluster, Redis } from 'ioredis';

/** One Redis or a Redis Cluster: every operation of this package keeps its keys within one slot, so both work. */
export type RedisClient = Redis | Cluster;
