import { Curve } from '@whiskeysockets/baileys';
import { ApiError } from '../api-error.ts';
import type { Connection, LinkCodeRequest } from './connection.ts';
import { type BinaryNode, bytes, child, node, nowSeconds, phoneMessageId, S_WHATSAPP_NET, userOf } from './frames.ts';
import {
  deriveAdvSecret,
  isPairingCode,
  normalizePairingCode,
  openKeyBundle,
  unwrapEphemeral,
  wrapEphemeral,
} from './link-code.ts';
import type { KeyPair } from './noise-server.ts';
import { completePairing } from './pairing.ts';
import type { SandboxState } from './sandbox-state.ts';
import { normalizeNumber } from './virtual-contacts.ts';
import { type PhoneView, randomRef } from './virtual-phone.ts';

export interface PairingCode {
  /** `<iq xmlns="md"><link_code_companion_reg stage=…>` from a registering client. */
  onLinkCodeIq(conn: Connection, iq: BinaryNode, reg: BinaryNode): void;
  /** The phone types the code a companion shows: it finds the companion that asked for one and links it. */
  enterPairingCode(input: string): Promise<PhoneView>;
  /** A connection closed: a code exchange waiting on it fails now rather than at its timeout. */
  forget(conn: Connection): void;
}

interface FinishWaiter {
  conn: Connection;
  resolve: (iq: BinaryNode) => void;
  reject: (err: Error) => void;
}

/** Linking by pairing code ("Link with phone number instead"); the crypto is link-code.ts's. */
export function createPairingCode(state: SandboxState): PairingCode {
  /** Waiters for `companion_finish`, by the `link_code_pairing_ref` of the notification that asked for it. */
  const companionFinish = new Map<string, FinishWaiter>();

  const onLinkCodeIq = (conn: Connection, iq: BinaryNode, reg: BinaryNode) => {
    const fail = (code: string, text: string) =>
      conn.send(node('iq', { from: S_WHATSAPP_NET, type: 'error', id: iq.attrs.id }, [node('error', { code, text })]));
    if (reg.attrs.stage === 'companion_finish') {
      const ref = bytes(child(reg, 'link_code_pairing_ref'))?.toString('utf8') ?? '';
      const waiter = companionFinish.get(ref);
      if (!waiter || waiter.conn !== conn) return fail('404', 'item-not-found');
      companionFinish.delete(ref);
      waiter.resolve(iq);
      return;
    }
    if (reg.attrs.stage !== 'companion_hello') return fail('400', 'bad-request');
    const wrapped = bytes(child(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub'));
    const noiseKey = bytes(child(reg, 'companion_server_auth_key_pub'));
    const number = normalizeNumber(userOf(reg.attrs.jid ?? '')?.user ?? '');
    if (!conn.registration || wrapped?.length !== 80 || !noiseKey?.equals(conn.registration.noiseKey) || !number) {
      return fail('400', 'bad-request');
    }
    const ref = randomRef();
    // A new request replaces the previous one: Baileys made a new code for it.
    conn.registration.linkCode = { number, ref, wrappedEphemeral: wrapped, askedAt: Date.now(), busy: false };
    if (number !== state.phone.number) {
      state.logger.info(
        `a pairing code was asked for +${number}, which is not the virtual phone (+${state.phone.number})`,
      );
    }
    conn.send(
      node('iq', { from: S_WHATSAPP_NET, type: 'result', id: iq.attrs.id }, [
        node('link_code_companion_reg', {}, [node('link_code_pairing_ref', {}, Buffer.from(ref))]),
      ]),
    );
  };

  const enterPairingCode = async (input: string) => {
    const code = normalizePairingCode(input);
    if (!isPairingCode(code)) throw new ApiError(400, 'a pairing code is 8 letters and digits, as in ABCD-EFGH');
    const waiting = (await linkCodeRequests(state)).sort(
      (a, b) => b.registration!.linkCode!.askedAt - a.registration!.linkCode!.askedAt,
    );
    const mine = waiting.filter((c) => c.registration!.linkCode!.number === state.phone.number);
    if (mine.length === 0) {
      const others = [...new Set(waiting.map((c) => `+${c.registration!.linkCode!.number}`))];
      throw new ApiError(
        409,
        others.length > 0
          ? `no device is waiting for a code for this phone (+${state.phone.number}); codes were asked for ${others.join(', ')}`
          : 'no device is waiting for a pairing code: ask for one first (a code lasts as long as the linking screen that showed it)',
      );
    }
    const free = mine.filter((c) => !c.registration!.linkCode!.busy);
    if (free.length === 0)
      throw new ApiError(409, 'the phone is already trying a code with the device waiting for one');
    for (const conn of free) {
      if (!conn.open) continue;
      const advSecret = await tryPairingCode(conn, code);
      if (advSecret) return completePairing(state, conn, conn.registration!, advSecret);
    }
    throw new ApiError(404, 'no device waiting to be linked shows this code: check it, or ask for a new one');
  };

  /** Resolves with the companion's `companion_finish` IQ for this request, or fails after 15 s or if it closes. */
  const companionFinished = (conn: Connection, request: LinkCodeRequest) =>
    new Promise<BinaryNode>((resolve, reject) => {
      const timer = setTimeout(() => {
        companionFinish.delete(request.ref);
        reject(new ApiError(409, 'the device did not answer the code exchange (it may have closed)'));
      }, 15_000);
      const settle = () => clearTimeout(timer);
      companionFinish.set(request.ref, {
        conn,
        resolve: (n) => (settle(), resolve(n)),
        reject: (err) => (settle(), reject(err)),
      });
    });

  /**
   * One round with a companion: the phone's ephemeral key, wrapped with the typed code, goes out in the
   * `link_code_companion_reg` notification; the companion answers `companion_finish` with its key bundle, which opens
   * only if the code was its own. Returns the ADV secret, or null for another code (the companion gets an error).
   */
  const tryPairingCode = async (conn: Connection, code: string): Promise<string | null> => {
    const reg = conn.registration!;
    const request = reg.linkCode!;
    request.busy = true;
    try {
      const companionEphemeral = await unwrapEphemeral(code, request.wrappedEphemeral);
      const ephemeral = Curve.generateKeyPair() as KeyPair;
      const finished = companionFinished(conn, request);
      conn.send(
        node(
          'notification',
          { from: S_WHATSAPP_NET, type: 'link_code_companion_reg', id: phoneMessageId().slice(0, 10), t: nowSeconds() },
          [
            node('link_code_companion_reg', { stage: 'primary_hello' }, [
              node('link_code_pairing_wrapped_primary_ephemeral_pub', {}, await wrapEphemeral(code, ephemeral.public)),
              node('primary_identity_pub', {}, state.phone.accountKey.public),
              node('link_code_pairing_ref', {}, Buffer.from(request.ref)),
            ]),
          ],
        ),
      );
      const iq = await finished;
      const finish = child(iq, 'link_code_companion_reg');
      const answer = (error?: { code: string; text: string }) =>
        conn.send(
          node(
            'iq',
            { from: S_WHATSAPP_NET, type: error ? 'error' : 'result', id: iq.attrs.id },
            error ? [node('error', error)] : undefined,
          ),
        );
      const bundle = openKeyBundle(
        ephemeral.private,
        companionEphemeral,
        bytes(child(finish, 'link_code_pairing_wrapped_key_bundle')) ?? Buffer.alloc(0),
      );
      if (!bundle) {
        answer({ code: '401', text: 'not-authorized' });
        state.logger.info('the phone entered a code that is not the waiting device’s');
        return null;
      }
      const identity = bytes(child(finish, 'companion_identity_public'));
      if (
        !bundle.companionIdentity.equals(reg.identityKey) ||
        !identity?.equals(reg.identityKey) ||
        !bundle.primaryIdentity.equals(state.phone.accountKey.public)
      ) {
        answer({ code: '400', text: 'bad-request' });
        throw new ApiError(409, 'the device’s key bundle does not match the keys it registered with');
      }
      answer();
      conn.registration = { ...reg, refs: [], linkCode: null };
      return deriveAdvSecret(bundle, state.phone.accountKey.private);
    } finally {
      request.busy = false;
    }
  };

  const forget = (conn: Connection) => {
    for (const [ref, waiter] of companionFinish) {
      if (waiter.conn !== conn) continue;
      companionFinish.delete(ref);
      waiter.reject(new ApiError(409, 'the device closed its connection during the code exchange'));
    }
  };

  return { onLinkCodeIq, enterPairingCode, forget };
}

/** Clients waiting for a code; if none yet, waits a moment: a code may be typed while its request is on the wire. */
async function linkCodeRequests(state: SandboxState, graceMs = 1000): Promise<Connection[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const waiting = [...state.connections].filter((c) => c.open && c.registration?.linkCode);
    if (waiting.length > 0 || Date.now() >= deadline || state.closed) return waiting;
    await new Promise((r) => setTimeout(r, 25));
  }
}
