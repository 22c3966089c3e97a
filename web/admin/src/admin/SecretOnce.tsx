// A secret the server shows only once (an API key, a webhook signing secret): in a read-only field to
// select, with a copy button, and plainly told that it will not be shown again.
import { useEffect, useRef, useState } from 'react';

export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <div className="secret-once" role="region" aria-labelledby="secret-once-title" tabIndex={-1} ref={box}>
      <h2 id="secret-once-title">{label}</h2>
      <p>
        <strong>Copy it now: you will not see it again.</strong> Kiln keeps only a hash of it.
      </p>
      <div className="secret-row">
        <input id="secret-once-value" className="mono" readOnly value={secret} aria-label={label} onFocus={(e) => e.target.select()} />
        <button type="button" className="primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="hint" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Your browser did not allow copying; select the text and copy it yourself.' : ''}
      </p>
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}
