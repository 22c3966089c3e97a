// Placeholder: replaced by the page's own implementation.
export function ResetPassword() {
  return (
    <>
      <h1 tabIndex={-1}>Choose a new password</h1>
      <p>This page is being built.</p>
    </>
  );
}
