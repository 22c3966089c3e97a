// The passkeys section of the account page: the person's passkeys, "Add a passkey" and removal
// (pages/PasskeyEnrol.tsx). It renders nothing where the app does not offer passkeys.
import { PasskeyEnrol } from '../pages/PasskeyEnrol.tsx';

export function PasskeysSection() {
  return <PasskeyEnrol />;
}
