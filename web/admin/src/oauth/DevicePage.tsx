// Placeholder: replaced by the page's own implementation.
export function DevicePage() {
  return (
    <>
      <h1 tabIndex={-1}>Connect a device</h1>
      <p>This page is being built.</p>
    </>
  );
}
