import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

/**
 * Makes the Baileys instance of this process trust a WhatsApp simulator's root key instead of WhatsApp's own.
 * Baileys checks the Noise certificate chain against its exported, mutable `WA_CERT_DETAILS.PUBLIC_KEY`; swapping it
 * here (same module instance as the socket that connects) is all it takes. Only ever called in sandbox / --wa-url
 * modes: the production path never trusts anything but WhatsApp's root.
 */
export function trustSimulatorRoot(rootPublicKeyBase64: string): void {
  const key = Buffer.from(rootPublicKeyBase64, 'base64');
  if (key.length !== 32) {
    throw new Error(`a simulator root key is 32 bytes of base64, got ${key.length} bytes`);
  }
  WA_CERT_DETAILS.PUBLIC_KEY = key;
}
