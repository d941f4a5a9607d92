// Placeholder until the engine issue lands: says so plainly instead of pretending.
process.stderr.write('npm run bench: the benchmarks land with the engine; not available yet.\n');
process.exit(1);
