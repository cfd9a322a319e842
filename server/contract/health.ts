import { z } from 'zod';
import { SessionStateSchema } from './session.ts';

/** What WaGate talks to: `whatsapp`, or a simulator: the in-process sandbox or one given with --wa-url. */
export const WhatsAppServerKindSchema = z.enum(['whatsapp', 'sandbox', 'simulator']);
export type WhatsAppServerKind = z.infer<typeof WhatsAppServerKindSchema>;

/** `GET /health`. */
export const HealthData = z.object({
  version: z.string(),
  whatsapp: SessionStateSchema,
  whatsapp_server: WhatsAppServerKindSchema,
  /** Only for the dashboard's admin session: who keeps the key of the WhatsApp credentials. */
  credentials: z
    .object({
      kept_by: z.enum(['keyring', 'folder_permissions']),
      /** The keyring's name (Secret Service, macOS Keychain, Windows Credential Manager), or null. */
      keyring: z.string().nullable(),
    })
    .optional(),
});
