import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { pinnedRequest, UnsafeUrlError, vetUrl } from '../net/safe-fetch.js';
import type { Db } from '../store/database.js';
import { monthOf, usageSummary } from './usage.js';
import type { QuotaThresholdEvent } from './quotas.js';

export type UsageWebhookEventType = 'quota.threshold' | 'usage.summary';

export interface UsageWebhookOptions {
  fetch?: typeof fetch;
  /** Waits before each retry; the delivery fails for good after the last (default 10 s … 1 h, 6 attempts). */
  backoffMs?: readonly number[];
  timeoutMs?: number;
  /** Deliver to loopback and private addresses (tests, single-business installs); default false. */
  allowPrivateNetwork?: boolean;
  resolve?: (host: string) => Promise<string[]>;
  onError?: (error: unknown) => void;
}

export interface UsageWebhookDelivery {
  id: string;
  eventType: string;
  eventKey: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string;
  createdAt: string;
  deliveredAt: string | null;
  payload: Record<string, unknown>;
}

const DEFAULT_BACKOFF = [10_000, 60_000, 300_000, 900_000, 3_600_000];

/**
 * Usage webhooks of tenants: quota thresholds (80 %, 100 %) and daily usage summaries, signed per
 * Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), stored in a delivery log
 * first (so a restart loses nothing), retried with backoff, each event sent once per tenant.
 */
export class UsageWebhooks {
  readonly #running = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly options: UsageWebhookOptions = {},
  ) {}

  /** Sets the tenant's webhook URL and returns a fresh signing secret (shown once). */
  async configure(tenantId: string, url: string): Promise<{ url: string; secret: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new KefuError(ErrorCodes.webhookUrlInvalid, 'the webhook URL is not a valid URL', { status: 400 });
    }
    if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username || parsed.password) {
      throw new KefuError(ErrorCodes.webhookUrlInvalid, 'the webhook URL must be http(s) without credentials', {
        status: 400,
      });
    }
    // Refused when set, not only at delivery: a private address would make kefu call inside its own network.
    try {
      await vetUrl(parsed, this.#vetting());
    } catch (error) {
      if (!(error instanceof UnsafeUrlError)) throw error;
      const reason =
        error.code === 'blocked_address' ? 'the webhook URL points to a non-public address' : error.message;
      throw new KefuError(ErrorCodes.webhookUrlInvalid, reason, { status: 400 });
    }
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    await this.db
      .insertInto('usage_webhooks')
      .values({ tenant_id: tenantId, url: parsed.href, secret })
      .onConflict((conflict) =>
        conflict.column('tenant_id').doUpdateSet({ url: parsed.href, secret, enabled: true, updated_at: new Date() }),
      )
      .execute();
    return { url: parsed.href, secret };
  }

  async get(tenantId: string): Promise<{ url: string; enabled: boolean; createdAt: string; updatedAt: string } | null> {
    const row = await this.db
      .selectFrom('usage_webhooks')
      .select(['url', 'enabled', 'created_at', 'updated_at'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row
      ? {
          url: row.url,
          enabled: row.enabled,
          createdAt: row.created_at.toISOString(),
          updatedAt: row.updated_at.toISOString(),
        }
      : null;
  }

  async remove(tenantId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('usage_webhooks').where('tenant_id', '=', tenantId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deliveries(tenantId: string, limit = 50): Promise<UsageWebhookDelivery[]> {
    const rows = await this.db
      .selectFrom('usage_webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      eventType: row.event_type,
      eventKey: row.event_key,
      status: row.status,
      attempts: row.attempts,
      lastStatus: row.last_status,
      lastError: row.last_error,
      nextAttemptAt: row.next_attempt_at.toISOString(),
      createdAt: row.created_at.toISOString(),
      deliveredAt: row.delivered_at?.toISOString() ?? null,
      payload: row.payload,
    }));
  }

  /**
   * Records an event for the tenant's webhook (nothing when none is configured, or when this
   * event key was already recorded: once per tenant) and tries to deliver it now.
   */
  async emit(
    tenantId: string,
    type: UsageWebhookEventType,
    eventKey: string,
    data: Record<string, unknown>,
    now = new Date(),
  ): Promise<string | null> {
    const hook = await this.db
      .selectFrom('usage_webhooks')
      .select(['enabled'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (!hook?.enabled) return null;
    const id = `msg_${randomBytes(16).toString('hex')}`;
    const payload = { type, timestamp: now.toISOString(), data: { tenantId, ...data } };
    const inserted = await this.db
      .insertInto('usage_webhook_deliveries')
      .values({
        id,
        tenant_id: tenantId,
        event_type: type,
        event_key: eventKey,
        payload: JSON.stringify(payload),
        next_attempt_at: now,
      })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'event_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return null;
    this.#track(this.#attempt(id));
    return id;
  }

  /** A quota crossing 80 % or 100 % (QuotaTracker's `onThreshold`). */
  quotaThreshold(event: QuotaThresholdEvent): void {
    this.#track(
      this.emit(
        event.tenantId,
        'quota.threshold',
        `quota.threshold:${event.meter}:${event.period}:${event.threshold}`,
        {
          meter: event.meter,
          period: event.period,
          threshold: event.threshold,
          used: event.used,
          limit: event.limit,
        },
      ),
    );
  }

  /** Sends every tenant with a webhook its usage of the UTC day before `now` (once per day). */
  async sendDailySummaries(now = new Date()): Promise<number> {
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const from = new Date(to.getTime() - 86_400_000);
    const day = from.toISOString().slice(0, 10);
    // Only tenants whose summary for that day is not in the log yet (this runs every minute).
    const tenants = await this.db
      .selectFrom('usage_webhooks as hook')
      .leftJoin('usage_webhook_deliveries as sent', (join) =>
        join.onRef('sent.tenant_id', '=', 'hook.tenant_id').on('sent.event_key', '=', `usage.summary:${day}`),
      )
      .select('hook.tenant_id')
      .where('hook.enabled', '=', true)
      .where('sent.id', 'is', null)
      .execute();
    let sent = 0;
    for (const { tenant_id: tenantId } of tenants) {
      const [usage] = await usageSummary(this.db, { tenantId, from, to });
      const [month] = await usageSummary(this.db, { tenantId, from: monthOf(from).from, to });
      const id = await this.emit(
        tenantId,
        'usage.summary',
        `usage.summary:${day}`,
        { day, from: from.toISOString(), to: to.toISOString(), usage: usage!.meters, monthToDate: month!.meters },
        now,
      );
      if (id) sent += 1;
    }
    return sent;
  }

  /** Retries deliveries that are due (run periodically; also picks up what a restart left). */
  async deliverDue(now = new Date()): Promise<number> {
    const due = await this.db
      .selectFrom('usage_webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(100)
      .execute();
    for (const { id } of due) await this.#attempt(id);
    return due.length;
  }

  /** Waits for deliveries started by this process (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error) => this.options.onError?.(error));
    this.#running.add(tracked);
    void tracked.finally(() => this.#running.delete(tracked));
  }

  async #attempt(id: string): Promise<void> {
    const row = await this.db
      .selectFrom('usage_webhook_deliveries as delivery')
      .innerJoin('usage_webhooks as hook', 'hook.tenant_id', 'delivery.tenant_id')
      .select([
        'delivery.id',
        'delivery.tenant_id',
        'delivery.payload',
        'delivery.attempts',
        'delivery.status',
        'hook.url',
        'hook.secret',
        'hook.enabled',
      ])
      .where('delivery.id', '=', id)
      .executeTakeFirst();
    if (!row || row.status !== 'pending') return;
    const body = JSON.stringify(row.payload);
    const timestamp = new Date();
    let status: number | null = null;
    let error: string | null = null;
    try {
      if (!row.enabled) throw new Error('webhook disabled');
      const url = new URL(row.url);
      // Resolved once and vetted; the request goes to that address (no second DNS answer is used).
      const pinned = await vetUrl(url, this.#vetting()).catch((caught: unknown) => {
        throw caught instanceof UnsafeUrlError && caught.code === 'blocked_address'
          ? new Error('the webhook URL resolves to a non-public address')
          : caught;
      });
      const signature = new Webhook(row.secret).sign(row.id, timestamp, body);
      const init = {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'kefu-webhooks/1',
          'webhook-id': row.id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      };
      // Redirects are never followed: a receiver that redirects gets the 3xx recorded as a failure.
      const response = this.options.fetch
        ? await this.options.fetch(url, { ...init, redirect: 'manual' })
        : await pinnedRequest(url, pinned, init);
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (caught) {
      error = (caught as Error).name === 'TimeoutError' ? 'timed out' : (caught as Error).message.slice(0, 200);
    }
    const attempts = row.attempts + 1;
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF;
    const failedForGood = error !== null && attempts > backoff.length;
    await this.db
      .updateTable('usage_webhook_deliveries')
      .set({
        attempts,
        last_status: status,
        last_error: error,
        status: error === null ? 'delivered' : failedForGood ? 'failed' : 'pending',
        ...(error === null ? { delivered_at: new Date() } : {}),
        ...(error !== null && !failedForGood ? { next_attempt_at: new Date(Date.now() + backoff[attempts - 1]!) } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  #vetting() {
    return {
      ...(this.options.allowPrivateNetwork ? { allowPrivateNetwork: true } : {}),
      ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
    };
  }
}
