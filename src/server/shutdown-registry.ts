/**
 * What must stop when the server shuts down: every open stream and socket adds its closer here
 * and removes it when it closes by itself, so a long-running node does not keep one closure per
 * connection it ever served.
 */
export class ShutdownRegistry {
  readonly #callbacks = new Set<{ run: () => void }>();

  /** Adds a closer; returns its disposer (idempotent), to call when the connection closes first. */
  add(callback: () => void): () => void {
    // One entry per call, so the same function added twice is removed once per disposer.
    const entry = { run: callback };
    this.#callbacks.add(entry);
    return () => {
      this.#callbacks.delete(entry);
    };
  }

  /** Closers registered now: open streams and sockets. */
  get size(): number {
    return this.#callbacks.size;
  }

  /** Runs every closer once; one that throws (a stream already gone) does not stop the others. */
  runAll(): void {
    const entries = [...this.#callbacks];
    this.#callbacks.clear();
    for (const entry of entries) {
      try {
        entry.run();
      } catch {
        // a stream that is already gone
      }
    }
  }
}
