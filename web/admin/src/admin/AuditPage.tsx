// Placeholder: replaced by the page's own implementation.
export function AuditPage(_: { tenant: string }) {
  return (
    <>
      <h1 tabIndex={-1}>Audit log</h1>
      <p>This page is being built.</p>
    </>
  );
}
