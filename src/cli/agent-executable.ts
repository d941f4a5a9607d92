/**
 * `cluvio-agent` as a single executable (Node's single executable applications, built by
 * `npm run package:cli`): the same command as agent.ts, with what differs inside an executable.
 *
 * - The executable directory, first configuration location on Unix, is that of
 *   `process.execPath`: the kernel's path of the running binary with symlinks resolved, as the
 *   reference's `current_exe()`. (`process.argv[1]` is the name as typed, e.g. `cluvio-agent`
 *   found on PATH, so it cannot serve as agent.ts uses it.)
 * - No top-level await: the executable runs its script as CommonJS.
 * - The dashboard's UI is inside the executable (assets under `dashboard-ui/`) and written to a
 *   private temporary folder only when `--dashboard` starts (executable-ui-assets.ts).
 */
import path from 'node:path';
import { tuneHeapForRelaying } from '../tunnel/mux/index.js';
import { accountHomeDir } from './account-home-dir.js';
import { runAgentCli } from './agent-cli.js';
import { writeDashboardUiAssets } from './executable-ui-assets.js';

// A process that relays: its V8 settings, set here once (the executable's execArgv are
// RELAY_NODE_FLAGS; src/tunnel/mux/heap-tuning.ts says why both).
tuneHeapForRelaying();

void runAgentCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  platform: process.platform,
  exeDir: path.dirname(process.execPath),
  homeDir: accountHomeDir(),
  dashboardUiDir: writeDashboardUiAssets,
}).then((status) => {
  process.exitCode = status;
});
