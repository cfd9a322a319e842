import { MINUTE_MS, WEBHOOK } from '../../../server/contract/lifetimes.ts';
import { DELIVERY_HEADERS } from '../../../server/contract/webhooks.ts';

/** For whoever writes the receiving program: what a delivery carries and how to check it came from WaGate. */
export function SignatureHelp() {
  const { id, timestamp, signature, event } = DELIVERY_HEADERS;
  return (
    <details className="card signature-help">
      <summary>How the receiving program checks the signature</summary>
      <p>
        Deliveries are signed as{' '}
        <a href="https://www.standardwebhooks.com" target="_blank" rel="noreferrer">
          Standard Webhooks
        </a>{' '}
        says, so any Standard Webhooks library checks them: in Node,{' '}
        <code>new Webhook(secret).verify(rawBody, headers)</code> from the <code>standardwebhooks</code> package. Every
        delivery is a POST with the event as JSON and these headers:
      </p>
      <dl className="facts">
        <dt>
          <code>{id}</code>
        </dt>
        <dd>the delivery's id, the same on every retry: use it to ignore a repeat</dd>
        <dt>
          <code>{timestamp}</code>
        </dt>
        <dd>
          when this attempt was signed, in Unix seconds: refuse it if it is more than{' '}
          {WEBHOOK.signatureToleranceMs / MINUTE_MS} minutes off
        </dd>
        <dt>
          <code>{signature}</code>
        </dt>
        <dd>
          <code>v1,</code> and the base64 HMAC-SHA256 of <code>{`<${id}>.<${timestamp}>.<raw body>`}</code>, keyed with
          the bytes the secret's part after <code>whsec_</code> encodes in base64
        </dd>
        <dt>
          <code>{event}</code>
        </dt>
        <dd>the event type</dd>
      </dl>
      <p>
        Check the raw bytes as received (not JSON parsed and written again). The program should answer any 2xx within{' '}
        {WEBHOOK.timeoutMs / 1000} seconds; anything else is retried. <a href="/docs">WaGate’s API documentation</a> has
        a complete example for Node.js without a library, under “Webhooks”.
      </p>
    </details>
  );
}
