// Loading and error states that look the same everywhere: a status message, or an alert with a retry.
import type { ReactNode } from 'react';

export function Notice({ kind, children, retry }: { kind: 'loading' | 'error' | 'info'; children: ReactNode; retry?: () => void }) {
  if (kind === 'error') {
    return (
      <div className="notice notice-error" role="alert">
        <p>{children}</p>
        {retry && (
          <button type="button" onClick={retry}>
            Try again
          </button>
        )}
      </div>
    );
  }
  return (
    <div className={`notice notice-${kind}`} role="status">
      {kind === 'loading' && <span className="spinner" aria-hidden="true" />}
      {children}
    </div>
  );
}
