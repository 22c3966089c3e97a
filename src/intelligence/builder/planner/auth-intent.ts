// Sign-in methods and identity providers named in the sign-in sentences of a description.
import type { AuthSection } from '../../../spec/schema.ts';

type Provider = NonNullable<AuthSection['providers']>[number];

/** Where an OpenID Connect provider would be; the description never says, so this is a placeholder to replace. */
export const PLACEHOLDER_ISSUER = 'https://sso.example.com';

export function readAuth(signInSentences: string[]): { auth?: AuthSection; understood: string[]; assumptions: string[] } {
  const understood: string[] = [];
  const assumptions: string[] = [];
  if (!signInSentences.length) {
    assumptions.push('The description says nothing about signing in, so no sign-in methods are configured; the root token and API keys can write.');
    return { understood, assumptions };
  }
  const text = signInSentences.join(' ').toLowerCase();
  const methods: NonNullable<AuthSection['methods']> = [];
  const providers: Provider[] = [];
  const magic = /\bmagic[- ]?links?\b|\bemail(?:ed)? (?:a )?links?\b|\bpasswordless\b|\bone[- ]time (?:link|code)\b|\blogin links?\b/.test(text);
  if (magic) methods.push('magicLink');
  if (/\bpasswords?\b/.test(text) || (/\be-?mail\b/.test(text) && !magic)) {
    methods.push('password');
    if (!/\bpasswords?\b/.test(text)) assumptions.push('"Sign in with email" is read as email and password; say "magic link" for password-less email sign-in.');
  }
  if (/\bpasskeys?\b|\bwebauthn\b|\bface ?id\b|\btouch ?id\b|\bfingerprints?\b|\bbiometric/.test(text)) methods.push('passkey');
  const add = (type: Provider['type'], id: string, label: string) => {
    if (!providers.some((p) => p.id === id)) providers.push({ id, type, label });
  };
  if (/\bgit ?hub\b/.test(text)) add('github', 'github', 'GitHub');
  if (/\bgoogle\b|\bgmail\b/.test(text)) add('google', 'google', 'Google');
  if (/\bmicrosoft\b|\boffice ?365\b|\bazure(?: ad)?\b|\bentra\b|\boutlook\b/.test(text)) add('microsoft', 'microsoft', 'Microsoft');
  if (/\blinked ?in\b/.test(text)) add('linkedin', 'linkedin', 'LinkedIn');
  const sso = /\bsingle sign[- ]on\b|\bsso\b|\bopenid\b|\boidc\b|\bokta\b|\bauth0\b|\bkeycloak\b|\bsaml\b|\bonelogin\b|\bping ?identity\b|\bidentity provider\b/.test(text);
  if (sso) {
    providers.push({ id: 'sso', type: 'oidc', label: 'Company sign-in', issuer: PLACEHOLDER_ISSUER });
    assumptions.push(`Single sign-on is configured as an OpenID Connect provider with the placeholder issuer ${PLACEHOLDER_ISSUER}; replace it with your identity provider's issuer URL.`);
    if (/\bsaml\b/.test(text)) assumptions.push('SAML is not supported; single sign-on uses OpenID Connect, which most SAML identity providers also offer.');
  }
  for (const [re, name] of [[/\bapple\b/, 'Apple'], [/\bfacebook\b|\bmeta\b/, 'Facebook'], [/\btwitter\b|\bx\.com\b/, 'Twitter/X'], [/\bdiscord\b/, 'Discord'], [/\bslack\b/, 'Slack']] as const) {
    if (re.test(text)) assumptions.push(`Sign-in with ${name} is not a supported provider type; add it as an "oidc" provider if it offers OpenID Connect.`);
  }
  const auth: AuthSection = {};
  if (methods.length) auth.methods = methods;
  if (providers.length) auth.providers = providers;
  if (/\binvit(?:e|ation)[- ]only\b|\bby invitation\b|\bonly invited\b/.test(text)) auth.signUp = 'invite';
  if (!methods.length && !providers.length) {
    assumptions.push(`The sign-in sentence ("${signInSentences[0]}") names no method Kiln knows, so email and password is used.`);
    auth.methods = ['password'];
  }
  const parts = [...(auth.methods ?? []).map((m) => ({ password: 'email and password', magicLink: 'magic link by email', passkey: 'passkeys' })[m]), ...(auth.providers ?? []).map((p) => p.label ?? p.type)];
  understood.push(`People sign in with ${parts.join(', ')}.`);
  return { auth, understood, assumptions };
}
