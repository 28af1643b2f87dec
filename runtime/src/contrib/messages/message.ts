// A flash message and its levels (Django's messages framework): shown once, on the next page the visitor sees.

/** The message levels, as numbers (messages below messagesMiddleware's `level` are dropped). */
export const levels = { DEBUG: 10, INFO: 20, SUCCESS: 25, WARNING: 30, ERROR: 40 } as const;
/** A message level (one of `levels`, or your own number). */
export type Level = number;

const TAGS: Record<number, string> = { 10: 'debug', 20: 'info', 25: 'success', 30: 'warning', 40: 'error' };

/** One flash message: its level, text and extra CSS tags; prints as its text in templates. */
export class Message {
  constructor(readonly level: Level, readonly message: string, readonly extraTags = '') {}

  /** CSS classes for the template: the level's tag plus any extra tags. */
  get tags(): string {
    return [this.extraTags, TAGS[this.level] ?? ''].filter(Boolean).join(' ');
  }

  get levelTag(): string {
    return TAGS[this.level] ?? '';
  }

  /** Printed as its text in templates (auto-escaped like any other string). */
  toString(): string {
    return this.message;
  }

  toJSON(): [number, string, string] {
    return [this.level, this.message, this.extraTags];
  }

  static fromJSON(raw: unknown): Message | null {
    if (!Array.isArray(raw) || typeof raw[0] !== 'number' || typeof raw[1] !== 'string') return null;
    return new Message(raw[0], raw[1], typeof raw[2] === 'string' ? raw[2] : '');
  }
}
