// The provider's signing keys, kept in Kiln's database so every process and every restart signs
// with the same keys. The newest active key signs; a key that a newer one replaced stays published
// until every token it signed has expired, then it is deleted. A rotated-in key can be published
// before it signs (activateIn), so processes that poll the table advertise it before any token
// carrying its kid exists.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { StorageDriver } from '../../data/driver.ts';
import { lockSchema } from '../../data/schema-sync.ts';
import { nowSeconds, OIDC_KEYS_TABLE as TABLE } from './oidc-tables.ts';

export const SIGNING_ALG = 'RS256';

export type SigningKey = { kid: string; jwk: JWK; createdAt: number; activatesAt: number };

async function newKey(activatesAt: number): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  return { kid, jwk, createdAt: nowSeconds(), activatesAt };
}

async function readKeys(driver: StorageDriver): Promise<SigningKey[]> {
  const rows = await driver.db.selectFrom(TABLE).selectAll().orderBy('activatesAt', 'desc').orderBy('createdAt', 'desc').execute();
  return rows.map((r) => ({ kid: r.kid as string, jwk: JSON.parse(r.jwk as string) as JWK, createdAt: Number(r.createdAt), activatesAt: Number(r.activatesAt) }));
}

/**
 * The keys that matter now, newest first: the signing key (the newest active one), keys waiting to
 * activate, and older keys until `keepSeconds` (the longest token lifetime) after their successor
 * took over.
 */
export function liveKeys(all: readonly SigningKey[], keepSeconds: number, now = nowSeconds()): { signing: SigningKey | undefined; published: SigningKey[] } {
  const signing = all.find((k) => k.activatesAt <= now);
  const published = all.filter((k, i) => {
    if (k.activatesAt > now || k === signing) return true;
    // Retired when the next newer active key activated.
    const successor = all.slice(0, i).reverse().find((n) => n.activatesAt <= now);
    return successor === undefined || successor.activatesAt + keepSeconds > now;
  });
  return { signing, published };
}

/** Creates the first key when there is none (several processes may start at once). */
export async function ensureSigningKey(driver: StorageDriver): Promise<void> {
  const key = await newKey(nowSeconds());
  await driver.db.transaction().execute(async (trx) => {
    await lockSchema(trx, driver);
    const any = await trx.selectFrom(TABLE).select('kid').limit(1).executeTakeFirst();
    if (!any) await trx.insertInto(TABLE).values({ kid: key.kid, jwk: JSON.stringify(key.jwk), createdAt: key.createdAt, activatesAt: key.activatesAt }).execute();
  });
}

export type RotateOptions = {
  /** Seconds before the new key starts signing (default 120: two polls of every running process). */
  activateIn?: number;
  /** The longest lifetime of a signed token, in seconds: how long a replaced key stays published. */
  keepSeconds: number;
};

/** Adds a new signing key and deletes keys no token can still need. Returns the new key's id. */
export async function rotateSigningKeys(driver: StorageDriver, o: RotateOptions): Promise<{ kid: string; activatesAt: number; removed: string[] }> {
  const key = await newKey(nowSeconds() + (o.activateIn ?? 120));
  await driver.db.insertInto(TABLE).values({ kid: key.kid, jwk: JSON.stringify(key.jwk), createdAt: key.createdAt, activatesAt: key.activatesAt }).execute();
  const all = await readKeys(driver);
  const { published } = liveKeys(all, o.keepSeconds);
  const removed = all.filter((k) => !published.includes(k)).map((k) => k.kid);
  if (removed.length) await driver.db.deleteFrom(TABLE).where('kid', 'in', removed).execute();
  return { kid: key.kid, activatesAt: key.activatesAt, removed };
}

const publicPart = (jwk: JWK): JWK => ({ kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid, alg: jwk.alg, use: jwk.use });

/**
 * The keys of one process, in memory: read at start, then again every `pollMs` and whenever a token
 * names a kid this process has not seen (at most once per `reloadGapMs`). Listeners hear of changes.
 */
export class KeyRing {
  readonly #driver: StorageDriver;
  readonly #keepSeconds: number;
  #all: SigningKey[] = [];
  #fingerprint = '';
  #lastLoad = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners: (() => void)[] = [];

  private constructor(driver: StorageDriver, keepSeconds: number) {
    this.#driver = driver;
    this.#keepSeconds = keepSeconds;
  }

  static async open(driver: StorageDriver, o: { keepSeconds: number; pollMs?: number }): Promise<KeyRing> {
    await ensureSigningKey(driver);
    const ring = new KeyRing(driver, o.keepSeconds);
    await ring.reload();
    ring.#timer = setInterval(() => void ring.reload().catch(() => {}), o.pollMs ?? 60_000);
    ring.#timer.unref();
    return ring;
  }

  /** Private keys for the provider, the signing key first (oidc-provider signs with the first match). */
  get privateJwks(): JWK[] {
    const { signing, published } = liveKeys(this.#all, this.#keepSeconds);
    return signing ? [signing.jwk, ...published.filter((k) => k !== signing).map((k) => k.jwk)] : published.map((k) => k.jwk);
  }

  get signingKid(): string | undefined {
    return liveKeys(this.#all, this.#keepSeconds).signing?.kid;
  }

  get publicJwks(): { keys: JWK[] } {
    return { keys: this.privateJwks.map(publicPart) };
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Reads the table again; true when what this process signs with or publishes changed. */
  async reload(): Promise<boolean> {
    this.#lastLoad = Date.now();
    this.#all = await readKeys(this.#driver);
    const fingerprint = this.privateJwks.map((k) => k.kid).join(',');
    if (fingerprint === this.#fingerprint) return false;
    this.#fingerprint = fingerprint;
    for (const l of this.#listeners) l();
    return true;
  }

  /** A token named an unknown kid: read the keys again unless that happened moments ago. */
  async reloadForUnknownKid(gapMs = 5_000): Promise<boolean> {
    if (Date.now() - this.#lastLoad < gapMs) return false;
    return this.reload();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
