// One control per field type, each with its label, hint and the API's message beside it.
import type { ReactNode } from 'react';
import type { Field } from '../spec.ts';
import { fieldLabel, humanize } from '../spec.ts';
import type { FormValue, Picked } from './form-values.ts';
import { RelationPicker } from './RelationPicker.tsx';
import { MediaInput } from './MediaInput.tsx';
import { RichTextInput } from './RichTextInput.tsx';
import { JsonInput, jsonProblem } from './JsonInput.tsx';
import { localZone, utcText } from './time-zone.ts';

export type FieldInputProps = {
  name: string;
  field: Field;
  value: FormValue;
  error?: string;
  tenant: string;
  collection: string;
  readOnly?: boolean;
  onChange: (v: FormValue) => void;
};

function hintOf(name: string, f: Field): string | undefined {
  const parts: string[] = [];
  if (f.description) parts.push(f.description);
  if (f.type === 'slug' && f.from) parts.push(`Made from ${humanize(f.from).toLowerCase()} when left empty.`);
  if ((f.type === 'string' || f.type === 'text' || f.type === 'richtext') && f.max !== undefined) parts.push(`At most ${f.max} characters.`);
  if (f.type === 'json') parts.push('JSON, for example {"key": "value"}.');
  if (f.type === 'decimal' && f.scale !== undefined) parts.push(`Up to ${f.scale} decimals.`);
  if (f.type === 'datetime') parts.push(`In your time zone, ${localZone()}.`);
  void name;
  return parts.join(' ') || undefined;
}

export function FieldInput(p: FieldInputProps) {
  const { name, field: f } = p;
  const id = `field-${name}`;
  const hint = hintOf(name, f);
  const str = typeof p.value === 'string' ? p.value : '';
  // A JSON parse problem is known before sending; it shows (and is announced) on the field at once.
  const parse = f.type === 'json' && jsonProblem(str) ? `${id}-parse` : '';
  // The live parse message says the same as the one from Save, and more precisely.
  const error = parse ? undefined : p.error;
  const described = [hint && `${id}-hint`, parse, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-describedby': described, 'aria-invalid': error || parse ? true : undefined, disabled: p.readOnly, required: f.required && f.type !== 'boolean' && f.type !== 'slug' };
  const label = `${fieldLabel(name, f)}${f.required && f.type !== 'boolean' ? ' (required)' : ''}`;
  let control: ReactNode;
  switch (f.type) {
    case 'text':
      control = <textarea {...common} rows={4} value={str} onChange={(e) => p.onChange(e.target.value)} />;
      break;
    case 'richtext':
      return (
        <div className="field field-richtext">
          <span className="label" id={`${id}-label`}>
            {label}
          </span>
          <RichTextInput id={id} label={label} describedBy={described} invalid={Boolean(p.error)} value={str} readOnly={p.readOnly} onChange={p.onChange} />
          {hint && <small id={`${id}-hint`}>{hint}</small>}
          {p.error && <FieldError id={`${id}-error`} text={p.error} />}
        </div>
      );
    case 'json':
      control = <JsonInput id={id} common={common} value={str} readOnly={p.readOnly} onChange={p.onChange} />;
      break;
    case 'integer':
    case 'number':
      control = <input {...common} type="number" step={f.type === 'integer' ? 1 : 'any'} min={f.min as number | undefined} max={f.max as number | undefined} value={str} onChange={(e) => p.onChange(e.target.value)} />;
      break;
    case 'decimal':
      control = <input {...common} type="text" inputMode="decimal" value={str} onChange={(e) => p.onChange(e.target.value)} />;
      break;
    case 'boolean':
      control = <input {...common} type="checkbox" checked={p.value === true} onChange={(e) => p.onChange(e.target.checked)} />;
      break;
    case 'date':
      control = <input {...common} type="date" value={str} onChange={(e) => p.onChange(e.target.value)} />;
      break;
    case 'datetime':
      control = (
        <>
          <input {...common} type="datetime-local" value={str} onChange={(e) => p.onChange(e.target.value)} />
          {utcText(str) && <small className="hint">Saved as {utcText(str)}</small>}
        </>
      );
      break;
    case 'enum':
      control = f.multiple ? (
        <select {...common} multiple value={Array.isArray(p.value) ? (p.value as string[]) : []} onChange={(e) => p.onChange([...e.target.selectedOptions].map((o) => o.value))}>
          {(f.values ?? []).map((v) => (
            <option key={v} value={v}>
              {humanize(v)}
            </option>
          ))}
        </select>
      ) : (
        <select {...common} value={str} onChange={(e) => p.onChange(e.target.value)}>
          {!f.required && <option value="">—</option>}
          {(f.values ?? []).map((v) => (
            <option key={v} value={v}>
              {humanize(v)}
            </option>
          ))}
        </select>
      );
      break;
    case 'relation':
      return (
        <div className="field">
          <RelationPicker {...p} id={id} label={label} describedBy={described} value={p.value as Picked | Picked[] | null} />
          {hint && <small id={`${id}-hint`}>{hint}</small>}
          {p.error && <FieldError id={`${id}-error`} text={p.error} />}
        </div>
      );
    case 'media':
      return (
        <div className="field">
          <MediaInput {...p} id={id} label={label} describedBy={described} value={str} />
          {hint && <small id={`${id}-hint`}>{hint}</small>}
          {p.error && <FieldError id={`${id}-error`} text={p.error} />}
        </div>
      );
    default:
      control = <input {...common} type={f.type === 'email' ? 'email' : f.type === 'url' ? 'url' : 'text'} maxLength={typeof f.max === 'number' ? f.max : undefined} value={str} onChange={(e) => p.onChange(e.target.value)} />;
  }
  return (
    <div className={`field field-${f.type}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && <FieldError id={`${id}-error`} text={error} />}
    </div>
  );
}

function FieldError({ id, text }: { id: string; text: string }) {
  return (
    <p className="field-error" id={id}>
      {text}
    </p>
  );
}
