import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { SandboxStore } from './store.ts';

/** The sandbox's media servers' TLS: a root of its own (clients in simulator modes trust it) and a loopback leaf. */
export interface MediaTls {
  /** The root certificate, PEM: what a client passes as `ca`. */
  rootCert: string;
  /** The media host's certificate (127.0.0.1, ::1, localhost) and its key, PEM. */
  cert: string;
  key: string;
}

const YEAR_MS = 365 * 24 * 3_600_000;

function newKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  // Node's own keygen: forge's pure-JS one takes seconds.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function certificate(options: {
  subject: string;
  publicKey: forge.pki.PublicKey;
  issuer: forge.pki.Certificate | null;
  signingKey: forge.pki.rsa.PrivateKey;
  years: number;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.publicKey;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + options.years * YEAR_MS);
  const subject = [{ name: 'commonName', value: options.subject }];
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? options.issuer.subject.attributes : subject);
  cert.setExtensions(options.extensions);
  cert.sign(options.signingKey, forge.md.sha256.create());
  return cert;
}

function makeRoot(): { cert: string; key: string } {
  const keys = newKeys();
  const cert = certificate({
    subject: 'WaGate sandbox media root',
    publicKey: keys.publicKey,
    issuer: null,
    signingKey: keys.privateKey,
    years: 20,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

function makeLeaf(root: { cert: string; key: string }): { cert: string; key: string } {
  const keys = newKeys();
  const issuer = forge.pki.certificateFromPem(root.cert);
  const cert = certificate({
    subject: '127.0.0.1',
    publicKey: keys.publicKey,
    issuer,
    signingKey: forge.pki.privateKeyFromPem(root.key) as forge.pki.rsa.PrivateKey,
    years: 2,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/**
 * Made once and kept with the sandbox (a client that trusts the root keeps trusting it after a restart); the leaf is
 * made again when it has expired.
 */
export function loadMediaTls(store: SandboxStore): MediaTls {
  let root = store.get<{ cert: string; key: string }>('media-tls-root');
  if (!root) {
    root = makeRoot();
    store.set('media-tls-root', root);
  }
  let leaf = store.get<{ cert: string; key: string }>('media-tls-leaf');
  if (!leaf || Date.parse(new X509Certificate(leaf.cert).validTo) < Date.now()) {
    leaf = makeLeaf(root);
    store.set('media-tls-leaf', leaf);
  }
  return { rootCert: root.cert, cert: leaf.cert, key: leaf.key };
}
