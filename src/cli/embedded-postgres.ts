/**
 * An embedded PostgreSQL for the demo, the tests and the benchmarks: PGlite (PostgreSQL compiled
 * to WebAssembly) served on loopback by pglite-socket, so real PostgreSQL clients (`pg`, `psql`)
 * speak the real wire protocol to it. One backend: concurrent clients are served one query at
 * a time. Development dependency only; never part of the packaged app.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Loopback port (0 = any free port). */
  readonly port?: number;
  /** Seed the demo table `regions` (default true). */
  readonly seed?: boolean;
  readonly maxConnections?: number;
}

/** The rows the demo seeds, so that tests can compare what comes back through the tunnel. */
export const DEMO_REGIONS: readonly { readonly id: number; readonly name: string; readonly revenue: number }[] = [
  { id: 1, name: 'Europe', revenue: 1250 },
  { id: 2, name: 'North America', revenue: 1830 },
  { id: 3, name: 'Asia Pacific', revenue: 970 },
];

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const db = await PGlite.create();
  if (options.seed ?? true) {
    await db.exec('CREATE TABLE regions (id int PRIMARY KEY, name text NOT NULL, revenue int NOT NULL)');
    for (const r of DEMO_REGIONS) {
      await db.query('INSERT INTO regions VALUES ($1, $2, $3)', [r.id, r.name, r.revenue]);
    }
  }
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 256,
  });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`embedded PostgreSQL: unexpected listen address ${conn}`);
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
