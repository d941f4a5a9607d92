/** The part of `--help` that explains where the configuration file is looked for, per OS and on this system. */
import { configSearchOrder, type ConfigSearchContext } from '../tunnel/config/index.js';

export function configSearchHelp(context: ConfigSearchContext): string {
  const here = configSearchOrder(context)
    .map((candidate, index) => `    ${index + 1}. ${candidate.path}  (${candidate.rule})`)
    .join('\n');
  return `
Configuration file:
  Without --config, a file named \`cluvio-agent.toml\` is looked for in these places; the first
  regular file found is used.

  Linux and other Unix:
    1. In the directory of the \`cluvio-agent\` executable.
    2. In \`$XDG_CONFIG_HOME\` if it is an absolute path, otherwise in \`$HOME/.config\`.
    3. In \`/etc\`.

  Mac:
    1. In the directory of the \`cluvio-agent\` executable.
    2. In \`$HOME\`.
    3. In \`/etc\`.

  Windows:
    1. In \`%USERPROFILE%\\AppData\\Roaming\` (\`%APPDATA%\`).
    2. In the directory of the \`cluvio-agent\` executable.

  On this system:
${here}

  CLUVIO_AGENT_SERVER_HOST, CLUVIO_AGENT_SERVER_PORT and CLUVIO_AGENT_SERVER_TRUST override
  [server] host, port and trust from the file.

Log filter (--log):
  Comma-separated directives: a level (off, error, warn, info, debug, trace), a target, or
  target=level, e.g. \`info\`, \`cluvio_agent=debug\`, \`cluvio_agent::stream=trace,warn\`.
`;
}
