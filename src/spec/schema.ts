// The app spec, format version 1: the single source of truth for an app.
// Hand-written specs and model-written specs pass through this same schema and the semantic checks
// in check.ts; nothing else decides what an app is.
import { z } from 'zod';

export const SPEC_FORMAT = 1;

// Names become SQL identifiers (always quoted by Kysely) and URL segments, so they are kept to a
// portable, case-sensitive subset: PostgreSQL folds unquoted names and limits them to 63 bytes; a join table joins two names.
const NAME = /^[a-z][a-zA-Z0-9_]{0,29}$/;
const name = (what: string) =>
  z.string().regex(NAME, {
    message: `${what} must start with a lowercase letter and contain only letters, digits and _ (at most 30 characters)`,
  });

const common = {
  label: z.string().max(120).optional().describe('Human-readable label for the admin UI.'),
  description: z.string().max(2000).optional(),
  required: z.boolean().optional().describe('A value must be present on create and can never be set to null.'),
  unique: z.boolean().optional().describe('No two items of one tenant may share a value.'),
  index: z.boolean().optional().describe('Create a database index for filtering and sorting on this field.'),
  searchable: z.boolean().optional().describe('Include this field in full-text search.'),
  renamedFrom: z.string().optional().describe('The name this field had in the previous spec version; a rename is never guessed.'),
};

const lengthLimits = {
  min: z.number().int().min(0).optional().describe('Minimum length in characters.'),
  max: z.number().int().min(1).max(10_000_000).optional().describe('Maximum length in characters.'),
};

const stringField = z.object({ type: z.literal('string'), ...common, ...lengthLimits, default: z.string().optional() }).strict();
const textField = z.object({ type: z.literal('text'), ...common, ...lengthLimits, default: z.string().optional() }).strict();
const richtextField = z.object({ type: z.literal('richtext'), ...common, ...lengthLimits, default: z.string().optional() }).strict();
const emailField = z.object({ type: z.literal('email'), ...common, default: z.string().optional() }).strict();
const urlField = z.object({ type: z.literal('url'), ...common, default: z.string().optional() }).strict();
const slugField = z
  .object({
    type: z.literal('slug'),
    ...common,
    ...lengthLimits,
    from: z.string().optional().describe('Field whose value the slug is derived from when none is given.'),
    default: z.string().optional(),
  })
  .strict();
const integerField = z
  .object({
    type: z.literal('integer'),
    ...common,
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    default: z.number().int().optional(),
  })
  .strict();
const numberField = z
  .object({ type: z.literal('number'), ...common, min: z.number().optional(), max: z.number().optional(), default: z.number().optional() })
  .strict();
const decimalField = z
  .object({
    type: z.literal('decimal'),
    ...common,
    // Exact values are stored scaled as 64-bit integers on SQLite; 15 digits keep them exact in JavaScript too.
    precision: z.number().int().min(1).max(15).optional().describe('Total significant digits (default 15).'),
    scale: z.number().int().min(0).max(10).optional().describe('Digits after the decimal point (default 2).'),
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
    default: z.union([z.number(), z.string()]).optional(),
  })
  .strict();
const booleanField = z.object({ type: z.literal('boolean'), ...common, default: z.boolean().optional() }).strict();
const dateField = z
  .object({ type: z.literal('date'), ...common, min: z.string().optional(), max: z.string().optional(), default: z.string().optional() })
  .strict();
const datetimeField = z
  .object({
    type: z.literal('datetime'),
    ...common,
    min: z.string().optional(),
    max: z.string().optional(),
    default: z.string().optional().describe('An ISO 8601 date-time, or "now" for the time of creation.'),
  })
  .strict();
const enumField = z
  .object({
    type: z.literal('enum'),
    ...common,
    values: z.array(z.string().min(1).max(100)).min(1).max(200),
    multiple: z.boolean().optional().describe('The value is a list of distinct allowed values.'),
    default: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .strict();
const jsonField = z.object({ type: z.literal('json'), ...common, default: z.unknown().optional() }).strict();
const mediaField = z
  .object({
    type: z.literal('media'),
    ...common,
    accept: z.array(z.string()).optional().describe('Allowed MIME types, for example "image/*".'),
    maxSize: z.number().int().min(1).optional().describe('Largest accepted file in bytes.'),
    default: z.string().optional(),
  })
  .strict();
const relationField = z
  .object({
    type: z.literal('relation'),
    ...common,
    to: z.string().describe('Name of the collection this field points at.'),
    many: z.boolean().optional().describe('true: a list of items (join table); false: one item (foreign key).'),
    min: z.number().int().min(0).optional().describe('With many: fewest linked items.'),
    max: z.number().int().min(1).optional().describe('With many: most linked items.'),
  })
  .strict();

export const fieldSchema = z.discriminatedUnion('type', [
  stringField,
  textField,
  richtextField,
  integerField,
  numberField,
  decimalField,
  booleanField,
  dateField,
  datetimeField,
  enumField,
  emailField,
  urlField,
  slugField,
  jsonField,
  mediaField,
  relationField,
]);

export const ACTIONS = ['read', 'create', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

export const workflowSchema = z
  .object({
    field: z.string().describe('A required enum field of the collection that holds the state; its values are the states.'),
    publish: z.string().describe('The state whose content readers see. Entering it publishes the item; leaving it unpublishes.'),
    transitions: z
      .array(
        z
          .object({
            from: z.union([z.string(), z.array(z.string()).min(1)]).describe('A state, a list of states, or "*" for any.'),
            to: z.string(),
            roles: z.array(z.string()).min(1).describe('Roles that may take this transition.'),
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .describe('Drafts and publishing: editors work on a draft while readers see the last published version.');

// AI content actions an editor can run on one item. Each answers with a suggestion for named fields
// of the item; nothing is written until the editor saves it. Field names are checked in ai-actions.ts.
const sourceFields = z.array(z.string()).min(1).max(20).optional().describe('Fields the action reads (default: the searchable text fields).');
// BCP 47 language tags ("en", "de-CH", "zh-Hant-TW"); check.ts canonicalizes them with Intl.
const languageTag = z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, { message: 'A language is a BCP 47 tag, for example "de" or "pt-BR"' });

export const aiActionsSchema = z
  .object({
    summarize: z
      .object({
        from: sourceFields,
        to: z.string().optional().describe('The text field the summary is for (default "summary").'),
        sentences: z.number().int().min(1).max(10).optional().describe('How many sentences (default 3).'),
      })
      .strict()
      .optional(),
    seo: z
      .object({
        from: sourceFields,
        title: z.string().optional().describe('The field for the SEO title (at most 60 characters).'),
        description: z.string().optional().describe('The field for the meta description (at most 160 characters).'),
      })
      .strict()
      .optional()
      .describe('SEO title and meta description; name at least one target field.'),
    suggestTags: z
      .object({
        field: z.string().describe('A many-relation to the tags collection; only existing tags are suggested.'),
        from: sourceFields,
        max: z.number().int().min(1).max(50).optional().describe('Most tags suggested (default 5).'),
      })
      .strict()
      .optional(),
    translate: z
      .object({
        fields: z.array(z.string()).min(1).max(20).describe('Text fields to translate.'),
        languages: z.array(languageTag).min(1).max(50).describe('Languages an editor may ask for (BCP 47 tags).'),
      })
      .strict()
      .optional()
      .describe('Needs a model provider: there is no offline translator.'),
  })
  .strict();

export const collectionAiSchema = z
  .object({ actions: aiActionsSchema })
  .strict()
  .describe('AI content actions: POST /api/t/{tenant}/{collection}/{id}/ai/{action} returns a suggestion and changes nothing.');

export const collectionSchema = z
  .object({
    label: z.string().max(120).optional(),
    description: z.string().max(2000).optional(),
    fields: z.record(name('A field name'), fieldSchema).refine((f) => Object.keys(f).length > 0, {
      message: 'A collection needs at least one field',
    }),
    titleField: z.string().optional().describe('The field that names an item in lists and pickers.'),
    defaultSort: z.string().optional().describe('Sort used when a request names none, for example "-createdAt".'),
    renamedFrom: z.string().optional().describe('The name this collection had in the previous spec version.'),
    workflow: workflowSchema.optional(),
    ai: collectionAiSchema.optional(),
  })
  .strict();

// Row and field rules narrow what "can" grants. A caller holding several roles gets the union: an
// action granted by one role without a rule, or a field one role may see, is not narrowed by another.
export const ROW_RULES = ['own', 'published'] as const;
export type RowRule = (typeof ROW_RULES)[number];
export const rowRulesSchema = z
  .object({
    read: z.enum(ROW_RULES).optional().describe('"own": only items this caller created; "published": only the published version (workflow collections).'),
    update: z.literal('own').optional().describe('"own": only items this caller created.'),
    delete: z.literal('own').optional().describe('"own": only items this caller created.'),
  })
  .strict();
export const fieldRulesSchema = z
  .object({
    hidden: z.array(z.string()).optional().describe('Fields never returned to this role, and not usable in its filters, sorts, searches or expands (createdBy and updatedBy may be hidden too).'),
    readOnly: z.array(z.string()).optional().describe('Fields this role may not write: a write naming one is refused.'),
  })
  .strict();

export const roleSchema = z
  .object({
    description: z.string().max(2000).optional(),
    can: z
      .record(z.string(), z.array(z.enum(ACTIONS)))
      .optional()
      .describe('Collection name (or "*") to the actions this role may take on it.'),
    where: z
      .record(z.string(), rowRulesSchema)
      .optional()
      .describe('Collection name (or "*") to row rules that narrow the actions granted under "can" to some items.'),
    fields: z
      .record(z.string(), fieldRulesSchema)
      .optional()
      .describe('Collection name to the fields this role may not see or may not write.'),
  })
  .strict();

export const SIGN_IN_METHODS = ['password', 'magicLink', 'passkey'] as const;
export const IDENTITY_PROVIDER_TYPES = ['github', 'google', 'microsoft', 'linkedin', 'oidc'] as const;
export const OAUTH_GRANTS = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'client_credentials'] as const;

// Durations are written the way people say them ("5m", "30d"), bounded so that a typo cannot make a
// token live for years.
const duration = z.string().regex(/^[1-9][0-9]{0,4}(s|m|h|d)$/, { message: 'A duration is a number and a unit: s, m, h or d, for example "5m" or "30d"' });

const identityProviderSchema = z
  .object({
    id: name('A provider id').describe('Names the provider in URLs and in the environment: KILN_AUTH_<ID>_CLIENT_ID and KILN_AUTH_<ID>_CLIENT_SECRET hold its credentials.'),
    type: z.enum(IDENTITY_PROVIDER_TYPES),
    label: z.string().max(80).optional().describe('Text of the sign-in button.'),
    issuer: z.url({ protocol: /^https?$/ }).optional().describe('With type "oidc": the issuer URL whose discovery document describes the provider.'),
    scopes: z.array(z.string().min(1).max(200)).max(50).optional(),
    tenants: z.array(z.string().min(1).max(100)).optional().describe('SSO for these tenants only (default: every tenant).'),
  })
  .strict();

const oauthClientSchema = z
  .object({
    id: z.string().regex(/^[a-zA-Z0-9._-]{1,100}$/, { message: 'A client id is 1 to 100 letters, digits, ".", "_" or "-"' }),
    name: z.string().max(120).optional(),
    type: z.enum(['public', 'confidential']).describe('"confidential": the client authenticates with KILN_OAUTH_CLIENT_<ID>_SECRET from the environment.'),
    redirectUris: z.array(z.string().min(1).max(2000)).max(50).optional(),
    postLogoutRedirectUris: z.array(z.string().min(1).max(2000)).max(50).optional(),
    grants: z.array(z.enum(OAUTH_GRANTS)).min(1).optional().describe('Default: authorization_code and refresh_token.'),
  })
  .strict();

export const authSchema = z
  .object({
    methods: z
      .array(z.enum(SIGN_IN_METHODS))
      .optional()
      .describe('First-party sign-in methods (default: password): "password" (email and password), "magicLink" (a one-time link by mail), "passkey" (WebAuthn passkeys a signed-in person adds, then signs in with; counts as MFA).'),
    providers: z.array(identityProviderSchema).optional().describe('External identity providers: social sign-in and SSO.'),
    signUp: z.enum(['open', 'invite', 'closed']).optional().describe('Who may create an account (default "open").'),
    mfa: z
      .object({
        policy: z.enum(['off', 'optional', 'required']),
        roles: z.array(z.string()).optional().describe('With "required": the roles that must use MFA (default: all).'),
      })
      .strict()
      .optional(),
    password: z
      .object({ minLength: z.number().int().min(8).max(128).optional(), maxLength: z.number().int().min(8).max(1024).optional() })
      .strict()
      .optional(),
    tokens: z
      .object({
        accessToken: duration.optional().describe('Lifetime of JWT access tokens (default "5m").'),
        refreshToken: duration.optional().describe('Lifetime of a refresh token chain (default "30d").'),
        idToken: duration.optional(),
        session: duration.optional().describe('Lifetime of an admin UI session (default "7d").'),
      })
      .strict()
      .optional(),
    clients: z.array(oauthClientSchema).optional().describe('OAuth 2.1 / OpenID Connect clients this app serves: web, mobile and device apps.'),
  })
  .strict();

// Sections that later format revisions fill. They are accepted so a spec can carry them, and
// `kiln spec check` warns that this version does not enforce them yet.
const reservedSection = z.record(z.string(), z.unknown());

export const specSchema = z
  .object({
    $schema: z.string().optional(),
    kiln: z.literal(SPEC_FORMAT).describe('Spec format version.'),
    name: name('The app name'),
    title: z.string().max(200).optional(),
    description: z.string().max(5000).optional(),
    tenancy: z.enum(['single', 'multi']).describe('"multi": every item belongs to a tenant; "single": one implicit tenant.'),
    collections: z.record(name('A collection name'), collectionSchema),
    roles: z.record(name('A role name'), roleSchema).optional(),
    auth: authSchema.optional(),
    workflow: reservedSection.optional(),
    ai: reservedSection.optional(),
    webhooks: reservedSection.optional(),
  })
  .strict();

export type Spec = z.infer<typeof specSchema>;
export type Collection = z.infer<typeof collectionSchema>;
export type Field = z.infer<typeof fieldSchema>;
export type FieldType = Field['type'];
export type RelationField = z.infer<typeof relationField>;
export type Role = z.infer<typeof roleSchema>;
export type RowRules = z.infer<typeof rowRulesSchema>;
export type FieldRules = z.infer<typeof fieldRulesSchema>;
export type Workflow = z.infer<typeof workflowSchema>;
export type AuthSection = z.infer<typeof authSchema>;
export type AiActions = z.infer<typeof aiActionsSchema>;
export type AiActionName = keyof AiActions;
