// Placeholder: replaced by the page's own implementation.
export function ConsentPage(_: { uid: string }) {
  return (
    <>
      <h1 tabIndex={-1}>Allow access</h1>
      <p>This page is being built.</p>
    </>
  );
}
