import { standingNotices } from '../server/contract/standing-words.ts';
import type { SessionSnapshot } from '../server/contract/session.ts';
import type { PacingSummary } from './core-channel.ts';

/** The four looks of the tray icon; each has an image set in build/tray/. */
export type TrayIcon = 'linked' | 'pairing' | 'disconnected' | 'error';

export interface TrayLook {
  icon: TrayIcon;
  /** The state in words: the menu's state line. */
  status: string;
  /** What WhatsApp says about the number (a time lock, a cap), one menu line each. */
  warnings: string[];
  /** "WaGate: " plus the first warning or the status, cut to what Windows shows (127 characters). */
  tooltip: string;
}

/** What the shell knows: the core is starting, runs (with the session's snapshot), or could not run, and why. */
export type ShellState =
  { kind: 'starting' } | { kind: 'session'; snapshot: SessionSnapshot } | { kind: 'failed'; reason: string };

const TOOLTIP_MAX = 127;

function accountName(snapshot: SessionSnapshot): string {
  const account = snapshot.account;
  if (!account) return 'WhatsApp';
  return account.name ? `${account.name} (+${account.number})` : `+${account.number}`;
}

function withReason(text: string, reason: string | null): string {
  return reason ? `${text}: ${reason}` : text;
}

function sessionLook(snapshot: SessionSnapshot): Pick<TrayLook, 'icon' | 'status'> {
  switch (snapshot.state) {
    case 'connected':
      return { icon: 'linked', status: `Linked to ${accountName(snapshot)}` };
    case 'qr':
      return { icon: 'pairing', status: 'Needs pairing: scan the QR code in WaGate' };
    case 'logged_out':
      return { icon: 'pairing', status: 'Logged out from the phone: pair again in WaGate' };
    case 'starting':
      return { icon: 'disconnected', status: 'Starting…' };
    case 'connecting':
      return { icon: 'disconnected', status: 'Connecting to WhatsApp…' };
    case 'reconnecting':
      return { icon: 'disconnected', status: withReason('Reconnecting to WhatsApp', snapshot.last_error) };
    case 'replaced':
      return { icon: 'error', status: 'Disconnected: this session was opened somewhere else' };
    case 'stopped':
      return { icon: 'disconnected', status: 'Stopped' };
  }
}

const shortTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

/** A linked number that WhatsApp restricts shows the error icon: sends to new chats are being refused. */
function standingLook(snapshot: SessionSnapshot): Omit<TrayLook, 'tooltip'> {
  const look = sessionLook(snapshot);
  const notices = standingNotices(snapshot, (seconds) => shortTime.format(seconds * 1000));
  const restricted = look.icon === 'linked' && notices.some((n) => n.restricting);
  return { ...look, icon: restricted ? 'error' : look.icon, warnings: notices.map((n) => n.headline) };
}

function shellLook(state: ShellState): Omit<TrayLook, 'tooltip'> {
  if (state.kind === 'starting') return { icon: 'disconnected', status: 'Starting…', warnings: [] };
  if (state.kind === 'failed') return { icon: 'error', status: state.reason, warnings: [] };
  return standingLook(state.snapshot);
}

export function trayLook(state: ShellState): TrayLook {
  const look = shellLook(state);
  const tooltip = `WaGate: ${look.warnings[0] ?? look.status}`;
  return { ...look, tooltip: tooltip.length > TOOLTIP_MAX ? `${tooltip.slice(0, TOOLTIP_MAX - 1)}…` : tooltip };
}

/**
 * The image file for a look: macOS wants black "Template" images it tints for light and dark menu bars;
 * Windows and Linux get the coloured ones. Electron picks the @2x file beside it on its own.
 */
export function trayIconFile(icon: TrayIcon, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `${icon}Template.png` : `${icon}.png`;
}

/** What pacing holds back, as a menu line; null while it holds nothing. */
export function pacingLine(pacing: PacingSummary): string | null {
  if (pacing.waiting === 0) return null;
  const count = pacing.waiting === 1 ? '1 message' : `${pacing.waiting} messages`;
  const next = pacing.next_at === null ? '' : `; the next leaves at ${shortTime.format(pacing.next_at * 1000)}`;
  return `${count} held back by pacing${next}`;
}

/** The window opens by itself when the session starts to need a QR scan (first run, or after a log-out). */
export function needsPairing(snapshot: SessionSnapshot): boolean {
  return snapshot.state === 'qr' || snapshot.state === 'logged_out';
}
