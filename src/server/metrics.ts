import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance (its own registry, so tests can build many apps). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kefu_' });
  const httpDuration = new Histogram({
    name: 'kefu_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const turns = new Counter({
    name: 'kefu_turns_total',
    help: 'Turns by route and tier',
    labelNames: ['route', 'tier'] as const,
    registers: [registry],
  });
  const socketFailures = new Counter({
    name: 'kefu_socket_failures_total',
    help: 'Socket frames that failed unexpectedly (each closed its own connection)',
    labelNames: ['socket'] as const,
    registers: [registry],
  });
  const embeddingDegraded = new Counter({
    name: 'kefu_embeddings_degraded_total',
    help: 'Turns that went without embedding evidence (the lexical tier answered alone), by reason: unavailable, timeout, wrong_dimension, error, not_ready',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return { registry, httpDuration, turns, socketFailures, embeddingDegraded };
}

export type Metrics = ReturnType<typeof createMetrics>;
