// Model signals: receivers run (awaited, in connection order) before and after save and delete, and around changes to a
// many-to-many relation, optionally for one sender model.
import { Signal } from '../dispatch/signal.js';
import type { ManyToManyField } from './fields.js';
import type { AnyModelClass, AnyInstance } from './model.js';

export { Signal };

export interface SaveEvent<T = AnyInstance> { sender: AnyModelClass; instance: T; created: boolean; using: string; updateFields?: readonly string[] | undefined }
export interface DeleteEvent<T = AnyInstance> { sender: AnyModelClass; instance: T; using: string }

export type M2MAction = 'preAdd' | 'postAdd' | 'preRemove' | 'postRemove' | 'preClear' | 'postClear';

/**
 * A many-to-many relation is about to change or has changed (Django's m2m_changed). `sender` is the model that declares
 * the field (its `through` model when it has one), `instance` the object whose relation changed, `reverse` true when
 * it changed from the other side (tag.posts.add(post)), `model` the class of the objects added or removed, `pkSet`
 * their keys (for preAdd/postAdd only those not already related; null for clear).
 */
export interface M2MChangedEvent {
  sender: AnyModelClass;
  instance: AnyInstance;
  action: M2MAction;
  reverse: boolean;
  model: AnyModelClass;
  pkSet: Set<unknown> | null;
  field: ManyToManyField;
  using: string;
}

export const preSave = new Signal<SaveEvent>();
export const postSave = new Signal<SaveEvent>();
export const preDelete = new Signal<DeleteEvent>();
export const postDelete = new Signal<DeleteEvent>();
export const m2mChanged = new Signal<M2MChangedEvent>();
