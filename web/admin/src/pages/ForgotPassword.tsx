// Placeholder: replaced by the page's own implementation.
export function ForgotPassword() {
  return (
    <>
      <h1 tabIndex={-1}>Reset your password</h1>
      <p>This page is being built.</p>
    </>
  );
}
