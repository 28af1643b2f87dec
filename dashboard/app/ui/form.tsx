'use client';
// Form building blocks with labels, inline errors tied to their inputs, and a pending submit button.
import { useFormStatus } from 'react-dom';
import type { InputHTMLAttributes, ReactNode } from 'react';
import type { FormState } from '@/lib/form-state';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'defaultValue'> {
  name: string;
  label: string;
  state: FormState;
  hint?: ReactNode;
  defaultValue?: string;
}

export function Field({ name, label, state, hint, defaultValue, ...input }: FieldProps) {
  const id = `f-${name}`;
  const error = state.fieldErrors?.[name];
  // An error takes the hint's place: the two would say the same thing twice ("At least 10
  // characters." above "Use at least 10 characters.").
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        // Keyed on what the server echoed so a failed submit shows what was typed, not a blank form.
        key={state.values?.[name] ?? defaultValue ?? ''}
        defaultValue={state.values?.[name] ?? defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...input}
      />
      {error ? <p id={`${id}-error`} className="field-error">{error}</p> : hint ? <p id={`${id}-hint`} className="hint">{hint}</p> : null}
    </div>
  );
}

export function SubmitButton({ children, pendingText, className }: { children: ReactNode; pendingText?: string; className?: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className={className ?? 'button'} disabled={pending} aria-disabled={pending}>
      {pending ? (pendingText ?? 'Working…') : children}
    </button>
  );
}

/** The form-level outcome, announced to screen readers. */
export function FormMessage({ state }: { state: FormState }) {
  if (!state.message) return <p className="sr-only" role="status" aria-live="polite" />;
  return (
    <p className={state.status === 'error' ? 'notice notice-error' : 'notice notice-ok'} role={state.status === 'error' ? 'alert' : 'status'}>
      {state.message}
    </p>
  );
}
