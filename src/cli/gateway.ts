#!/usr/bin/env -S node --max-semi-space-size=16
/** `cluvio-gateway` entry point: see gateway-cli.ts for the subcommands. */
import { tuneHeapForRelaying } from '../tunnel/mux/index.js';
import { runGatewayCli } from './gateway-cli.js';

// A process that relays: its V8 settings, set here once (the shebang's flags are RELAY_NODE_FLAGS;
// src/tunnel/mux/heap-tuning.ts says why both).
tuneHeapForRelaying();

process.exitCode = await runGatewayCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: process,
});
