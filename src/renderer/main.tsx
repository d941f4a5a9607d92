import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AgentApiContext } from './api-context.js';
import { resolveAgentApi } from './agent-api-source.js';
import { App } from './App.js';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <AgentApiContext.Provider value={resolveAgentApi()}>
      <App />
    </AgentApiContext.Provider>
  </StrictMode>,
);
