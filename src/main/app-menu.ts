/**
 * macOS's application menu, kept to what a menu-bar app needs: About and Quit, the Edit roles
 * that make copy and paste work in the window (macOS routes Cmd-C/Cmd-V through the menu), and
 * Close Window. Electron's default menu (View → Reload, Toggle Developer Tools; Help →
 * electronjs.org) is replaced. Windows and Linux get no menu bar at all (`null`): their text
 * fields handle the editing keys themselves.
 */

export function macApplicationMenu(appName: string): Electron.MenuItemConstructorOptions[] {
  return [
    {
      label: appName,
      submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { type: 'separator' }, { role: 'quit' }],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'close' }] },
  ];
}
