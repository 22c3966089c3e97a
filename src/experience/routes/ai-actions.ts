// AI content actions over HTTP: POST …/{collection}/{id}/ai/{action} answers with a suggestion and
// changes nothing. An editor accepts it by PATCHing the item with `data.suggestion`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../data/store.ts';
import { SINGLE_TENANT_SLUG } from '../../data/store.ts';
import type { Actor } from '../../data/access.ts';
import { IdempotencyKeyError, ModelUnavailableError, type ModelGateway } from '../../intelligence/gateway/model-gateway.ts';
import { runAiAction, targetsOf } from '../../intelligence/actions/run-action.ts';
import { AI_ACTION_NAMES, aiActionsOf } from '../../spec/ai-actions.ts';
import { ModelRequiredError } from '../../intelligence/actions/translate.ts';
import { sendProblem } from '../problem.ts';

type Deps = { store: Store; actor: (req: FastifyRequest) => Actor; gateway: ModelGateway };
type Params = { tenant?: string; id: string; action: string };

export function aiActionRoutes(app: FastifyInstance, { store, actor, gateway }: Deps): void {
  const single = store.spec.tenancy === 'single';
  for (const name of store.model.collections.keys()) {
    register(`/api/t/:tenant/${name}/:id/ai/:action`, name);
    if (single) register(`/api/${name}/:id/ai/:action`, name);
  }

  function register(path: string, collection: string) {
    app.post(path, {
      handler: async (req, reply) => {
        const p = req.params as Params;
        const key = req.headers['idempotency-key'];
        try {
          const data = await runAiAction(
            { store, gateway },
            {
              scope: { tenant: p.tenant ?? SINGLE_TENANT_SLUG, actor: actor(req) },
              collection,
              id: p.id,
              action: p.action,
              body: req.body,
              ...(typeof key === 'string' && key && { idempotencyKey: key }),
            },
          );
          return { data };
        } catch (e) {
          if (e instanceof ModelUnavailableError) {
            reply.header('retry-after', '30');
            return sendProblem(reply, {
              type: 'urn:kiln:problem:model-unavailable',
              title: 'The model provider did not answer',
              status: 503,
              detail: `${p.action} needs a model, and none gave a usable answer; try again later. ${e.reasons.join('; ')}`,
              instance: req.url.split('?')[0],
            });
          }
          if (e instanceof IdempotencyKeyError) {
            return sendProblem(reply, {
              type: 'urn:kiln:problem:idempotency-key-spent',
              title: 'Idempotency key already used',
              status: 409,
              detail: e.message,
              instance: req.url.split('?')[0],
              errors: [{ field: 'Idempotency-Key', detail: `names call ${e.firstCall}, whose result cannot be replayed` }],
            });
          }
          if (!(e instanceof ModelRequiredError)) throw e;
          // Not a fault of the request or of Kiln: this server is not configured for the action.
          return sendProblem(reply, {
            type: 'urn:kiln:problem:model-required',
            title: 'A model provider is required',
            status: 501,
            detail: e.message,
            instance: req.url.split('?')[0],
            errors: [{ field: 'action', detail: `${e.action} has no offline implementation` }],
          });
        }
      },
    });
  }
}

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/** The OpenAPI path of a collection's actions, or nothing when it declares none. */
export function aiActionPaths(store: Store, collection: string, prefix: string, pathParams: readonly unknown[]): Record<string, unknown> {
  const configs = aiActionsOf(store.spec, collection);
  const actions = AI_ACTION_NAMES.filter((a) => configs[a] !== undefined);
  if (!actions.length) return {};
  const targets = actions.map((a) => `${a} → ${targetsOf(a, configs).join(', ')}`).join('; ');
  const languages = configs.translate?.languages;
  return {
    [`${prefix}/{id}/ai/{action}`]: {
      post: {
        tags: ['ai actions'],
        operationId: `aiAction${collection.charAt(0).toUpperCase()}${collection.slice(1)}`,
        summary: `Run an AI content action on a ${collection} item and get a suggestion (${targets})`,
        description:
          'Nothing is changed. `data.suggestion` maps fields to the values the action suggests; to accept it, PATCH the item with ' +
          'exactly that object (edit it first if you like). Needs update rights on the collection. Runs through the model gateway: ' +
          'offline algorithms by default (extractive summary, SEO text from the content, tags matched against the existing tags), ' +
          'a model when KILN_AI_PROVIDER is set; translate has no offline implementation and answers 501 without one.',
        parameters: [
          ...pathParams,
          { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          { name: 'action', in: 'path', required: true, schema: { type: 'string', enum: actions } },
          { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' }, description: 'A retried request with the same key is answered from the first run, never run or billed twice.' },
        ],
        security: [{}, { bearer: [] }],
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: languages ? { language: { type: 'string', enum: languages, description: 'translate only: the language to translate into.' } } : {},
              },
            },
          },
        },
        responses: {
          200: {
            description: 'The suggestion',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: {
                      type: 'object',
                      properties: {
                        action: { type: 'string', enum: actions },
                        suggestion: { type: 'object', description: 'Field → suggested value; PATCH the item with it to accept.' },
                        source: { type: 'string', enum: ['model', 'cache', 'offline'] },
                        promptVersion: { type: 'string' },
                        notes: { type: 'array', items: { type: 'string' } },
                        callId: { type: 'string', description: 'The call in the AI log (kiln ai log).' },
                      },
                    },
                  },
                },
              },
            },
          },
          401: problemResponse('Missing or invalid token'),
          403: problemResponse('No update rights on the collection'),
          404: problemResponse('No such tenant or item, or the collection does not declare the action'),
          422: problemResponse('The item has no text for the action, or an invalid language'),
          409: problemResponse('The Idempotency-Key names an earlier call that failed or never finished; retry with a new key'),
          501: problemResponse('The action needs a model provider (KILN_AI_PROVIDER)'),
          503: problemResponse('No model gave a usable answer; see Retry-After'),
        },
      },
    },
  };
}
