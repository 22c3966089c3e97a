// A json field: a monospace text area that says where the JSON is broken while it is typed, before
// anything is sent, and can lay the value out readably.
import type { FormValue } from './form-values.ts';

type Props = { id: string; common: Record<string, unknown>; value: string; readOnly?: boolean; onChange: (v: FormValue) => void };

/** Why the text is not JSON, or '' when it is (or is empty, which clears the field). */
export function jsonProblem(text: string): string {
  if (text.trim() === '') return '';
  try {
    JSON.parse(text);
    return '';
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}`;
  }
}

export function JsonInput(p: Props) {
  const problem = jsonProblem(p.value);
  const pretty = () => p.onChange(JSON.stringify(JSON.parse(p.value), null, 2));
  return (
    <>
      <textarea {...p.common} className="mono" rows={8} spellCheck={false} value={p.value} onChange={(e) => p.onChange(e.target.value)} />
      <div className="json-tools">
        <button type="button" onClick={pretty} disabled={p.readOnly || problem !== '' || p.value.trim() === ''}>
          Format JSON
        </button>
      </div>
      {problem && (
        <p className="field-error" id={`${p.id}-parse`} aria-live="polite">
          {problem}
        </p>
      )}
    </>
  );
}
