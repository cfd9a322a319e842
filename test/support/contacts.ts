import { SEED_CONTACTS } from '../../server/sandbox/virtual-contacts.ts';

function seed(name: string): string {
  const contact = SEED_CONTACTS.find((c) => c.name === name);
  if (!contact) throw new Error(`the sandbox seeds no contact named ${name}`);
  return contact.number;
}

/**
 * The sandbox's seed contacts, as the simulator creates them: Alice and Bob are on WhatsApp, Carol is not, Dana is
 * LID-migrated (reachable at her LID only).
 */
export const ALICE = seed('Alice');
export const BOB = seed('Bob');
export const CAROL = seed('Carol');
export const DANA = seed('Dana');

export const jidOf = (number: string) => `${number}@s.whatsapp.net`;
