// Placeholder: replaced by the page's own implementation.
export function ApiKeysPage(_: { tenant: string }) {
  return (
    <>
      <h1 tabIndex={-1}>API keys</h1>
      <p>This page is being built.</p>
    </>
  );
}
