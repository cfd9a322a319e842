import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { getBinaryNodeChild, getBinaryNodeChildren, jidDecode } from '@whiskeysockets/baileys';

export type { BinaryNode };

export const S_WHATSAPP_NET = 's.whatsapp.net';

export function node(
  tag: string,
  attrs: Record<string, string | undefined> = {},
  content?: BinaryNode[] | Uint8Array | string,
): BinaryNode {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  return content === undefined ? { tag, attrs: clean } : { tag, attrs: clean, content };
}

export function child(n: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return n ? getBinaryNodeChild(n, tag) : undefined;
}

export function children(n: BinaryNode | undefined, tag?: string): BinaryNode[] {
  if (!n || !Array.isArray(n.content)) return [];
  return tag ? getBinaryNodeChildren(n, tag) : (n.content as BinaryNode[]);
}

export function bytes(n: BinaryNode | undefined): Buffer | undefined {
  if (!n || n.content === undefined) return undefined;
  if (n.content instanceof Uint8Array) return Buffer.from(n.content);
  if (typeof n.content === 'string') return Buffer.from(n.content, 'utf8');
  return undefined;
}

export function beUint(buf: Buffer | undefined): number {
  if (!buf) return 0;
  let v = 0;
  for (const b of buf) v = v * 256 + b;
  return v;
}

export function be(value: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = value & 0xff;
    value = Math.floor(value / 256);
  }
  return out;
}

/** The user, device (0 when absent) and server of a JID. */
export function userOf(jid: string): { user: string; device: number; server: string } | null {
  const d = jidDecode(jid);
  if (!d?.user) return null;
  return { user: d.user, device: d.device ?? 0, server: d.server };
}

export function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

/** A message id in the style WhatsApp phones use (3EB0… is Web's; phones use 32 hex chars). */
export function phoneMessageId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

export function serverId(): string {
  return randomBytes(6).toString('hex');
}

/** A short XML-ish rendering for log lines. */
export function describe(n: BinaryNode, depth = 0): string {
  const attrs = Object.entries(n.attrs)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  if (Array.isArray(n.content) && depth < 3)
    return `<${n.tag}${attrs}>${n.content.map((c) => describe(c, depth + 1)).join('')}</${n.tag}>`;
  if (n.content instanceof Uint8Array) return `<${n.tag}${attrs}>[${n.content.length}B]</${n.tag}>`;
  if (typeof n.content === 'string') return `<${n.tag}${attrs}>${n.content}</${n.tag}>`;
  return `<${n.tag}${attrs}/>`;
}
