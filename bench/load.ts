import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
}

export interface LoadRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** One request through `agent`, resolved with its status once its answer has been read. */
export function requestOnce(url: string, init: LoadRequest, agent: Agent): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Sends `total` requests over `concurrency` keep-alive connections and counts answers per second. */
export async function load(url: string, init: LoadRequest, total: number, concurrency = 16): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  const one = () => requestOnce(url, init, agent);
  const worker = async () => {
    while (sent < total) {
      sent++;
      await one();
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return { requests: total, seconds, perSecond: total / seconds };
}
