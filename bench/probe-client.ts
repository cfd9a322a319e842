import { request } from 'node:http';

/**
 * `node bench/probe-client.ts <url> <every ms> <count>`: opens a new connection every <every ms> and times its first
 * request until the answer's end; prints the times in ms as JSON. In a process of its own, so that its clock does not
 * stop when the server's event loop does.
 */
const [url, every, count] = process.argv.slice(2) as [string, string, string];

function probe(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    });
    req.on('error', reject);
    req.end();
  });
}

const times: Promise<number>[] = [];
for (let i = 0; i < Number(count); i++) {
  times.push(probe());
  await new Promise((resolve) => setTimeout(resolve, Number(every)));
}
console.log(JSON.stringify(await Promise.all(times)));
