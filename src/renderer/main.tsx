// First: every module after it may build Intl formatters from navigator.language.
import './locale-guard.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AgentApiContext } from './api-context.js';
import { resolveAgentApi } from './agent-api-source.js';
import { App } from './App.js';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
const { api, connection } = resolveAgentApi();
createRoot(root).render(
  <StrictMode>
    <AgentApiContext.Provider value={api}>
      <ConnectionBanner connection={connection} />
      <App connection={connection} />
    </AgentApiContext.Provider>
  </StrictMode>,
);
