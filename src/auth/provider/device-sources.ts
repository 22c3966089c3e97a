// The person's side of the device flow (RFC 8628) at /oidc/device. oidc-provider runs it: it checks
// the code, its xsrf value (kept in its own session) and the confirmation, then the usual sign-in and
// consent interactions. Kiln only decides how each step looks:
// - with the admin UI built, its page /admin/device is the verification URI. That page asks
//   oidc-provider for an xsrf value and to look a code up with fetch (Accept: application/json: the
//   answers are JSON here), then confirms with a real form POST, so the browser follows
//   oidc-provider's redirects through sign-in and consent and lands back on /admin/device. The
//   confirmation page lists what the device asks for, so for a device the consent step is that
//   confirmation (oidc-routes.ts).
// - without it, the server-rendered pages of pages.ts.
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { askedScopes } from './consent-text.ts';
import { deviceConfirmPage, deviceDonePage, deviceInputPage } from './pages.ts';

export const ADMIN_DEVICE_PAGE = '/admin/device';

export type DeviceSourceOptions = {
  adminUi: () => boolean;
  tenantFor: (requested: unknown) => string | undefined;
  /** Why the person signed in on this request may not give access to the tenant; undefined when they may (or nobody is signed in yet). */
  refusal: (ctx: KoaContextWithOIDC, tenant: string | undefined) => Promise<string | undefined>;
};

type DeviceFlow = NonNullable<NonNullable<Configuration['features']>['deviceFlow']>;

/** A failure as a short code the admin UI explains, and the sentence the server pages show. */
export function deviceError(err: Error): { code: string; detail: string } {
  switch (err.name) {
    case 'NoCodeError':
    case 'NotFoundError':
      return { code: 'not_found', detail: 'That code is not valid. Check it and try again.' };
    case 'ExpiredError':
      return { code: 'expired', detail: 'That code has expired. Start again on your device to get a new one.' };
    case 'AlreadyUsedError':
      return { code: 'used', detail: 'That code was already used.' };
    case 'AbortedError':
      return { code: 'aborted', detail: 'The device was not connected.' };
    default:
      return { code: 'invalid', detail: 'This page has expired. Reload it and try again.' };
  }
}

const wantsJson = (ctx: KoaContextWithOIDC) => ctx.get('accept').includes('application/json');
const xsrfOf = (ctx: KoaContextWithOIDC) => String((ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? '');

function redirect(ctx: KoaContextWithOIDC, to: string) {
  ctx.redirect(to);
  ctx.status = 303;
}

export function deviceSources(o: DeviceSourceOptions): Pick<DeviceFlow, 'userCodeInputSource' | 'userCodeConfirmSource' | 'successSource'> {
  return {
    userCodeInputSource: async (ctx, form, _out, err) => {
      if (wantsJson(ctx)) {
        ctx.set('cache-control', 'no-store');
        if (!err) {
          ctx.status = 200;
          ctx.body = { data: { xsrf: xsrfOf(ctx) } };
          return;
        }
        const e = deviceError(err);
        ctx.status = ctx.status >= 400 ? ctx.status : 400;
        ctx.type = 'application/problem+json';
        ctx.body = { type: 'urn:kiln:problem:device-code', title: 'Device code refused', status: ctx.status, detail: e.detail, code: e.code, xsrf: xsrfOf(ctx) };
        return;
      }
      if (o.adminUi()) return redirect(ctx, err ? `${ADMIN_DEVICE_PAGE}?error=${deviceError(err).code}` : ADMIN_DEVICE_PAGE);
      ctx.body = deviceInputPage(form, err ? deviceError(err).detail : undefined);
    },
    userCodeConfirmSource: async (ctx, form, client, _info, userCode) => {
      const clientName = client.clientName ?? client.clientId;
      if (!wantsJson(ctx)) {
        // With the admin UI, its page confirms (it lists what the device asks for): also for a code
        // that arrives by the provider's own link (/oidc/device?user_code=…).
        if (o.adminUi()) return redirect(ctx, `${ADMIN_DEVICE_PAGE}?user_code=${encodeURIComponent(userCode)}`);
        ctx.body = deviceConfirmPage(form, clientName, userCode);
        return;
      }
      const params = (ctx.oidc.entities.DeviceCode?.params ?? {}) as Record<string, unknown>;
      const tenant = o.tenantFor(params.kiln_tenant);
      ctx.set('cache-control', 'no-store');
      ctx.body = {
        data: { xsrf: xsrfOf(ctx), userCode, client: { id: client.clientId, name: clientName }, tenant: tenant ?? null, scopes: askedScopes(params.scope, tenant), refused: (await o.refusal(ctx, tenant)) ?? null },
      };
    },
    successSource: async (ctx) => {
      if (o.adminUi()) return redirect(ctx, `${ADMIN_DEVICE_PAGE}?done=1`);
      ctx.body = deviceDonePage(ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? 'The device');
    },
  };
}
