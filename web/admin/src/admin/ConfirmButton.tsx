// A button for something that cannot be undone: the first press asks, in place, with the question and
// two buttons; focus moves to the confirming one so a keyboard user answers right there.
import { useEffect, useRef, useState } from 'react';

export function ConfirmButton({ label, name, question, confirmLabel, onConfirm, busy, danger = true }: { label: string; /** The opener's accessible name when the label alone is ambiguous, like "Remove ada@example.com". */ name?: string; question: string; confirmLabel: string; onConfirm: () => void; busy?: boolean; danger?: boolean }) {
  const [asking, setAsking] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" ref={opener} className={danger ? 'danger' : undefined} disabled={busy} aria-label={name} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  const cancel = () => {
    setAsking(false);
    requestAnimationFrame(() => opener.current?.focus());
  };
  return (
    <span className="confirm" role="group" aria-label={question} onKeyDown={(e) => e.key === 'Escape' && cancel()}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        ref={yes}
        className={danger ? 'danger' : 'primary'}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={cancel}>
        Cancel
      </button>
    </span>
  );
}
