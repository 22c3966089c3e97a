// The few server-rendered pages of the provider: sign-in, consent, the device code pages, sign-out
// and errors. Small, accessible (labels, one heading, real buttons) and escaped: every value that
// did not come from this file passes through `esc`. When the admin UI is built, it shows the sign-in,
// consent and device pages instead (oidc-routes.ts, device-sources.ts); these stay for a server
// without it.
import { askedScopes } from './consent-text.ts';

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;line-height:1.5}label{display:block;margin-top:.75rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem;margin-right:.5rem}.error{color:#a00}code{font-size:1.5rem}';

/** A whole page; `body` is trusted markup built in this file from escaped values. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

const alert = (message: string | undefined) => (message ? `<p class="error" role="alert">${esc(message)}</p>` : '');

export function signInPage(o: { action: string; appName: string; clientName: string; email?: string; error?: string }): string {
  return page(
    `Sign in to ${o.appName}`,
    `<p>${esc(o.clientName)} asks you to sign in.</p>${alert(o.error)}` +
      `<form method="post" action="${esc(o.action)}">` +
      `<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${esc(o.email)}">` +
      `<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Sign in</button></form>`,
  );
}

export function consentPage(o: { action: string; clientName: string; scopes: string[]; tenant?: string }): string {
  const items = askedScopes(o.scopes.join(' '), o.tenant).map((s) => `<li>${esc(s.text)}</li>`).join('');
  return page(
    `Allow ${o.clientName}?`,
    `<p>${esc(o.clientName)} would like to:</p><ul>${items}</ul>` +
      `<form method="post" action="${esc(o.action)}"><button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button></form>`,
  );
}

export function deviceInputPage(form: string, error?: string): string {
  // The form comes from oidc-provider (its values escaped there); it only lacks a label.
  const labelled = form.replace('name="user_code"', 'name="user_code" aria-label="Code shown on your device"');
  return page('Connect a device', `<p>Enter the code shown on your device.</p>${alert(error)}${labelled}<button type="submit" form="op.deviceInputForm">Continue</button>`);
}

export function deviceConfirmPage(form: string, clientName: string, userCode: string): string {
  return page(
    'Confirm the device',
    `<p>${esc(clientName)} shows this code:</p><p><code>${esc(userCode)}</code></p><p>Continue only if your device shows the same code.</p>${form}` +
      `<button type="submit" form="op.deviceConfirmForm">Continue</button><button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>`,
  );
}

export const deviceDonePage = (clientName: string): string => page('Device connected', `<p>${esc(clientName)} is signed in. You can close this page.</p>`);

export const signOutPage = (form: string, appName: string): string =>
  page(`Sign out of ${appName}?`, `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button><button type="submit" form="op.logoutForm">Stay signed in</button>`);

export const signedOutPage = (appName: string): string => page('Signed out', `<p>You are signed out of ${esc(appName)}.</p>`);

export const errorPage = (out: { error?: string; error_description?: string }): string =>
  page('Something went wrong', `<p role="alert">${esc(out.error_description ?? out.error ?? 'The request could not be completed.')}</p>`);
