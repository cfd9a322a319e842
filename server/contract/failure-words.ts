/**
 * Each failure reason of FailureReasonSchema (messages.ts) in plain words: what happened, and what the user can do.
 * The dashboard's Outbox and Send screens say these.
 */
const WORDS: Record<string, string> = {
  not_on_whatsapp: 'This number is not on WhatsApp. Check the number, with its country code.',
  expired: 'It could not leave in time (WaGate was not linked or not connected for too long), so it was not sent.',
  cancelled: 'It was cancelled before it left. It was not sent.',
  logged_out: 'The phone was unlinked before it left. Link the phone again, then retry.',
  send_error:
    'WhatsApp’s client library could not send it, several times in a row, with the connection up. It never left; retry it.',
  'server_rejected:463':
    'WhatsApp refused it: this number may not start new chats right now (too many people who never wrote to it). Retrying counts as another try: wait until the restriction ends.',
  'server_rejected:479':
    'WhatsApp refused it as malformed, most often because the encryption session with the recipient is out of date. Retrying after a reconnect usually works.',
};

export function failureWords(reason: string | null): string {
  if (reason === null) return 'It failed, and WaGate was not told why.';
  const known = WORDS[reason];
  if (known) return known;
  const code = /^server_rejected:(\d+)$/.exec(reason)?.[1];
  if (code) return `WhatsApp’s server refused it (error ${code}).`;
  return `It failed (${reason}).`;
}
