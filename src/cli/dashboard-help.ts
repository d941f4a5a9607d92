/** The part of `cluvio-agent --help` that explains `--dashboard`. */
export function dashboardHelp(): string {
  return `
Dashboard (--dashboard [ADDRESS]):
  Runs the agent as usual and also serves the desktop app's window (status, streams, logs,
  configuration import) as a web page on this machine only. The URL, printed on stderr as
  \`dashboard: http://127.0.0.1:<port>/<token>/\`, carries a secret token: whoever has it can
  see the agent and replace its configuration.

  ADDRESS is HOST, HOST:PORT, [IPv6]:PORT or PORT; HOST must be a loopback address (127.0.0.1,
  ::1) or localhost (default: 127.0.0.1, any free port). From another machine, forward a port:
    ssh -L 8080:127.0.0.1:8080 <server>      (with --dashboard 8080 on the server)
  then open the printed URL with the forwarded port.

  The token is new at every start, unless --dashboard-token-file PATH names a file to keep it
  in: the first run creates the file (owner-only, 0600) with a random token, later runs reuse
  it, so a bookmarked URL keeps working (with a fixed port: --dashboard 8080). A token file that
  other users can read is refused. Delete the file to change the token.

  With --dashboard, a missing or broken configuration is reported but does not end the agent:
  it waits for a cluvio-agent.toml imported in the dashboard (written owner-only to the --config
  file, or else to the user location above, the previous file kept as a .bak), then runs on it.
`;
}
