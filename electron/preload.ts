import { contextBridge, ipcRenderer } from 'electron';
import { DESKTOP_API_KEY, GET_INFO_CHANNEL, type DesktopApi, type DesktopInfo } from '../server/contract/desktop.ts';

// Sandboxed preload: bundled to one CommonJS file; the page sees only this frozen object, never ipcRenderer.
const api: DesktopApi = {
  getInfo: () => ipcRenderer.invoke(GET_INFO_CHANNEL) as Promise<DesktopInfo>,
};

contextBridge.exposeInMainWorld(DESKTOP_API_KEY, api);
