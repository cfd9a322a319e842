import type { Connection } from './connection.ts';
import { type BinaryNode, be, child, children, describe, node, S_WHATSAPP_NET } from './frames.ts';
import { removeDevice } from './linked-devices.ts';
import { bundleFor, preKeyCount, storeRotatedSignedPreKey, storeUploadedKeys } from './prekeys.ts';
import { onPrivacyTokens } from './privacy-tokens.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { WireBundle } from './signal-device.ts';
import { usync } from './usync.ts';

/** What answering IQs needs beyond the shared state: the steps of login and of linking by code that IQs drive. */
export interface IqDeps {
  state: SandboxState;
  /** The client asked for its key digest: it is ready for what queued up while it was offline. */
  afterDigest(conn: Connection): void;
  onLinkCodeIq(conn: Connection, iq: BinaryNode, reg: BinaryNode): void;
  /** Answers a `w:mex` (GraphQL) query it knows; false for any other. */
  answerMexQuery(conn: Connection, iq: BinaryNode): boolean;
  /** `w:g2`: group metadata and the groups the phone is in. */
  onGroupIq(conn: Connection, iq: BinaryNode): void;
  /** `w:m` `<media_conn/>`: where to upload media, and the token to do it with. */
  answerMediaConn(conn: Connection, iq: BinaryNode): void;
}

function result(conn: Connection, iq: BinaryNode, content?: BinaryNode[]): void {
  conn.send(node('iq', { from: S_WHATSAPP_NET, type: 'result', id: iq.attrs.id }, content));
}

function bundleNode(jid: string, b: WireBundle): BinaryNode {
  const content: BinaryNode[] = [
    node('registration', {}, be(b.registrationId, 4)),
    node('type', {}, Buffer.from([5])),
    node('identity', {}, b.identity),
    node('skey', {}, [
      node('id', {}, be(b.signedPreKey.keyId, 3)),
      node('value', {}, b.signedPreKey.public),
      node('signature', {}, b.signedPreKey.signature),
    ]),
  ];
  if (b.preKey)
    content.push(node('key', {}, [node('id', {}, be(b.preKey.keyId, 3)), node('value', {}, b.preKey.public)]));
  return node('user', { jid }, content);
}

/** Answers one IQ from a client. Everything not implemented gets an empty result and an `[iq] UNHANDLED` log line. */
export async function handleIq(deps: IqDeps, conn: Connection, iq: BinaryNode): Promise<void> {
  const { state } = deps;
  const { xmlns, type } = iq.attrs;
  if (type === 'result' || type === 'error') return;
  const first = Array.isArray(iq.content) ? iq.content[0] : undefined;
  const firstTag = first?.tag;

  if (xmlns === 'w:p' && firstTag === 'ping') return conn.ignoresPings ? undefined : result(conn, iq);
  if (xmlns === 'passive') return result(conn, iq);
  if (xmlns === 'w:g2') return deps.onGroupIq(conn, iq);
  if (xmlns === 'w:m' && firstTag === 'media_conn') return deps.answerMediaConn(conn, iq);

  if (xmlns === 'encrypt') {
    if (type === 'get' && firstTag === 'count') {
      return result(conn, iq, [node('count', { value: String(preKeyCount(state, conn)) })]);
    }
    if (type === 'set' && child(iq, 'list')) {
      storeUploadedKeys(state, conn, iq);
      return result(conn, iq);
    }
    if (type === 'set' && firstTag === 'rotate') {
      storeRotatedSignedPreKey(state, conn, child(first, 'skey'));
      return result(conn, iq);
    }
    if (type === 'get' && firstTag === 'digest') {
      result(conn, iq, [
        node('digest', {}, [
          node('registration', {}, be(conn.device?.registrationId ?? 0, 4)),
          node('type', {}, Buffer.from([5])),
        ]),
      ]);
      deps.afterDigest(conn);
      return;
    }
    if (type === 'get' && firstTag === 'key') {
      const users: BinaryNode[] = [];
      for (const u of children(first, 'user')) {
        const jid = u.attrs.jid;
        if (!jid) continue;
        const b = bundleFor(state, jid);
        if (b) users.push(bundleNode(jid, b));
        else state.logger.warn(`key fetch for unknown device ${jid}`);
      }
      return result(conn, iq, [node('list', {}, users)]);
    }
  }

  if (xmlns === 'usync' && firstTag === 'usync') return result(conn, iq, [usync(state, first!)]);

  if (xmlns === 'abt' && firstTag === 'props') {
    return result(conn, iq, [node('props', { protocol: '1', hash: 'sandbox', ab_key: 'sandbox' }, [])]);
  }
  if (xmlns === 'w' && firstTag === 'props') {
    return result(conn, iq, [node('props', { protocol: '2', hash: 'sandbox' }, [])]);
  }
  if (xmlns === 'blocklist') return result(conn, iq, [node('list', {}, [])]);
  if (xmlns === 'privacy' && type === 'get') {
    const categories: [string, string][] = [
      ['last', 'all'],
      ['online', 'all'],
      ['profile', 'all'],
      ['status', 'all'],
      ['groupadd', 'all'],
      ['readreceipts', 'all'],
      ['calladd', 'all'],
    ];
    return result(conn, iq, [
      node(
        'privacy',
        {},
        categories.map(([name, value]) => node('category', { name, value })),
      ),
    ]);
  }
  if (xmlns === 'privacy' && type === 'set' && firstTag === 'tokens') return onPrivacyTokens(state, conn, iq);
  if (xmlns === 'privacy' && type === 'set') return result(conn, iq);
  if (xmlns === 'md' && firstTag === 'link_code_companion_reg' && conn.kind === 'registration')
    return deps.onLinkCodeIq(conn, iq, first!);
  if (xmlns === 'md' && firstTag === 'remove-companion-device') {
    result(conn, iq);
    removeDevice(state, first!.attrs.jid ?? '', 'client logout');
    return;
  }
  if (xmlns === 'status' && type === 'get') return result(conn, iq);
  if (xmlns === 'w:mex' && deps.answerMexQuery(conn, iq)) return;

  state.logger.info(
    `[iq] UNHANDLED xmlns=${xmlns ?? ''} type=${type ?? ''} child=${firstTag ?? ''} ${describe(iq).slice(0, 200)}`,
  );
  result(conn, iq);
}
