// Signals (Django's django.dispatch): receivers connected to a named event run, awaited in connection order, when it
// is sent — for every sender, or only for the one they were connected for. The ORM's save/delete/m2m signals and the
// request signals are instances of this one class.

type Receiver<E> = (event: E) => unknown;

export class Signal<E extends { sender?: unknown }> {
  #receivers: Array<{ fn: Receiver<E>; sender: unknown }> = [];

  /**
   * Adds a receiver (for one sender when given: a model class for the model signals); returns a function that
   * disconnects it. The sender is compared by identity, so any model class fits (typed loosely on purpose).
   */
  connect(fn: Receiver<E>, opts: { sender?: object } = {}): () => void {
    this.#receivers.push({ fn, sender: opts.sender });
    return () => this.disconnect(fn, opts);
  }

  disconnect(fn: Receiver<E>, opts: { sender?: object } = {}): boolean {
    const i = this.#receivers.findIndex((r) => r.fn === fn && r.sender === opts.sender);
    if (i >= 0) this.#receivers.splice(i, 1);
    return i >= 0;
  }

  /** Whether sending for `sender` would reach anyone (lets hot paths skip building the event). */
  hasReceivers(sender?: object): boolean {
    return this.#receivers.some((r) => r.sender === undefined || sender === undefined || r.sender === sender);
  }

  async send(event: E): Promise<void> {
    for (const r of [...this.#receivers]) {
      if (r.sender === undefined || r.sender === event.sender) await r.fn(event);
    }
  }
}
