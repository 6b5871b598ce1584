export { closeRedis, connectRedis, createRedisConnection } from './redis-connection.js';
export type { RedisConnectionOptions } from './redis-connection.js';
