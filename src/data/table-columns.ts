// The columns a table has in the database, for in-place upgrades of tables Kiln created before it
// knew a system column (CREATE TABLE IF NOT EXISTS leaves an existing table as it was).
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from './driver.ts';

/** Empty when the table does not exist. */
export async function columnsOf(trx: AnyDB, driver: StorageDriver, table: string): Promise<Set<string>> {
  const rows =
    driver.dialect === 'postgres'
      ? await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(trx)
      : await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(trx);
  return new Set(rows.rows.map((r) => r.name));
}
