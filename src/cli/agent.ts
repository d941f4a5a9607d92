#!/usr/bin/env -S node --max-semi-space-size=16
/**
 * `cluvio-agent` entry point. The executable directory (first configuration location on Unix) is
 * the directory of the invoked script, `process.argv[1]`, without resolving symlinks: a
 * `cluvio-agent.toml` next to the command the user ran is found, not one inside node_modules.
 * (The reference resolves its own binary's symlinks; an Electron build should pass
 * `dirname(process.execPath)`, as the single executable does: agent-executable.ts.)
 */
import path from 'node:path';
import { tuneHeapForRelaying } from '../tunnel/mux/index.js';
import { accountHomeDir } from './account-home-dir.js';
import { runAgentCli } from './agent-cli.js';

// A process that relays: its V8 settings, set here once (the shebang's flags are RELAY_NODE_FLAGS;
// src/tunnel/mux/heap-tuning.ts says why both).
tuneHeapForRelaying();

const script = process.argv[1];
const exeDir = script === undefined ? path.dirname(process.execPath) : path.dirname(path.resolve(script));

process.exitCode = await runAgentCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  platform: process.platform,
  exeDir,
  homeDir: accountHomeDir(),
});
