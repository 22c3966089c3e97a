// What a client asks to do, in words a person understands: the list on the consent and device pages
// (server-rendered and the admin UI's alike).
const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are',
  email: 'See your email address',
  profile: 'See your name',
  offline_access: 'Stay signed in when you are away',
};

export type AskedScope = { scope: string; text: string };

/** The scopes of a request (space-separated), then the API access every token carries. */
export function askedScopes(scope: unknown, tenant: string | undefined): AskedScope[] {
  const asked = String(scope ?? '')
    .split(' ')
    .filter(Boolean)
    .map((s) => ({ scope: s, text: SCOPE_TEXT[s] ?? s }));
  return [...asked, { scope: 'api', text: `Use this app's API on your behalf${tenant ? ` in ${tenant}` : ''}` }];
}
