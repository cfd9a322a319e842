import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { HandlerDetails, WebContents, WindowOpenHandlerResponse } from 'electron';
import { applyNavigationPolicy, decideNavigation, isAppUrl } from '../../electron/navigation-policy.ts';

const APP = 'http://127.0.0.1:7001';

test('only the dashboard origin stays in the window: same scheme, host and port', () => {
  assert.equal(decideNavigation('http://127.0.0.1:7001/keys?x=1#top', APP), 'allow');
  assert.equal(decideNavigation('http://127.0.0.1:7002/', APP), 'external', 'another port is another origin');
  assert.equal(decideNavigation('http://localhost:7001/', APP), 'external', 'another host name is another origin');
  assert.equal(decideNavigation('https://127.0.0.1:7001/', APP), 'external');
  assert.equal(isAppUrl('http://127.0.0.1:7001.evil.example/', APP), false);
});

test('web links go to the system browser; every other scheme is refused', () => {
  assert.equal(decideNavigation('https://faq.whatsapp.com/', APP), 'external');
  assert.equal(decideNavigation('http://example.com/docs', APP), 'external');
  for (const url of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'smb://server/share',
    'ms-settings:privacy',
    'vscode://file/x',
    'mailto:a@example.com',
    'https://user:pass@example.com/',
    'not a url',
    '',
  ]) {
    assert.equal(decideNavigation(url, APP), 'deny', url);
  }
});

/** Enough of a WebContents to drive the handlers the policy installs: events, the window-open handler, loadURL. */
class FakeContents extends EventEmitter {
  openHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null;
  loaded: string[] = [];
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.openHandler = handler;
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  /** Emits like Electron: an event object whose preventDefault() blocks the navigation. */
  navigate(event: string, url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) });
    return !prevented;
  }
}

function guarded(): { contents: FakeContents; opened: string[] } {
  const contents = new FakeContents();
  const opened: string[] = [];
  applyNavigationPolicy(contents as unknown as WebContents, {
    appOrigin: APP,
    openExternal: (url) => opened.push(url),
  });
  return { contents, opened };
}

test('navigating away is blocked, and a web link opens in the browser instead', () => {
  const { contents, opened } = guarded();
  assert.equal(contents.navigate('will-navigate', 'http://127.0.0.1:7001/messages'), true);
  assert.equal(contents.navigate('will-navigate', 'https://example.com/'), false);
  assert.equal(contents.navigate('will-navigate', 'file:///etc/passwd'), false);
  assert.equal(contents.navigate('will-redirect', 'https://example.com/'), false);
  assert.equal(contents.navigate('will-redirect', 'http://127.0.0.1:7001/login'), true);
  assert.deepEqual(opened, ['https://example.com/']);
});

test('window.open never makes an Electron window: web links go to the browser, own pages load in place', () => {
  const { contents, opened } = guarded();
  const open = (url: string) => contents.openHandler!({ url } as HandlerDetails);
  assert.deepEqual(open('https://example.com/help'), { action: 'deny' });
  assert.deepEqual(open('http://127.0.0.1:7001/keys'), { action: 'deny' });
  assert.deepEqual(open('javascript:alert(1)'), { action: 'deny' });
  assert.deepEqual(opened, ['https://example.com/help']);
  assert.deepEqual(contents.loaded, ['http://127.0.0.1:7001/keys']);
});

test('<webview> tags are refused', () => {
  const { contents } = guarded();
  assert.equal(contents.navigate('will-attach-webview', 'http://127.0.0.1:7001/'), false);
});
