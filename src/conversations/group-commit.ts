/**
 * Group commit: work submitted while a write is in flight waits and is written together in the
 * next one. A write starts one event-loop turn (setImmediate) after the first submission, so the
 * turns that are ready in the same moment join it: with PGlite every write is CPU on this thread,
 * and without the yield no other turn could ever be ready while one is written. An idle node adds
 * a fraction of a millisecond; under load each write carries everything that queued meanwhile.
 */
export class GroupCommit<Item, Outcome> {
  readonly #queue: Array<{ item: Item; resolve: (outcome: Outcome) => void; reject: (error: unknown) => void }> = [];
  #writing = false;

  /**
   * @param write writes a batch and settles each item (same order): an item's own failure
   *   rejects only its submission.
   */
  constructor(
    private readonly write: (items: Item[]) => Promise<PromiseSettledResult<Outcome>[]>,
    private readonly maxBatch = 64,
  ) {}

  submit(item: Item): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      // The first of a new batch schedules the write; the others join it until it starts.
      if (!this.#writing && this.#queue.length === 1) setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.maxBatch);
        let settled: PromiseSettledResult<Outcome>[];
        try {
          settled = await this.write(batch.map((entry) => entry.item));
        } catch (error) {
          settled = batch.map(() => ({ status: 'rejected', reason: error }));
        }
        batch.forEach((entry, index) => {
          const result = settled[index];
          if (result?.status === 'fulfilled') entry.resolve(result.value);
          else entry.reject(result ? result.reason : new Error('the batch write gave no result for this item'));
        });
      }
    } finally {
      this.#writing = false;
    }
  }
}
