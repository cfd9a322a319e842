import {
  Curve,
  aesDecryptGCM,
  aesEncryptGCM,
  hkdf,
  sha256,
  NOISE_MODE,
  NOISE_WA_HEADER,
  proto,
} from '@whiskeysockets/baileys';

export interface KeyPair {
  public: Buffer;
  private: Buffer;
}

/** The server's certificates: the chain it presents in every serverHello, signed by the sandbox root. */
export interface ServerIdentity {
  staticKey: KeyPair;
  certChain: Buffer;
}

const EMPTY = Buffer.alloc(0);

function iv(counter: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt32BE(counter >>> 0, 8);
  return out;
}

/** One certificate's details, valid from yesterday for ten years (Baileys checks no dates, a real client might). */
function certificateDetails(serial: number, issuerSerial: number, key: Uint8Array): Uint8Array {
  const now = Math.floor(Date.now() / 1000);
  return proto.CertChain.NoiseCertificate.Details.encode({
    serial,
    issuerSerial,
    key,
    notBefore: now - 86400,
    notAfter: now + 10 * 365 * 86400,
  }).finish();
}

/**
 * Builds the CertChain Baileys checks: the intermediate signed by the root (issuerSerial 0 = WA_CERT_DETAILS.SERIAL),
 * the leaf (our Noise static key) signed by the intermediate.
 */
export function buildCertChain(root: KeyPair, intermediate: KeyPair, staticKey: KeyPair): Buffer {
  const interDetails = certificateDetails(1, 0, intermediate.public);
  const leafDetails = certificateDetails(2, 1, staticKey.public);
  return Buffer.from(
    proto.CertChain.encode({
      intermediate: { details: interDetails, signature: Curve.sign(root.private, interDetails) },
      leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
    }).finish(),
  );
}

/**
 * The server half of WhatsApp's Noise XX (`Noise_XX_25519_AESGCM_SHA256`), mirror image of Baileys' noise-handler,
 * plus the 3-byte length framing. One instance per WebSocket connection.
 */
export class NoiseServer {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private inBytes: Buffer = EMPTY;
  private introSeen = false;
  private ephemeral: KeyPair | null = null;
  private clientEphemeral: Buffer | null = null;
  private sendKey: Buffer | null = null;
  private recvKey: Buffer | null = null;
  private sendCounter = 0;
  private recvCounter = 0;
  /** The client's static Noise key (creds.noiseKey.public), known after clientFinish. */
  clientStatic: Buffer | null = null;
  private readonly identity: ServerIdentity;

  constructor(identity: ServerIdentity) {
    this.identity = identity;
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
  }

  get ready(): boolean {
    return this.sendKey !== null;
  }

  private authenticate(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private mixIntoKey(data: Uint8Array): void {
    const out = Buffer.from(hkdf(Buffer.from(data), 64, { salt: this.salt, info: '' }));
    this.salt = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }

  private encryptHandshake(plaintext: Uint8Array): Buffer {
    const result = aesEncryptGCM(plaintext, this.key, iv(this.counter++), this.hash);
    this.authenticate(result);
    return result;
  }

  private decryptHandshake(ciphertext: Uint8Array): Buffer {
    const result = aesDecryptGCM(Buffer.from(ciphertext), this.key, iv(this.counter++), this.hash);
    this.authenticate(ciphertext);
    return result;
  }

  /** Splits raw WebSocket bytes into frames (stripping the client's intro once). */
  *frames(data: Buffer): Generator<Buffer> {
    this.inBytes = this.inBytes.length ? Buffer.concat([this.inBytes, data]) : data;
    if (!this.introSeen) {
      if (this.inBytes.length < 4) return;
      if (this.inBytes[0] === 0x45 && this.inBytes[1] === 0x44) {
        // "ED", 0, 1, len(3), routingInfo, then "WA" 6 3
        if (this.inBytes.length < 7) return;
        const len = (this.inBytes[4]! << 16) | this.inBytes.readUInt16BE(5);
        if (this.inBytes.length < 7 + len + 4) return;
        this.inBytes = this.inBytes.subarray(7 + len);
      }
      if (!this.inBytes.subarray(0, 4).equals(NOISE_WA_HEADER)) {
        throw new Error('bad intro: not a WhatsApp Web client');
      }
      this.inBytes = this.inBytes.subarray(4);
      this.introSeen = true;
    }
    while (this.inBytes.length >= 3) {
      const size = (this.inBytes[0]! << 16) | (this.inBytes[1]! << 8) | this.inBytes[2]!;
      if (this.inBytes.length < size + 3) return;
      const frame = this.inBytes.subarray(3, size + 3);
      this.inBytes = this.inBytes.subarray(size + 3);
      yield Buffer.from(frame);
    }
  }

  /** clientHello → serverHello bytes (a frame payload, not yet length-prefixed). */
  onClientHello(frame: Buffer): Buffer {
    const msg = proto.HandshakeMessage.decode(frame);
    const eC = msg.clientHello?.ephemeral;
    if (!eC || eC.length !== 32) throw new Error('expected clientHello with a 32-byte ephemeral key');
    this.clientEphemeral = Buffer.from(eC);
    this.authenticate(NOISE_WA_HEADER);
    this.authenticate(this.clientEphemeral);
    this.ephemeral = Curve.generateKeyPair() as KeyPair;
    this.authenticate(this.ephemeral.public);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, this.clientEphemeral));
    const staticEnc = this.encryptHandshake(this.identity.staticKey.public);
    this.mixIntoKey(Curve.sharedKey(this.identity.staticKey.private, this.clientEphemeral));
    const payloadEnc = this.encryptHandshake(this.identity.certChain);
    return Buffer.from(
      proto.HandshakeMessage.encode({
        serverHello: { ephemeral: this.ephemeral.public, static: staticEnc, payload: payloadEnc },
      }).finish(),
    );
  }

  /** clientFinish → the decoded ClientPayload; switches to transport keys. */
  onClientFinish(frame: Buffer): proto.ClientPayload {
    const msg = proto.HandshakeMessage.decode(frame);
    const fin = msg.clientFinish;
    if (!fin?.static || !fin.payload || !this.ephemeral) throw new Error('expected clientFinish');
    this.clientStatic = this.decryptHandshake(fin.static);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, this.clientStatic));
    const payload = this.decryptHandshake(fin.payload);
    const out = Buffer.from(hkdf(EMPTY, 64, { salt: this.salt, info: '' }));
    this.recvKey = out.subarray(0, 32);
    this.sendKey = out.subarray(32);
    return proto.ClientPayload.decode(payload);
  }

  /** Length-prefixes a handshake payload (the server never sends an intro). */
  frame(payload: Buffer): Buffer {
    const out = Buffer.alloc(3 + payload.length);
    out[0] = (payload.length >>> 16) & 0xff;
    out[1] = (payload.length >>> 8) & 0xff;
    out[2] = payload.length & 0xff;
    payload.copy(out, 3);
    return out;
  }

  encryptTransport(plaintext: Buffer): Buffer {
    if (!this.sendKey) throw new Error('noise transport not ready');
    return this.frame(aesEncryptGCM(plaintext, this.sendKey, iv(this.sendCounter++), EMPTY));
  }

  decryptTransport(ciphertext: Buffer): Buffer {
    if (!this.recvKey) throw new Error('noise transport not ready');
    return aesDecryptGCM(ciphertext, this.recvKey, iv(this.recvCounter++), EMPTY);
  }
}
