#!/usr/bin/env node
/** `cluvio-gateway` entry point: see gateway-cli.ts for the subcommands. */
import { runGatewayCli } from './gateway-cli.js';

process.exitCode = await runGatewayCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: process,
});
