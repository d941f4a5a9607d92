// Placeholder until the engine issue lands: says so plainly instead of pretending.
process.stderr.write('npm run demo: the demo (gateway + agent + embedded PostgreSQL) lands with the engine; not available yet.\n');
process.exit(1);
