/**
 * Token-bucket rate limiting behind the `RateLimiter` port: in-process by default, Redis-backed
 * (shared across nodes) when REDIS_URL is set. See docs/metering.md.
 */
export { refill, type BucketLimit, type RateDecision, type RateLimiter } from './rate-limiter.js';
export { createInProcessRateLimiter } from './in-process-rate-limiter.js';
export { createRedisRateLimiter, TOKEN_BUCKET_SCRIPT, type RedisScriptClient } from './redis-rate-limiter.js';
