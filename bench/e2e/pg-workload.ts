/**
 * A pgbench-style PostgreSQL workload (run in the load worker): with one `pg` connection, many
 * small queries (pgbench's select-only transaction, a prepared point query on the demo table),
 * then one large result set. PGlite serves one query at a time, so one connection is what it
 * can use; the figures compare paths, not databases.
 */
import pg from 'pg';

export interface PgWorkload {
  /** Small queries per second. */
  readonly queriesPerSecond: number;
  readonly queries: number;
  /** Time to fetch the large result set, and its size on the wire (approximately, as text). */
  readonly largeResultMs: number;
  readonly largeResultMiB: number;
}

export interface PgWorkloadOptions {
  readonly port: number;
  readonly queries: number;
  /** Stop the small queries after this long even if fewer ran. */
  readonly maxMs: number;
  /** Rows of the large result (about 100 bytes each). */
  readonly largeRows: number;
}

let statements = 0;

export async function pgWorkload(options: PgWorkloadOptions): Promise<PgWorkload> {
  const client = new pg.Client({ host: '127.0.0.1', port: options.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    // PGlite is one backend behind every connection: prepared statement names must not repeat.
    const point = {
      name: `bench-point-${process.pid}-${++statements}`,
      text: 'SELECT id, name, revenue FROM regions WHERE id = $1',
    };
    await client.query({ ...point, values: [1] });
    let queries = 0;
    const start = performance.now();
    const deadline = start + options.maxMs;
    while (queries < options.queries && performance.now() < deadline) {
      await client.query({ ...point, values: [(queries % 3) + 1] });
      queries += 1;
    }
    const smallMs = performance.now() - start;

    const largeStart = performance.now();
    const result = await client.query<{ g: number; payload: string }>(
      'SELECT g, repeat(md5(g::text), 3) AS payload FROM generate_series(1, $1::int) AS g',
      [options.largeRows],
    );
    const largeResultMs = performance.now() - largeStart;
    const bytes = result.rows.reduce((sum, row) => sum + row.payload.length + String(row.g).length + 15, 0);
    return {
      queriesPerSecond: queries / (smallMs / 1000),
      queries,
      largeResultMs,
      largeResultMiB: bytes / (1024 * 1024),
    };
  } finally {
    await client.end();
  }
}
