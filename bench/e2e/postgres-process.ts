/**
 * The embedded PostgreSQL (PGlite behind pglite-socket, src/cli/embedded-postgres.ts) as a child
 * process of its own, standing where the user's database stands. Answers `{ port }`.
 */
import { startEmbeddedPostgres } from '../../src/cli/embedded-postgres.js';

export interface PostgresReady {
  readonly port: number;
}

startEmbeddedPostgres({ seed: true }).then(
  (database) => process.send?.({ port: database.port } satisfies PostgresReady),
  (error: unknown) => process.send?.({ error: String(error) }),
);
process.on('disconnect', () => process.exit(0));
