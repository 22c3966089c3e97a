// A real upstream OpenID provider for the SSO suite: a second oidc-provider instance on a free port
// whose interaction logs in whichever test account is current and grants the requested scopes,
// the way a person clicking through their company's sign-in page would.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export type IdpAccount = { sub: string; email: string; email_verified: boolean; name: string };
export type IdpClient = { client_id: string; client_secret: string; redirect_uris: string[] };

export class UpstreamIdp {
  issuer = '';
  /** Who signs in at the next interaction. */
  account: IdpAccount | undefined;
  #server: Server | undefined;
  #provider: Provider | undefined;

  /** Listens first: the issuer URL goes into the spec before the clients' redirect URIs are known. */
  async listen(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.issuer = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  configure(clients: IdpClient[]): void {
    const accounts = () => this.account;
    this.#provider = new Provider(this.issuer, {
      clients: clients.map((c) => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' })),
      cookies: { keys: ['upstream-idp-test-cookie-key'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      // Like Google and Entra ID: the ID token itself carries the granted claims, so an app that
      // only holds the ID token (a native app's sign-in) learns the email from it.
      conformIdTokenClaims: false,
      findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => (accounts()?.sub === id ? { ...accounts()! } : { sub: id }) }),
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const provider = this.#provider!;
    try {
      if (!req.url?.startsWith('/interaction/')) return provider.callback()(req, res);
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: this.account!.sub } }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
      grant.addOIDCScope(String(details.params.scope));
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}
