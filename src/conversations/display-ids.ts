import { sql } from 'kysely';
import type { Db } from '../store/database.js';

export interface DisplayIdOptions {
  /** The largest block of ids one reservation takes when a tenant opens conversations fast. */
  maxBlock?: number;
  /** A block used up within this time makes the next one twice as large. */
  busyWithinMs?: number;
  /** After this long without a reservation a tenant's blocks are back to one id (no gaps). */
  idleAfterMs?: number;
  /** Tenants whose current block a node keeps; the least recently used one's spare ids are dropped. */
  tenantsKept?: number;
}

interface TenantBlock {
  next: number;
  /** Exclusive. */
  end: number;
  size: number;
  reservedAt: number;
  reserving: Promise<void> | null;
}

/**
 * Hands out each tenant's conversation display ids (#1, #2, …). Ids are reserved from the tenant's
 * counter row in one short statement, never under a lock held for a whole new conversation, so a
 * flash crowd of widget visitors is not served one at a time. A tenant that opens conversations
 * slowly reserves one id at a time and sees no gaps; a busy one reserves blocks that double (up to
 * `maxBlock`) while each is used up within `busyWithinMs`, so ids stay unique across nodes and
 * increase on each node, and a node that stops loses at most its block's unused ids (gaps, never
 * duplicates).
 */
export class DisplayIdAllocator {
  readonly #blocks = new Map<string, TenantBlock>();
  readonly #maxBlock: number;
  readonly #busyWithinMs: number;
  readonly #idleAfterMs: number;
  readonly #tenantsKept: number;

  constructor(
    private readonly db: Db,
    options: DisplayIdOptions = {},
  ) {
    this.#maxBlock = options.maxBlock ?? 64;
    this.#busyWithinMs = options.busyWithinMs ?? 1_000;
    this.#idleAfterMs = options.idleAfterMs ?? 10_000;
    this.#tenantsKept = options.tenantsKept ?? 10_000;
  }

  /** The next display id for a new conversation of `tenantId`. Call it outside any transaction. */
  async next(tenantId: string): Promise<number> {
    for (;;) {
      const block = this.#blockOf(tenantId);
      if (block.next < block.end) return block.next++;
      block.reserving ??= this.#reserve(tenantId, block).finally(() => (block.reserving = null));
      await block.reserving;
    }
  }

  #blockOf(tenantId: string): TenantBlock {
    let block = this.#blocks.get(tenantId);
    if (block) this.#blocks.delete(tenantId);
    else block = { next: 0, end: 0, size: 1, reservedAt: 0, reserving: null };
    // Most recently used last; the first one is the least recently used.
    this.#blocks.set(tenantId, block);
    if (this.#blocks.size > this.#tenantsKept) {
      const [oldest, value] = this.#blocks.entries().next().value!;
      if (!value.reserving) this.#blocks.delete(oldest);
    }
    return block;
  }

  async #reserve(tenantId: string, block: TenantBlock): Promise<void> {
    const now = Date.now();
    const sinceLast = now - block.reservedAt;
    if (sinceLast > this.#idleAfterMs) block.size = 1;
    else if (sinceLast < this.#busyWithinMs) block.size = Math.min(block.size * 2, this.#maxBlock);
    const size = block.size;
    // One statement: the row lock lasts as long as it does. A tenant without a row yet starts
    // after its highest existing id.
    const { rows } = await sql<{ last: string | number }>`
      insert into conversation_counters (tenant_id, last_display_id)
      values (${tenantId}, ${size} + coalesce((select max(display_id) from conversations where tenant_id = ${tenantId}), 0))
      on conflict (tenant_id) do update set last_display_id = conversation_counters.last_display_id + ${size}
      returning last_display_id as last`.execute(this.db);
    const last = Number(rows[0]!.last);
    block.next = last - size + 1;
    block.end = last + 1;
    block.reservedAt = now;
  }
}
