// SLOT: the passkeys section of the account page. Passkeys are being built separately (their
// enrolment lives in pages/PasskeyEnrol.tsx); that work replaces this body with the list of the
// person's passkeys and a way to add and remove them. Until then the section renders nothing.
import type { AccountSectionProps } from './account-info.ts';

export function PasskeysSection(_props: AccountSectionProps) {
  return null;
}
