// "Your password" asked again before a sensitive step (two-factor setup and removal, an app that
// wants a fresh sign-in), with the server's complaint about it shown under the field.
import { forwardRef } from 'react';

type Props = { id: string; label?: string; value: string; onChange: (value: string) => void; error?: string | null };

export const CurrentPasswordField = forwardRef<HTMLInputElement, Props>(function CurrentPasswordField({ id, label = 'Your password', value, onChange, error }, ref) {
  return (
    <>
      <label>
        <span>{label}</span>
        <input
          ref={ref}
          type="password"
          autoComplete="current-password"
          required
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      </label>
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
});
