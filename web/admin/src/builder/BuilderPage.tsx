// Placeholder: replaced by the page's own implementation.
export function BuilderPage() {
  return (
    <>
      <h1 tabIndex={-1}>Builder</h1>
      <p>This page is being built.</p>
    </>
  );
}
