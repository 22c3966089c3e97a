// `npm run build`: builds the admin UI into web/admin/dist whatever state it is in.
import { ADMIN_DIST_DIR, buildAdmin } from './admin-build.ts';

try {
  await buildAdmin();
  console.error(`kiln: admin UI built into ${ADMIN_DIST_DIR}`);
} catch (e) {
  console.error(`kiln: ${(e as Error).message}`);
  process.exitCode = 1;
}
