import { type SyntheticEvent, useEffect, useId, useState, type ReactElement } from 'react';
import type {
  AddressTestResult,
  AppSettingsState,
  AutostartState,
  OpenConfigFolderResult,
} from '../../shared/agent-api.js';
import { useAgentApi } from '../api-context.js';

function describeTest(result: AddressTestResult): string {
  if (result.ok) return `Allowed. Connected to ${result.resolved} in ${result.millis} ms.`;
  switch (result.code) {
    case 'AddressNotAllowed':
      return `Not allowed: ${result.message} Add it to allowed-addresses in the configuration to let Cluvio reach it.`;
    case 'CouldNotConnect':
      return `Allowed, but no connection: ${result.message}`;
    default:
      return result.message;
  }
}

export function SettingsView(): ReactElement {
  const api = useAgentApi();
  const ids = { autostart: useId(), address: useId(), metrics: useId() };
  const [autostart, setAutostart] = useState<AutostartState | null>(null);
  const [autostartError, setAutostartError] = useState('');
  const [folder, setFolder] = useState<OpenConfigFolderResult | null>(null);
  const [target, setTarget] = useState('');
  const [test, setTest] = useState<{ readonly busy: boolean; readonly text: string; readonly ok: boolean | null }>({
    busy: false,
    text: '',
    ok: null,
  });
  const [appSettings, setAppSettings] = useState<AppSettingsState | null>(null);
  const [metricsAddress, setMetricsAddress] = useState('');
  const [metricsSave, setMetricsSave] = useState<{ readonly busy: boolean; readonly error: string }>({
    busy: false,
    error: '',
  });

  useEffect(() => {
    void api.getAutostart().then(setAutostart, (error: unknown) => {
      setAutostartError(error instanceof Error ? error.message : String(error));
    });
    void api.getAppSettings().then((state) => {
      setAppSettings(state);
      setMetricsAddress(state.settings.metricsAddress ?? '');
    });
  }, [api]);

  const saveMetrics = (event: SyntheticEvent): void => {
    event.preventDefault();
    setMetricsSave({ busy: true, error: '' });
    const address = metricsAddress.trim();
    api.setAppSettings({ metricsAddress: address === '' ? null : address }).then(
      (result) => {
        if (result.ok) {
          setAppSettings(result.state);
          setMetricsSave({ busy: false, error: '' });
        } else {
          setMetricsSave({ busy: false, error: result.error });
        }
      },
      (error: unknown) => {
        setMetricsSave({ busy: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
  };

  const toggleAutostart = (enabled: boolean): void => {
    setAutostartError('');
    api.setAutostart(enabled).then(setAutostart, (error: unknown) => {
      setAutostartError(error instanceof Error ? error.message : String(error));
    });
  };

  const runTest = (event: SyntheticEvent): void => {
    event.preventDefault();
    setTest({ busy: true, text: `Testing ${target}…`, ok: null });
    api.testAddress(target).then(
      (result) => {
        setTest({ busy: false, text: describeTest(result), ok: result.ok });
      },
      (error: unknown) => {
        setTest({ busy: false, text: error instanceof Error ? error.message : String(error), ok: false });
      },
    );
  };

  return (
    <section aria-labelledby="settings-heading" className="view">
      <h2 id="settings-heading">Settings</h2>

      <h3>Start at login</h3>
      <div className="field-row">
        <input
          id={ids.autostart}
          type="checkbox"
          checked={autostart?.enabled ?? false}
          disabled={autostart?.supported !== true}
          onChange={(event) => {
            toggleAutostart(event.target.checked);
          }}
        />
        <label htmlFor={ids.autostart}>Start Cluvio Agent when I log in</label>
      </div>
      {autostart?.supported === false ? (
        <p className="hint">Not available here: on a server, run the agent as a service (systemd) instead.</p>
      ) : null}
      {autostartError === '' ? null : <p className="alert alert-error">{autostartError}</p>}

      <h3>Configuration folder</h3>
      <p>
        <button
          type="button"
          className="button"
          onClick={() => {
            void api.openConfigFolder().then(setFolder);
          }}
        >
          Open configuration folder
        </button>
      </p>
      {folder === null ? null : (
        <p role="status" data-testid="config-folder">
          {folder.opened ? 'Opened ' : 'The configuration folder is '}
          <code>{folder.path}</code>
          {folder.opened ? '.' : ' (on the machine running the agent).'}
        </p>
      )}

      <h3>Test an address</h3>
      <form className="field-row" onSubmit={runTest}>
        <label htmlFor={ids.address}>Database address</label>
        <input
          id={ids.address}
          type="text"
          value={target}
          placeholder="db.internal:5432"
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${ids.address}-hint`}
          onChange={(event) => {
            setTarget(event.target.value);
          }}
        />
        <button type="submit" className="button" disabled={test.busy || target.trim() === ''}>
          Test
        </button>
      </form>
      <p id={`${ids.address}-hint`} className="hint">
        Checks the address against allowed-addresses and tries to connect from this machine, as Cluvio would.
      </p>
      <p
        role="status"
        data-testid="address-test-result"
        className={test.ok === null ? '' : test.ok ? 'text-ok' : 'text-error'}
      >
        {test.text}
      </p>

      <h3>Health and metrics</h3>
      <form className="field-row" onSubmit={saveMetrics}>
        <label htmlFor={ids.metrics}>Metrics address</label>
        <input
          id={ids.metrics}
          type="text"
          value={metricsAddress}
          placeholder="127.0.0.1:9464"
          spellCheck={false}
          autoComplete="off"
          disabled={appSettings?.editable !== true}
          aria-describedby={`${ids.metrics}-hint`}
          onChange={(event) => {
            setMetricsAddress(event.target.value);
          }}
        />
        <button type="submit" className="button" disabled={appSettings?.editable !== true || metricsSave.busy}>
          Save
        </button>
      </form>
      <p id={`${ids.metrics}-hint`} className="hint">
        Serves /healthz, /readyz and Prometheus /metrics on this machine only (a loopback address, e.g. 127.0.0.1:9464);
        empty turns it off. Kept in the app&apos;s own settings, not in cluvio-agent.toml.
        {appSettings?.editable === false
          ? appSettings.source === ''
            ? ' It cannot be changed in this window.'
            : ` Here it comes from ${appSettings.source}.`
          : ''}
      </p>
      <p
        role="status"
        data-testid="metrics-status"
        className={metricsSave.error === '' && appSettings?.metricsError == null ? '' : 'text-error'}
      >
        {metricsSave.error !== ''
          ? metricsSave.error
          : appSettings === null
            ? ''
            : appSettings.metricsUrl !== null
              ? `Serving ${appSettings.metricsUrl}/metrics`
              : (appSettings.metricsError ?? 'Off.')}
      </p>
      <h3>Proxy</h3>
      <p data-testid="proxy-setting">
        {appSettings?.proxy == null ? 'Direct connection to the gateway (no proxy).' : `Through ${appSettings.proxy}`}
      </p>
      <p className="hint">
        The proxy comes from the HTTPS_PROXY / NO_PROXY environment variables (or --proxy for cluvio-agent); credentials
        are never shown.
      </p>
    </section>
  );
}
