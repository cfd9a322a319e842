/**
 * node:http's classes and functions, taken without an ESM import. Node's ESM view of a built-in reads every export
 * once, and node:http's `WebSocket`, `CloseEvent` and `MessageEvent` getters then load Node's bundled undici: ~55 ms
 * of `wagate serve`'s start on this machine, before it listens, for classes the core never uses. Types still come
 * from `import type … from 'node:http'`, which leaves nothing behind.
 */
export const { createServer, IncomingMessage, ServerResponse } = process.getBuiltinModule('node:http');
