// One control per field type, each with its label, hint and the API's message beside it.
import type { ReactNode } from 'react';
import type { Field } from '../spec.ts';
import { fieldLabel, humanize } from '../spec.ts';
import type { FormValue, Picked } from './form-values.ts';
import { RelationPicker } from './RelationPicker.tsx';
import { MediaInput } from './MediaInput.tsx';

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
  void name;
  return parts.join(' ') || undefined;
}

export function FieldInput(p: FieldInputProps) {
  const { name, field: f } = p;
  const id = `field-${name}`;
  const hint = hintOf(name, f);
  const described = [hint && `${id}-hint`, p.error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-describedby': described, 'aria-invalid': p.error ? true : undefined, disabled: p.readOnly, required: f.required && f.type !== 'boolean' && f.type !== 'slug' };
  const label = `${fieldLabel(name, f)}${f.required && f.type !== 'boolean' ? ' (required)' : ''}`;
  const str = typeof p.value === 'string' ? p.value : '';
  let control: ReactNode;
  switch (f.type) {
    case 'text':
    case 'richtext':
      control = <textarea {...common} rows={f.type === 'richtext' ? 10 : 4} value={str} onChange={(e) => p.onChange(e.target.value)} />;
      break;
    case 'json':
      control = <textarea {...common} className="mono" rows={6} spellCheck={false} value={str} onChange={(e) => p.onChange(e.target.value)} />;
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
      control = <input {...common} type="datetime-local" value={str} onChange={(e) => p.onChange(e.target.value)} />;
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
      {p.error && <FieldError id={`${id}-error`} text={p.error} />}
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
