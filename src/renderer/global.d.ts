import type { AgentApi } from '../shared/agent-api.js';

declare global {
  interface Window {
    /** Present in the Electron app: the preload's bridge to the main process. */
    readonly agentApi?: AgentApi;
  }
}
