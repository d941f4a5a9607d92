; Included by electron-builder's NSIS installer (electron-builder.yml `nsis.include`).
;
; Offers Cluvio Agent in Explorer's "Open with" for .toml files without taking their default:
; the app's ProgID is added to Software\Classes\.toml\OpenWithProgids (Microsoft's "File Types"
; documentation: the ProgIDs listed there appear in Open with), and the .toml key's own default
; value, which names the default ProgID, is left alone. electron-builder's fileAssociations would
; set that default, so electron-builder.yml declares none for Windows.
;
; SHELL_CONTEXT is HKCU for a per-user install (nsis.perMachine: false) and HKLM for a
; per-machine one, so both work. The uninstaller removes exactly what was added.

!define CLUVIO_TOML_PROGID "CluvioAgent.AgentConfig"

!macro customInstall
  WriteRegStr SHELL_CONTEXT "Software\Classes\${CLUVIO_TOML_PROGID}" "" "Cluvio agent configuration"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${CLUVIO_TOML_PROGID}\DefaultIcon" "" "$appExe,0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${CLUVIO_TOML_PROGID}\shell\open" "FriendlyAppName" "${PRODUCT_NAME}"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${CLUVIO_TOML_PROGID}\shell\open\command" "" '"$appExe" "%1"'
  WriteRegNone SHELL_CONTEXT "Software\Classes\.toml\OpenWithProgids" "${CLUVIO_TOML_PROGID}"
  ; SHCNE_ASSOCCHANGED: Explorer reads the associations again.
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, i 0, i 0)'
!macroend

!macro customUnInstall
  DeleteRegValue SHELL_CONTEXT "Software\Classes\.toml\OpenWithProgids" "${CLUVIO_TOML_PROGID}"
  DeleteRegKey SHELL_CONTEXT "Software\Classes\${CLUVIO_TOML_PROGID}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, i 0, i 0)'
!macroend
