import { type KeyboardEvent, useEffect, useRef, useState, type ReactElement } from 'react';
import { ConfigNotice } from './components/ConfigNotice.js';
import { StateBadge } from './components/StateBadge.js';
import type { ConnectionMonitor } from './dashboard-transport.js';
import { useDocumentStatus } from './hooks/use-document-status.js';
import { useConfigChanges } from './hooks/use-config-changes.js';
import { useSnapshot } from './hooks/use-snapshot.js';
import type { StreamInfo } from '../shared/agent-state.js';
import { streamLogSearch } from './stream-view.js';
import { writePreference } from './ui-preferences.js';
import { DiagnoseView } from './views/DiagnoseView.js';
import { ImportView, useConfigImport } from './views/ImportView.js';
import { LOG_SEARCH_PREFERENCE, LOG_VIEW_PREFERENCE, LogsView } from './views/LogsView.js';
import { SettingsView } from './views/SettingsView.js';
import { StatusView } from './views/StatusView.js';
import { StreamsView } from './views/StreamsView.js';

const VIEWS = [
  { id: 'status', label: 'Status' },
  { id: 'streams', label: 'Streams' },
  { id: 'logs', label: 'Logs' },
  { id: 'diagnose', label: 'Diagnose' },
  { id: 'import', label: 'Import' },
  { id: 'settings', label: 'Settings' },
] as const;
type ViewId = (typeof VIEWS)[number]['id'];

/** `#logs-window`: the log viewer window opened from the tray shows the logs alone. */
const LOG_WINDOW_HASH = '#logs-window';

function viewFromHash(hash: string): ViewId | null {
  return VIEWS.find((view) => `#${view.id}` === hash)?.id ?? null;
}

export function App({ connection }: { readonly connection: ConnectionMonitor | null }): ReactElement {
  const snapshot = useSnapshot();
  useDocumentStatus(snapshot?.state ?? null, connection);
  const configImport = useConfigImport();
  const [chosen, setChosen] = useState<ViewId | null>(() => viewFromHash(window.location.hash));
  const tabs = useRef(new Map<ViewId, HTMLButtonElement>());
  const logWindow = window.location.hash === LOG_WINDOW_HASH;

  // First run: with nothing configured, the window opens on the import view.
  const current: ViewId = chosen ?? (snapshot?.state.phase === 'unconfigured' ? 'import' : 'status');

  const choose = (view: ViewId, focus = false): void => {
    setChosen(view);
    window.history.replaceState(null, '', `#${view}`);
    if (focus) tabs.current.get(view)?.focus();
  };

  // Links and the history may change the hash: follow them.
  useEffect(() => {
    const onHashChange = (): void => {
      const view = viewFromHash(window.location.hash);
      if (view !== null) setChosen(view);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => {
      window.removeEventListener('hashchange', onHashChange);
    };
  }, []);

  // Once the gateway has accepted a new configuration (an import, a restore, a file opened with the
  // app), show Status, where the connection is to be seen. The first state only sets the baseline.
  const changes = useConfigChanges();
  const confirmed = changes === null ? undefined : changes.last?.status === 'confirmed' ? changes.last.id : null;
  const seenConfirmed = useRef<number | null | undefined>(undefined);
  useEffect(() => {
    if (confirmed === undefined) return;
    if (seenConfirmed.current !== undefined && confirmed !== null && confirmed !== seenConfirmed.current) {
      setChosen('status');
      window.history.replaceState(null, '', '#status');
    }
    seenConfirmed.current = confirmed;
  }, [confirmed]);

  // A file dropped anywhere on the window is an import (and never a navigation to the file).
  const importFile = configImport.importFile;
  useEffect(() => {
    if (logWindow) return;
    const onDragOver = (event: DragEvent): void => {
      event.preventDefault();
    };
    const onDrop = (event: DragEvent): void => {
      if (event.defaultPrevented) return; // the drop zone took it
      event.preventDefault();
      const file = event.dataTransfer?.files.item(0) ?? null;
      if (file === null) return;
      setChosen('import');
      importFile(file);
    };
    document.addEventListener('dragover', onDragOver);
    document.addEventListener('drop', onDrop);
    return () => {
      document.removeEventListener('dragover', onDragOver);
      document.removeEventListener('drop', onDrop);
    };
  }, [importFile, logWindow]);

  if (logWindow) {
    return (
      <main className="app app-logs">
        <LogsView />
      </main>
    );
  }

  // A stream's id opens the Logs view on that stream's lines (all levels; its log id as the search).
  const showStreamLogs = (stream: StreamInfo): void => {
    writePreference(LOG_VIEW_PREFERENCE, 'debug');
    writePreference(LOG_SEARCH_PREFERENCE, streamLogSearch(stream));
    choose('logs', true);
  };

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>): void => {
    const index = VIEWS.findIndex((view) => view.id === current);
    const next =
      event.key === 'ArrowRight'
        ? (index + 1) % VIEWS.length
        : event.key === 'ArrowLeft'
          ? (index - 1 + VIEWS.length) % VIEWS.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? VIEWS.length - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    const view = VIEWS[next];
    if (view !== undefined) choose(view.id, true);
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>Cluvio Agent</h1>
        {snapshot === null ? null : <StateBadge state={snapshot.state} />}
      </header>
      <nav className="tabs" role="tablist" aria-label="Views">
        {VIEWS.map((view) => (
          <button
            key={view.id}
            ref={(element) => {
              if (element === null) tabs.current.delete(view.id);
              else tabs.current.set(view.id, element);
            }}
            type="button"
            role="tab"
            id={`tab-${view.id}`}
            aria-selected={current === view.id}
            aria-controls={`panel-${view.id}`}
            tabIndex={current === view.id ? 0 : -1}
            className="tab"
            // The bold width is reserved for every label (styles.css), so selecting a tab moves none.
            data-label={view.label}
            onClick={() => {
              choose(view.id);
            }}
            onKeyDown={onTabKey}
          >
            {view.label}
          </button>
        ))}
      </nav>
      {/* The main landmark holds the tab panel (role="tabpanel" on <main> itself would replace the landmark). */}
      <main className="panel">
        <div role="tabpanel" id={`panel-${current}`} aria-labelledby={`tab-${current}`} className="tabpanel">
          {snapshot === null || current === 'import' ? null : (
            <ConfigNotice
              snapshot={snapshot}
              changes={changes}
              onImport={() => {
                choose('import', true);
              }}
            />
          )}
          {snapshot === null ? (
            <p role="status">Connecting to the agent…</p>
          ) : current === 'status' ? (
            <StatusView
              snapshot={snapshot}
              onImport={() => {
                choose('import', true);
              }}
              onDiagnose={() => {
                choose('diagnose', true);
              }}
            />
          ) : current === 'streams' ? (
            <StreamsView onShowLogs={showStreamLogs} />
          ) : current === 'logs' ? (
            <LogsView />
          ) : current === 'diagnose' ? (
            <DiagnoseView />
          ) : current === 'import' ? (
            <ImportView {...configImport} />
          ) : (
            <SettingsView />
          )}
        </div>
      </main>
    </div>
  );
}
