import * as libsignal from 'libsignal';
import { Curve, generateRegistrationId } from '@whiskeysockets/baileys';

/** 33-byte Signal public key (0x05 prefix) from a 32-byte X25519 public key. */
export function signalPub(pub: Uint8Array): Buffer {
  return pub.length === 33 ? Buffer.from(pub) : Buffer.concat([Buffer.from([5]), pub]);
}

/** 32-byte key from a 33-byte Signal public key. */
function rawPub(pub: Uint8Array): Buffer {
  return pub.length === 33 ? Buffer.from(pub.subarray(1)) : Buffer.from(pub);
}

interface LsKeyPair {
  pubKey: Buffer; // 33 bytes
  privKey: Buffer;
}

export interface SignalDeviceState {
  registrationId: number;
  identity: LsKeyPair;
  signedPreKey: LsKeyPair & { keyId: number; signature: Buffer };
  preKeys: Record<string, LsKeyPair>;
  nextPreKeyId: number;
  sessions: Record<string, unknown>;
}

/** What the server hands out in an `encrypt` key fetch for a device (32-byte keys, as on the wire). */
export interface WireBundle {
  registrationId: number;
  identity: Buffer;
  signedPreKey: { keyId: number; public: Buffer; signature: Buffer };
  preKey?: { keyId: number; public: Buffer };
}

const MAX_OUTSTANDING_PREKEYS = 100;

/**
 * A virtual Signal device (a contact's phone, or our virtual phone's device 0): identity, signed prekey, one-time
 * prekeys and sessions, behind libsignal's storage interface. `onChange` persists the state after every mutation.
 */
export class SignalDevice {
  readonly state: SignalDeviceState;
  private readonly onChange: () => void;

  constructor(state: SignalDeviceState, onChange: () => void) {
    this.state = state;
    this.onChange = onChange;
  }

  /** A fresh device; pass an identity key pair (Baileys Curve format, 32-byte public) to reuse it. */
  static createState(identity?: { public: Buffer; private: Buffer }): SignalDeviceState {
    const id = identity ?? (Curve.generateKeyPair() as { public: Buffer; private: Buffer });
    const identityPair: LsKeyPair = { pubKey: signalPub(id.public), privKey: Buffer.from(id.private) };
    const spk = Curve.generateKeyPair() as { public: Buffer; private: Buffer };
    const spkPub = signalPub(spk.public);
    return {
      registrationId: generateRegistrationId(),
      identity: identityPair,
      signedPreKey: {
        keyId: 1,
        pubKey: spkPub,
        privKey: Buffer.from(spk.private),
        signature: Buffer.from(Curve.sign(identityPair.privKey, spkPub)),
      },
      preKeys: {},
      nextPreKeyId: 1,
      sessions: {},
    };
  }

  private readonly storage = {
    loadSession: async (id: string) => {
      const data = this.state.sessions[id];
      return data ? libsignal.SessionRecord.deserialize(data as Uint8Array) : undefined;
    },
    storeSession: async (id: string, record: libsignal.SessionRecord) => {
      this.state.sessions[id] = record.serialize();
      this.onChange();
    },
    isTrustedIdentity: () => true,
    loadPreKey: async (id: number | string) => {
      const key = this.state.preKeys[String(id)];
      return key ? { pubKey: key.pubKey, privKey: key.privKey } : undefined;
    },
    removePreKey: (id: number) => {
      delete this.state.preKeys[String(id)];
      this.onChange();
    },
    loadSignedPreKey: () => ({ pubKey: this.state.signedPreKey.pubKey, privKey: this.state.signedPreKey.privKey }),
    getOurRegistrationId: () => this.state.registrationId,
    getOurIdentity: () => ({ pubKey: this.state.identity.pubKey, privKey: this.state.identity.privKey }),
  };

  private get signalStorage(): libsignal.SignalStorage {
    return this.storage as unknown as libsignal.SignalStorage;
  }

  get identityPublic(): Buffer {
    return rawPub(this.state.identity.pubKey);
  }

  /** A bundle with a fresh one-time prekey (each key fetch gets its own, as WhatsApp's server does). */
  bundle(): WireBundle {
    const id = this.state.nextPreKeyId++;
    const pair = Curve.generateKeyPair() as { public: Buffer; private: Buffer };
    this.state.preKeys[String(id)] = { pubKey: signalPub(pair.public), privKey: Buffer.from(pair.private) };
    const ids = Object.keys(this.state.preKeys)
      .map(Number)
      .sort((a, b) => a - b);
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_OUTSTANDING_PREKEYS)))
      delete this.state.preKeys[String(old)];
    this.onChange();
    return {
      registrationId: this.state.registrationId,
      identity: rawPub(this.state.identity.pubKey),
      signedPreKey: {
        keyId: this.state.signedPreKey.keyId,
        public: rawPub(this.state.signedPreKey.pubKey),
        signature: this.state.signedPreKey.signature,
      },
      preKey: { keyId: id, public: pair.public },
    };
  }

  hasSession(address: string): boolean {
    const data = this.state.sessions[address];
    if (!data) return false;
    return libsignal.SessionRecord.deserialize(data as Uint8Array).haveOpenSession();
  }

  private addr(address: string): libsignal.ProtocolAddress {
    const dot = address.lastIndexOf('.');
    return new libsignal.ProtocolAddress(address.slice(0, dot), Number(address.slice(dot + 1)));
  }

  /** Starts an outgoing session to a remote device from its uploaded bundle (32-byte wire keys). */
  async initOutgoing(address: string, bundle: WireBundle): Promise<void> {
    const builder = new libsignal.SessionBuilder(this.signalStorage, this.addr(address));
    await builder.initOutgoing({
      registrationId: bundle.registrationId,
      identityKey: signalPub(bundle.identity),
      signedPreKey: {
        keyId: bundle.signedPreKey.keyId,
        publicKey: signalPub(bundle.signedPreKey.public),
        signature: bundle.signedPreKey.signature,
      },
      preKey: bundle.preKey
        ? { keyId: bundle.preKey.keyId, publicKey: signalPub(bundle.preKey.public) }
        : (undefined as never),
    });
  }

  /**
   * The remote device has shown it holds the session (it receipted our prekey message): stop re-sending the prekey
   * header, so the next message goes out as a plain `msg`.
   */
  confirmSession(address: string): void {
    const data = this.state.sessions[address];
    if (!data) return;
    const record = libsignal.SessionRecord.deserialize(data as Uint8Array) as unknown as {
      getOpenSession(): { pendingPreKey?: unknown } | undefined;
      serialize(): unknown;
    };
    const open = record.getOpenSession();
    if (!open?.pendingPreKey) return;
    delete open.pendingPreKey;
    this.state.sessions[address] = record.serialize();
    this.onChange();
  }

  async encrypt(address: string, data: Buffer): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Buffer }> {
    const cipher = new libsignal.SessionCipher(this.signalStorage, this.addr(address));
    const { type, body } = await cipher.encrypt(data);
    return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') };
  }

  async decrypt(address: string, type: string, ciphertext: Buffer): Promise<Buffer> {
    const cipher = new libsignal.SessionCipher(this.signalStorage, this.addr(address));
    if (type === 'pkmsg') return cipher.decryptPreKeyWhisperMessage(ciphertext);
    if (type === 'msg') return cipher.decryptWhisperMessage(ciphertext);
    throw new Error(`unsupported enc type ${type}`);
  }
}
