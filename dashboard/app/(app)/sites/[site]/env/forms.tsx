'use client';
// Env var rows (masked until revealed, editable, removable) and the form to add one.
import { useActionState, useState, useTransition } from 'react';
import { Field, FormMessage, SubmitButton } from '@/app/ui/form';
import { idle } from '@/lib/form-state';
import { removeVarAction, revealVarAction, setVarAction } from './actions';

export function AddVarForm({ site }: { site: string }) {
  const [state, action] = useActionState(setVarAction, idle);
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="site" value={site} />
      <div className="two">
        <Field name="name" label="Name" state={state} autoComplete="off" autoCapitalize="characters" spellCheck={false} placeholder="API_KEY" />
        <Field name="value" label="Value" state={state} autoComplete="off" spellCheck={false} />
      </div>
      <SubmitButton pendingText="Saving…">Set variable</SubmitButton>
    </form>
  );
}

export function VarRow({ site, name }: { site: string; name: string }) {
  const [value, setValue] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [editing, setEditing] = useState(false);
  const [revealing, startReveal] = useTransition();
  const [setState, setAction] = useActionState(setVarAction, idle);
  const [rmState, rmAction] = useActionState(removeVarAction, idle);
  const reveal = () =>
    startReveal(async () => {
      const r = await revealVarAction(site, name);
      setValue(r.value);
      setError(r.error);
    });
  const state = rmState.message ? rmState : setState;
  return (
    <tr>
      <th scope="row"><code>{name}</code></th>
      <td data-label="Value">
        {editing ? (
          <form action={setAction} className="row-form" onSubmit={() => setEditing(false)}>
            <input type="hidden" name="site" value={site} />
            <input type="hidden" name="name" value={name} />
            <label htmlFor={`v-${name}`} className="sr-only">New value of {name}</label>
            <input id={`v-${name}`} name="value" defaultValue={value ?? ''} autoComplete="off" spellCheck={false} className="inline-input" autoFocus />
            <SubmitButton className="button" pendingText="Saving…">Save<span className="sr-only"> {name}</span></SubmitButton>
            <button type="button" className="link-button" onClick={() => setEditing(false)}>Cancel</button>
          </form>
        ) : value !== undefined ? (
          <code className="secret-value" data-testid={`value-${name}`}>{value}</code>
        ) : (
          <span aria-label="hidden value" className="muted">••••••••</span>
        )}
        {error ? <span className="field-error"> {error}</span> : null}
        <FormMessage state={state} />
      </td>
      <td className="row-form">
        {value === undefined ? (
          <button type="button" className="button button-secondary" onClick={reveal} disabled={revealing}>{revealing ? '…' : 'Reveal'}<span className="sr-only"> {name}</span></button>
        ) : (
          <button type="button" className="button button-secondary" onClick={() => setValue(undefined)}>Hide<span className="sr-only"> {name}</span></button>
        )}
        {!editing ? (
          <button type="button" className="button button-secondary" onClick={() => { if (value === undefined) reveal(); setEditing(true); }}>Edit<span className="sr-only"> {name}</span></button>
        ) : null}
        <form action={rmAction}>
          <input type="hidden" name="site" value={site} />
          <input type="hidden" name="name" value={name} />
          <SubmitButton className="button button-danger" pendingText="…">Remove<span className="sr-only"> {name}</span></SubmitButton>
        </form>
      </td>
    </tr>
  );
}
