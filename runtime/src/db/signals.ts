// Model signals: receivers run (awaited, in connection order) before and after save and delete, optionally for one sender model.
import type { AnyModelClass, AnyInstance } from './model.js';

/** What preSave and postSave receivers get: the model, the object, whether it is new, the database and the fields saved. */
export interface SaveEvent<T = AnyInstance> { sender: AnyModelClass; instance: T; created: boolean; using: string; updateFields?: readonly string[] | undefined }
/** What preDelete and postDelete receivers get. */
export interface DeleteEvent<T = AnyInstance> { sender: AnyModelClass; instance: T; using: string }

type Receiver<E> = (event: E) => unknown;

/** A list of receivers called (in order, awaited) when something happens to a model's objects. */
export class Signal<E extends { sender: AnyModelClass }> {
  #receivers: Array<{ fn: Receiver<E>; sender: AnyModelClass | undefined }> = [];

  /** Adds a receiver (for one sender model when given); returns a function that disconnects it. */
  connect(fn: Receiver<E>, opts: { sender?: AnyModelClass } = {}): () => void {
    const entry = { fn, sender: opts.sender };
    this.#receivers.push(entry);
    return () => this.disconnect(fn, opts);
  }

  disconnect(fn: Receiver<E>, opts: { sender?: AnyModelClass } = {}): boolean {
    const i = this.#receivers.findIndex((r) => r.fn === fn && r.sender === opts.sender);
    if (i >= 0) this.#receivers.splice(i, 1);
    return i >= 0;
  }

  hasReceivers(sender: AnyModelClass): boolean {
    return this.#receivers.some((r) => r.sender === undefined || r.sender === sender);
  }

  async send(event: E): Promise<void> {
    for (const r of [...this.#receivers]) {
      if (r.sender === undefined || r.sender === event.sender) await r.fn(event);
    }
  }
}

/** Sent before an object is saved. */
export const preSave = new Signal<SaveEvent>();
/** Sent after an object is saved (`created` says whether it was inserted). */
export const postSave = new Signal<SaveEvent>();
/** Sent before an object is deleted (also for objects deleted by a cascade). */
export const preDelete = new Signal<DeleteEvent>();
/** Sent after an object is deleted. */
export const postDelete = new Signal<DeleteEvent>();
