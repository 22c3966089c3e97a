// Requests from a chosen loopback address (all of 127.0.0.0/8 is this machine on Linux), so a suite
// can play an attacker and a victim on different IP addresses without trusting any proxy header.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { AUTH_TABLES } from '../../src/auth/identity/auth-schema.ts';
import type { TestApp } from '../harness.ts';

export type FromReply = { status: number; headers: Record<string, string | string[] | undefined>; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

export function postFrom(ip: string, baseUrl: string, path: string, body: unknown): Promise<FromReply> {
  const url = new URL(path, baseUrl);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', localAddress: ip, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), origin: baseUrl } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text && /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A loopback address no other run of this suite is likely to use (counters in Redis outlive a run). */
export function randomLoopback(): string {
  const b = () => 1 + Math.floor(Math.random() * 250);
  return `127.${b()}.${b()}.${b()}`;
}

/** Runs `fn` with environment variables set, restoring them after. */
export async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Signs up (from 127.0.0.1) and marks the address verified; the identity suite covers the mail itself. */
export async function verifiedAccount(app: TestApp, email: string, password = 'correct horse battery staple'): Promise<string> {
  const res = await fetch(`${app.url}/api/auth/sign-up/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ email, password, name: 'Someone' }) });
  const body = (await res.json()) as { user: { id: string } };
  assert.equal(res.status, 200, JSON.stringify(body));
  await app.store.driver.db.updateTable(AUTH_TABLES.user).set({ emailVerified: app.driver === 'sqlite' ? 1 : true }).where('id', '=', body.user.id).execute();
  return body.user.id;
}
