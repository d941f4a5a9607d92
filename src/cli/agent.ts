#!/usr/bin/env node
/**
 * `cluvio-agent` entry point. The executable directory (first configuration location on Unix) is
 * the directory of the invoked script, `process.argv[1]`, without resolving symlinks: a
 * `cluvio-agent.toml` next to the command the user ran is found, not one inside node_modules.
 * (The reference resolves its own binary's symlinks; an Electron build should pass
 * `dirname(process.execPath)`, as the single executable does: agent-executable.ts.)
 */
import path from 'node:path';
import { accountHomeDir } from './account-home-dir.js';
import { runAgentCli } from './agent-cli.js';

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
