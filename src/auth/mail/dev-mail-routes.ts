// The development mail viewer: with no SMTP server configured, mail stays in the outbox and these
// routes show it. Only the root token may read it, whatever address the server is bound to: the
// messages carry sign-in and reset links, and "bound to localhost" stops being true behind a proxy.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { DataError, notFound } from '../../data/errors.ts';
import type { MailOutbox } from './outbox.ts';

export type DevMailOptions = { outbox: MailOutbox; actor: (req: FastifyRequest) => Actor };

export async function devMailRoutes(app: FastifyInstance, o: DevMailOptions): Promise<void> {
  const guard = (req: FastifyRequest) => {
    if (o.outbox.delivering) throw notFound('No development mail viewer: mail is sent through KILN_SMTP_URL');
    const a = o.actor(req);
    if (a.kind === 'anonymous') throw new DataError('unauthenticated', 'The mail viewer needs the root token');
    if (a.kind !== 'root') throw new DataError('forbidden', 'Only the root token may read the mail viewer');
  };
  app.get('/api/dev/mail', { schema: { hide: true } }, async (req) => {
    guard(req);
    const mails = await o.outbox.list();
    return { data: mails.map(({ text: _t, html: _h, ...summary }) => summary) };
  });
  app.get<{ Params: { id: string } }>('/api/dev/mail/:id', { schema: { hide: true } }, async (req) => {
    guard(req);
    const mail = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(req.params.id) ? await o.outbox.get(req.params.id) : undefined;
    if (!mail) throw notFound(`No mail ${req.params.id} in the outbox`);
    return { data: mail };
  });
}
