export {
  default as opsRoutes,
  healthResponseSchema,
  readinessResponseSchema,
  type OpsRoutesOptions,
  type ReadinessResponse,
} from './ops-routes';
export { default as redisPlugin, type RedisPluginOptions } from './redis-plugin';
export { default as natsPlugin } from './nats-plugin';
export { default as requestTracing } from './request-tracing';
