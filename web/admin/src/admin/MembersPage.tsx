// Placeholder: replaced by the page's own implementation.
export function MembersPage(_: { tenant: string }) {
  return (
    <>
      <h1 tabIndex={-1}>Members</h1>
      <p>This page is being built.</p>
    </>
  );
}
