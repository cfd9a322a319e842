import { createServer, type Server } from 'node:http';

export interface Received {
  /** Lower-case names, as node gives them. */
  headers: Record<string, string>;
  body: string;
  answered: number;
}

/** A real local webhook receiver on port 0 (or a given one) that answers what `answer` says, and records each request. */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  answer: (r: Omit<Received, 'answered'>) => number;
  close(): Promise<void>;
}

export async function startReceiver(port = 0, answer: Receiver['answer'] = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const receiver = { received, answer } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
      const request = { headers, body: Buffer.concat(chunks).toString('utf8') };
      const status = receiver.answer(request);
      received.push({ ...request, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as { port: number }).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}

/** A port nothing listens on (a receiver that is down), free for a receiver to take later. */
export async function freePort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}
