import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The dashboard window per Electron's security checklist: isolated, sandboxed renderer without Node, web security
 * on, nothing but the bundled preload. It starts hidden and shows once the page has painted.
 */
export function mainWindowOptions(preload: string, icon: string | undefined): BrowserWindowConstructorOptions {
  return {
    title: 'WaGate',
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    autoHideMenuBar: true,
    ...(icon ? { icon } : {}),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
