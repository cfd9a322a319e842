import type { Database } from '../store/database.ts';
import { createApiKeyStore } from '../store/api-keys.ts';
import { fail } from './fail.ts';
import { type ApiKeyRecord, KeyName } from '../contract/keys.ts';

/** "30d", "12h", "45m" → milliseconds. */
function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*([dhm])$/.exec(text.trim());
  // A key that expires as it is made is a mistake, not a choice.
  if (!match || Number(match[1]) === 0) return null;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return Number(match[1]) * unit;
}

function describeKey(record: ApiKeyRecord): string {
  const date = (seconds: number | null) =>
    seconds === null ? '-' : new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return [
    record.id,
    record.prefix,
    record.status,
    `created ${date(record.created_at)}`,
    `last used ${date(record.last_used_at)}`,
    `expires ${date(record.expires_at)}`,
    record.name,
  ].join('  ');
}

/** `wagate keys create NAME [--expires-in 30d] | list | revoke ID`; a new key is printed once, at create. */
export function keysCommand(db: Database, args: string[], flags: { 'expires-in'?: string }): void {
  const store = createApiKeyStore(db);
  const [action, value] = args;
  if (action === 'create') {
    const name = KeyName.safeParse(value ?? '');
    if (!name.success) fail(`${name.error.issues[0]!.message}: wagate keys create NAME [--expires-in 30d]`);
    const ttl = flags['expires-in'] === undefined ? null : parseDuration(flags['expires-in']);
    if (ttl === null && flags['expires-in'] !== undefined)
      fail('--expires-in takes a number of days, hours or minutes above zero: 30d, 12h, 45m');
    const { key, record } = store.create({ name: name.data, expiresAt: ttl === null ? null : Date.now() + ttl });
    console.log(key);
    console.error(`Created key ${record.id} "${record.name}". Copy it now: it is not shown again.`);
  } else if (action === 'list') {
    const all = store.list();
    console.log(all.length ? all.map(describeKey).join('\n') : 'No API keys yet: wagate keys create NAME');
  } else if (action === 'revoke') {
    if (!value) fail('usage: wagate keys revoke ID');
    const record = store.revoke(value);
    if (!record) fail(`no key with id ${value} (see wagate keys list)`);
    console.log(`Revoked ${record.id} "${record.name}"`);
  } else {
    fail('usage: wagate keys create NAME | list | revoke ID');
  }
}
