// The messages the identity layer sends: plain text for every client, and the same words as simple
// HTML. Links are absolute URLs built from KILN_PUBLIC_URL by the caller.
import type { OutgoingMail } from './outbox.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function message(kind: string, to: string, subject: string, lines: string[], link: { label: string; url: string }, footer: string): OutgoingMail {
  const text = [...lines, '', `${link.label}: ${link.url}`, '', footer, ''].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    ...lines.map((l) => `<p>${escape(l)}</p>`),
    `<p><a href="${escape(link.url)}">${escape(link.label)}</a></p>`,
    `<p style="color:#666;font-size:small">${escape(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return { kind, to, subject, text, html };
}

export function verifyEmailMail(app: string, to: string, url: string): OutgoingMail {
  return message('verify-email', to, `Confirm your email address for ${app}`, [`Welcome to ${app}.`, 'Please confirm that this is your email address.'], { label: 'Confirm your email address', url }, 'If you did not create an account, you can ignore this message.');
}

export function resetPasswordMail(app: string, to: string, url: string): OutgoingMail {
  return message('reset-password', to, `Reset your ${app} password`, ['Someone asked to reset the password of your account.', 'The link works once and expires in one hour.'], { label: 'Choose a new password', url }, 'If you did not ask for this, ignore this message: your password stays as it is.');
}

export function invitationMail(app: string, to: string, i: { tenant: string; inviter: string; roles: string[]; url: string }): OutgoingMail {
  return message('invitation', to, `You are invited to ${i.tenant} on ${app}`, [`${i.inviter} invited you to join ${i.tenant} on ${app} as ${i.roles.join(', ')}.`, 'Sign in (or create an account) with this email address, then accept the invitation. It expires in 7 days.'], { label: 'See the invitation', url: i.url }, 'If you did not expect this, you can ignore this message.');
}

export function magicLinkMail(app: string, to: string, url: string, minutes: number): OutgoingMail {
  return message('magic-link', to, `Your ${app} sign-in link`, [`Someone asked to sign in to ${app} with this email address.`, `The link works once and expires in ${minutes} minutes.`], { label: `Sign in to ${app}`, url }, 'If you did not ask for this, ignore this message: nobody can sign in without the link.');
}
