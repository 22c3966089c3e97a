// The builder, for the operator (root token): describe a change in plain words, see what Kiln
// understood, the spec diff with each change's class and the migration plan checked against the
// real rows, then apply it to the running app — or describe a new app and download its spec.
import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { api, ApiError, message, type FieldProblem } from '../api.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { collectionLabel } from '../spec.ts';
import { Notice } from '../Notice.tsx';
import { ChangeList } from './ChangeList.tsx';
import { MigrationPlan } from './MigrationPlan.tsx';
import { Explanations } from './Explanations.tsx';
import { NewAppDraft } from './NewAppDraft.tsx';
import { CLASS_LABEL, type Applied, type EditPreview } from './builder-api.ts';

const EXAMPLES = '"add a featured flag to articles", "make the title required", "each article belongs to a category"';

type Preview = { request: string; data: EditPreview };
type Failure = { text: string; stale: boolean; errors: FieldProblem[] };

function failureOf(e: unknown): Failure {
  if (e instanceof ApiError && e.status === 409) return { text: 'The app changed since the preview; preview again.', stale: true, errors: [] };
  const errors = e instanceof ApiError ? (e.problem.errors ?? []).filter((x) => x.detail !== e.message) : [];
  return { text: message(e), stale: false, errors };
}

/** A backfill value as `kiln migrate --backfill` reads it: JSON when it parses, text otherwise. */
function backfillValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function BuilderPage() {
  const s = useSession();
  const [request, setRequest] = useState('');
  const [requestError, setRequestError] = useState('');
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [accept, setAccept] = useState(false);
  const [backfills, setBackfills] = useState<Record<string, string>>({});
  const [applying, setApplying] = useState(false);
  const [applyError, setApplyError] = useState<Failure | null>(null);
  const [applied, setApplied] = useState<Applied | null>(null);
  const [refreshError, setRefreshError] = useState('');
  const previewHeading = useRef<HTMLHeadingElement>(null);
  const appliedHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => previewHeading.current?.focus(), [preview]);
  useEffect(() => appliedHeading.current?.focus(), [applied]);

  const runPreview = async (text: string) => {
    setPreviewing(true);
    setPreviewError('');
    setRequestError('');
    setApplyError(null);
    setApplied(null);
    // Consent was given for the plan on screen, not for whatever the next preview shows.
    setAccept(false);
    try {
      const data = await api<EditPreview>('/api/builder/edit', { body: { request: text } });
      setPreview({ request: text, data });
      setBackfills({});
    } catch (e) {
      setPreview(null);
      const field = e instanceof ApiError ? e.fieldErrors().request : undefined;
      if (field) setRequestError(field);
      else setPreviewError(message(e));
    } finally {
      setPreviewing(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = request.trim();
    if (!text) {
      setRequestError('Describe the change first.');
      return;
    }
    void runPreview(text);
  };

  const apply = async () => {
    if (!preview) return;
    setApplying(true);
    setApplyError(null);
    const values = Object.fromEntries(Object.entries(backfills).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, backfillValue(v.trim())]));
    try {
      const result = await api<Applied>('/api/builder/apply', {
        body: {
          request: preview.request,
          patch: preview.data.patch,
          expectedVersion: preview.data.version,
          allowBreaking: preview.data.verdict === 'breaking' ? accept : undefined,
          ...(Object.keys(values).length && { backfills: values }),
        },
      });
      setPreview(null);
      setRequest('');
      setApplied(result);
      // The new fields appear in the lists and the editor without reloading the page.
      setRefreshError('');
      await s.refresh().catch((e: unknown) => setRefreshError(message(e)));
    } catch (e) {
      setApplyError(failureOf(e));
    } finally {
      setApplying(false);
    }
  };

  const busy = previewing || applying;
  const data = preview?.data;
  const breaking = data?.verdict === 'breaking';
  const backfillFields = (data?.changes ?? []).filter((c) => c.class === 'backfill' && c.collection && c.field);
  const blocked = !data || data.version === null || data.plan.refused.length > 0 || (breaking && !accept) || applyError?.stale === true;

  return (
    <div className="builder">
      <h1 tabIndex={-1}>Builder</h1>
      <p>
        Change this app in plain words. Kiln shows what it understood, how the spec changes and the migration it would run against the stored content; nothing changes until you
        apply.
      </p>

      <section className="builder-panel" aria-labelledby="change-heading">
        <h2 id="change-heading">Change this app</h2>
        <form onSubmit={submit} className="builder-form">
          <label htmlFor="builder-request">Describe a change</label>
          <textarea
            id="builder-request"
            rows={3}
            maxLength={2000}
            value={request}
            onChange={(e) => setRequest(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
            }}
            aria-describedby={`builder-request-hint${requestError ? ' builder-request-error' : ''}`}
            aria-invalid={requestError ? true : undefined}
          />
          <small id="builder-request-hint">For example {EXAMPLES}. Ctrl+Enter previews.</small>
          {requestError && (
            <p className="field-error" id="builder-request-error">
              {requestError}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {previewing ? 'Previewing…' : 'Preview'}
            </button>
          </div>
        </form>
        <div aria-live="polite">
          {previewing && <Notice kind="loading">Working out the change and checking it against the stored content…</Notice>}
        </div>
        {previewError && (
          <Notice kind="error" retry={() => void runPreview(request.trim())}>
            {previewError}
          </Notice>
        )}
        {applied && <AppliedResult applied={applied} heading={appliedHeading} refreshError={refreshError} />}
      </section>

      {preview && data && (
        <section className="builder-panel" aria-labelledby="preview-heading">
          <h2 id="preview-heading" ref={previewHeading} tabIndex={-1}>
            Preview: “{preview.request}”
          </h2>
          <p className="verdict">
            Spec version {data.version ?? '?'} → {data.plan.toVersion ?? (data.version ?? 0) + 1}. Overall:{' '}
            <span className={`badge badge-${data.verdict}`}>{CLASS_LABEL[data.verdict]}</span>
          </p>
          <Explanations understood={data.understood} assumptions={data.assumptions} refused={data.refused} warnings={data.warnings} />

          <h3 className="subhead">Changes to the spec</h3>
          <ChangeList changes={data.changes} />

          <h3 className="subhead">Migration plan</h3>
          <MigrationPlan plan={data.plan} />

          {backfillFields.length > 0 && (
            <fieldset className="backfills">
              <legend>Values for existing items</legend>
              <small>Items stored before this change need a value for these fields. JSON is read as JSON, anything else as text.</small>
              {backfillFields.map((c) => {
                const key = `${c.collection}.${c.field}`;
                const col = s.spec.collections[c.collection!];
                return (
                  <label key={key} className="field">
                    <span>
                      {col ? collectionLabel(c.collection!, col) : c.collection}: {c.field}
                    </span>
                    <input value={backfills[key] ?? ''} onChange={(e) => setBackfills({ ...backfills, [key]: e.target.value })} />
                  </label>
                );
              })}
            </fieldset>
          )}

          {breaking && (
            <div className="breaking-consent">
              <p>
                <strong>This change is breaking:</strong> it can drop stored data or change what API clients receive.
              </p>
              <label className="check">
                <input type="checkbox" checked={accept} onChange={(e) => setAccept(e.target.checked)} disabled={busy} />
                <span>I understand this may lose data</span>
              </label>
            </div>
          )}

          {applyError && (
            <div className="notice notice-error" role="alert">
              <p>{applyError.text}</p>
              {applyError.errors.length > 0 && (
                <ul>
                  {applyError.errors.map((x, i) => (
                    <li key={i}>{x.detail}</li>
                  ))}
                </ul>
              )}
              {applyError.stale && (
                <button type="button" onClick={() => void runPreview(preview.request)} disabled={busy}>
                  Preview again
                </button>
              )}
            </div>
          )}
          <div className="actions">
            <button type="button" className="primary" onClick={() => void apply()} disabled={busy || blocked} aria-describedby={breaking && !accept ? 'apply-hint' : undefined}>
              {applying ? 'Applying…' : 'Apply'}
            </button>
            <button type="button" onClick={() => setPreview(null)} disabled={busy}>
              Discard
            </button>
          </div>
          {breaking && !accept && (
            <small id="apply-hint">Tick “I understand this may lose data” to apply a breaking change.</small>
          )}
          <div aria-live="polite">{applying && <Notice kind="loading">Migrating the database…</Notice>}</div>
        </section>
      )}

      <NewAppDraft />
    </div>
  );
}

function AppliedResult({ applied, heading, refreshError }: { applied: Applied; heading: RefObject<HTMLHeadingElement | null>; refreshError: string }) {
  const s = useSession();
  const tenant = s.tenants[0]?.slug;
  const changed = [...new Set(applied.changes.map((c) => c.collection).filter((c): c is string => !!c && !!s.spec.collections[c]))];
  return (
    <div className="notice notice-ok applied" role="status">
      <h3 ref={heading} tabIndex={-1}>
        Applied: the app now runs spec version {applied.version}.
      </h3>
      <ChangeList changes={applied.changes} />
      {applied.refused.length > 0 && <p>Left out, as in the preview: {applied.refused.join(' ')}</p>}
      {applied.specFile && <p>{applied.specFile.detail}</p>}
      {refreshError && <p>Reload the page to see the new version here ({refreshError}).</p>}
      {tenant && changed.length > 0 && (
        <p>
          {changed.map((c, i) => (
            <span key={c}>
              {i > 0 && ' · '}
              <Link to={`/t/${encodeURIComponent(tenant)}/${c}`}>Open {collectionLabel(c, s.spec.collections[c])}</Link>
            </span>
          ))}
        </p>
      )}
    </div>
  );
}
