// What the auth cases of the bench share between the runner and the Kiln child: the OAuth client
// the child's spec gains, and the person who signs in.
export const BENCH_CLIENT = 'bench';
/** Nothing listens there: the code is read from the redirect, never followed. */
export const BENCH_REDIRECT = 'http://127.0.0.1:9/callback';
export const BENCH_EMAIL = 'bench-user@example.com';
export const BENCH_PASSWORD = 'correct horse battery staple';
