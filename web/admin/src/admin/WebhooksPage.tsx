// Placeholder: replaced by the page's own implementation.
export function WebhooksPage(_: { tenant: string; id?: string }) {
  return (
    <>
      <h1 tabIndex={-1}>Webhooks</h1>
      <p>This page is being built.</p>
    </>
  );
}
