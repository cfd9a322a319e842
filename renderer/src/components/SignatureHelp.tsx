/** For whoever writes the receiving program: what a delivery carries and how to check it came from WaGate. */
export function SignatureHelp() {
  return (
    <details className="card signature-help">
      <summary>How the receiving program checks the signature</summary>
      <p>Every delivery is a POST with the event as JSON and these headers:</p>
      <dl className="facts">
        <dt>
          <code>WaGate-Signature</code>
        </dt>
        <dd>
          <code>v1=</code> and the hex HMAC-SHA256, keyed with the secret, of{' '}
          <code>{'<WaGate-Timestamp>.<raw body>'}</code>
        </dd>
        <dt>
          <code>WaGate-Timestamp</code>
        </dt>
        <dd>when it was signed, in Unix seconds: refuse it if it is more than 5 minutes off</dd>
        <dt>
          <code>WaGate-Delivery</code>
        </dt>
        <dd>the delivery's id, the same on every retry: use it to ignore a repeat</dd>
        <dt>
          <code>WaGate-Event</code>
        </dt>
        <dd>the event type</dd>
      </dl>
      <p>
        Compute the HMAC over the raw bytes as received (not JSON parsed and written again) and compare it in constant
        time. The program should answer any 2xx within 10 seconds; anything else is retried.{' '}
        <a href="/docs">WaGate’s API documentation</a> has a complete example for Node.js, under “Webhooks”.
      </p>
    </details>
  );
}
