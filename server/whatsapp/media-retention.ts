import type { MediaConfig } from '../config.ts';
import type { MessageStore } from '../store/messages.ts';
import type { MediaFiles } from '../store/media-files.ts';

/** Statuses after which a sent message's file is no longer needed to send it again. */
const DONE = new Set(['sent', 'delivered', 'read', 'failed']);

/**
 * Media files do not stay for ever (config.json media.inbound_retention_days; 0 keeps them): received files older
 * than that go, and so do sent messages' files that old once WhatsApp has the message or it failed (a message still
 * waiting to leave, e.g. scheduled far ahead, keeps its file).
 * Answers how many messages' files were deleted.
 */
export function sweepMedia(
  deps: { files: MediaFiles; messages: Pick<MessageStore, 'get'>; config: Pick<MediaConfig, 'inbound_retention_days'> },
  nowSeconds: number,
): number {
  const days = deps.config.inbound_retention_days;
  if (days === 0) return 0;
  const age = days * 86_400;
  const sentDone = deps.files.outboundOlderThan(age, nowSeconds).filter((id) => {
    const message = deps.messages.get(id);
    return !message || DONE.has(message.status);
  });
  const old = [...deps.files.inboundOlderThan(age, nowSeconds), ...sentDone];
  for (const id of old) deps.files.remove(id);
  return old.length;
}
