// Every error leaves as RFC 9457 problem+json naming the field or parameter at fault. Only a fault
// of Kiln's own is a 500, and its details stay in the log.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DataError, type DataErrorKind, type FieldProblem } from '../data/errors.ts';

export type Problem = { type: string; title: string; status: number; detail: string; instance?: string; errors?: FieldProblem[] };

const KIND: Record<DataErrorKind, { status: number; type: string; title: string }> = {
  invalid_query: { status: 400, type: 'urn:kiln:problem:invalid-query', title: 'Invalid query' },
  invalid_body: { status: 422, type: 'urn:kiln:problem:invalid-body', title: 'Invalid content' },
  not_found: { status: 404, type: 'urn:kiln:problem:not-found', title: 'Not found' },
  conflict: { status: 409, type: 'urn:kiln:problem:conflict', title: 'Conflict' },
  forbidden: { status: 403, type: 'urn:kiln:problem:forbidden', title: 'Forbidden' },
  unauthenticated: { status: 401, type: 'urn:kiln:problem:unauthenticated', title: 'Unauthenticated' },
};

type AjvError = { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string };

function fieldOfAjv(e: AjvError): string {
  const path = e.instancePath.split('/').slice(1).join('.');
  if (e.keyword === 'additionalProperties') return [path, e.params.additionalProperty].filter(Boolean).join('.');
  if (e.keyword === 'required') return [path, e.params.missingProperty].filter(Boolean).join('.');
  return path;
}

function detailOfAjv(e: AjvError): string {
  if (e.keyword === 'additionalProperties') return 'is not a field of this collection';
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'enum') return `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return e.message ?? 'is invalid';
}

export function toProblem(error: unknown, request: FastifyRequest): Problem {
  const instance = request.url.split('?')[0];
  if (error instanceof DataError) {
    const k = KIND[error.kind];
    return { type: k.type, title: k.title, status: k.status, detail: error.message, instance, ...(error.errors.length && { errors: error.errors }) };
  }
  const fe = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation) {
    const errors = fe.validation.map((e) => ({ field: fieldOfAjv(e), detail: detailOfAjv(e) }));
    const body = fe.validationContext === 'body';
    const names = [...new Set(errors.map((e) => e.field).filter(Boolean))];
    return {
      type: body ? KIND.invalid_body.type : KIND.invalid_query.type,
      title: body ? KIND.invalid_body.title : KIND.invalid_query.title,
      status: body ? 422 : 400,
      detail: names.length ? `Invalid ${names.map((n) => `"${n}"`).join(', ')}` : `Invalid request ${fe.validationContext ?? ''}`.trim(),
      instance,
      errors,
    };
  }
  const status = typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
  if (status === 500) return { type: 'about:blank', title: 'Internal Server Error', status, detail: 'Kiln failed to answer this request; the server log has the details.', instance };
  const detail =
    fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
      ? `The body is not valid JSON: ${fe.message}`
      : fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'The body is larger than this server accepts'
        : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'Send the body as application/json'
          : fe.message;
  return { type: 'about:blank', title: httpTitle(status), status, detail, instance, ...(status === 400 && { errors: [{ field: '', detail }] }) };
}

function httpTitle(status: number): string {
  return { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 413: 'Content Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests' }[status] ?? 'Client Error';
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="kiln"');
  return reply.code(problem.status).type('application/problem+json').serializer(JSON.stringify).send(problem);
}
