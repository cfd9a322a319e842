import { useId } from 'react';
import { CopyButton } from './CopyButton.tsx';
import { useAdminInfo } from '../state/admin.ts';

/** A sandbox contact that is on WhatsApp, so the example works as pasted in sandbox mode. */
const SANDBOX_NUMBER = '15550001111';
const PLACEHOLDER_NUMBER = '15551234567';

/** A ready-to-paste `curl` that sends a message with a key, against this WaGate's real address. */
export function CurlExample({ apiKey }: { apiKey: string }) {
  const info = useAdminInfo();
  const id = useId();
  const number = info.sandbox ? SANDBOX_NUMBER : PLACEHOLDER_NUMBER;
  const command = [
    `curl -X POST '${info.api_url}/chats/${number}/messages' \\`,
    `  -H 'Authorization: Bearer ${apiKey}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"text": "Hello from WaGate"}'`,
  ].join('\n');

  return (
    <figure className="curl">
      <figcaption id={id}>
        Send a message from a terminal or another program
        {info.sandbox
          ? ` (to the sandbox contact Alice, +${SANDBOX_NUMBER})`
          : ` (put the recipient's number, country code first, in place of ${PLACEHOLDER_NUMBER})`}
        :
      </figcaption>
      <pre aria-labelledby={id} tabIndex={0}>
        <code>{command}</code>
      </pre>
      <CopyButton text={command} label="Copy command" />
    </figure>
  );
}
