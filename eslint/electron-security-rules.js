// @ts-check
/**
 * Electron's security checklist as lint rules (`no-restricted-syntax` selectors), shared by
 * eslint.config.js, which applies them to the desktop app's sources, and by
 * test/security/electron-checklist.test.ts, which shows each one catching a seeded violation.
 * Each rule: the selector, the message, and a line that breaks it.
 */

/** @typedef {{ readonly selector: string, readonly message: string, readonly violation: string }} SyntaxRule */

/** @type {readonly SyntaxRule[]} */
export const ELECTRON_SYNTAX_RULES = [
  {
    selector: 'Property[key.name=/^nodeIntegration(InWorker|InSubFrames)?$/][value.value=true]',
    message: 'Electron checklist 2: never enable Node integration in a renderer',
    violation: 'new BrowserWindow({ webPreferences: { nodeIntegration: true } });',
  },
  {
    selector: 'Property[key.name=/^(contextIsolation|sandbox|webSecurity)$/][value.value=false]',
    message: 'Electron checklist 3/4/6: context isolation, sandbox and webSecurity stay on',
    violation: 'const prefs = { sandbox: false };',
  },
  {
    selector: 'Property[key.name=/^(allowRunningInsecureContent|experimentalFeatures|webviewTag)$/][value.value=true]',
    message: 'Electron checklist 8/9/11: no insecure content, experimental features or webviews',
    violation: 'const prefs = { webviewTag: true };',
  },
  {
    selector: "Property[key.name='enableBlinkFeatures']",
    message: 'Electron checklist 10: no Blink features',
    violation: "const prefs = { enableBlinkFeatures: 'X' };",
  },
  {
    selector: "MemberExpression[property.name='openExternal']",
    message:
      'Electron checklist 14: no shell.openExternal (links leave the app only through the OS, never from page input)',
    violation: 'void shell.openExternal(url);',
  },
  {
    selector: "CallExpression[callee.property.name='loadURL'][arguments.0.callee.name!='appUrl']",
    message: 'Electron checklist 1/17: windows load only app:// pages built by appUrl()',
    violation: "void win.loadURL('https://example.com/');",
  },
  {
    selector: "CallExpression[callee.property.name='loadFile']",
    message: 'Electron checklist 17: no file:// pages (use the app:// scheme)',
    violation: "void win.loadFile('index.html');",
  },
  {
    selector: 'Literal[value=/^file:\\/\\//]',
    message: 'Electron checklist 17: no file:// URLs',
    violation: "const page = 'file:///tmp/x.html';",
  },
  {
    selector:
      "NewExpression[callee.name='BrowserWindow'] > ObjectExpression > Property[key.name='webPreferences'][value.callee.name!='secureWebPreferences']",
    message: 'every BrowserWindow takes secureWebPreferences()',
    violation: 'new BrowserWindow({ webPreferences: { preload: p } });',
  },
  {
    selector: "CallExpression[callee.property.name=/^(on|once)$/][arguments.0.value='certificate-error']",
    message: 'no certificate-error handler (it could accept a bad certificate)',
    violation: "app.on('certificate-error', (e, w, u, err, cert, cb) => cb(true));",
  },
  {
    selector: "Literal[value='ignore-certificate-errors']",
    message: 'no ignore-certificate-errors switch',
    violation: "app.commandLine.appendSwitch('ignore-certificate-errors');",
  },
  {
    selector:
      "CallExpression[callee.property.name='exposeInMainWorld'] Identifier[name=/^(ipcRenderer|require|process)$/]",
    message: 'Electron checklist 20: the preload exposes only the typed AgentApi',
    violation: "contextBridge.exposeInMainWorld('ipc', ipcRenderer);",
  },
  {
    selector:
      "CallExpression[callee.property.name='setPermissionRequestHandler'] > ArrowFunctionExpression > CallExpression[callee.name='callback'][arguments.0.value=true]",
    message: 'Electron checklist 5: permission requests are never granted wholesale',
    violation: 'session.defaultSession.setPermissionRequestHandler((c, p, callback) => callback(true));',
  },
];

/** @type {SyntaxRule} ipcMain listeners are registered in one module, where every message's sender is checked. */
export const IPC_RULE = {
  selector: "CallExpression[callee.object.name='ipcMain'][callee.property.name=/^(on|once|handle|handleOnce)$/]",
  message: 'Electron checklist 16: IPC handlers live in src/main/ipc-handlers.ts, behind the sender check',
  violation: "ipcMain.handle('x', () => 1);",
};
