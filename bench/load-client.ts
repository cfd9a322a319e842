import { load } from './load.ts';

/**
 * The load client in a process of its own, so that the server under test has the CPU the client would otherwise
 * take from it: `node bench/load-client.ts <url> <init as JSON> <total> [concurrency]` prints the LoadResult as JSON.
 */
const [url, init, total, concurrency] = process.argv.slice(2);
console.log(JSON.stringify(await load(url!, JSON.parse(init!), Number(total), concurrency ? Number(concurrency) : 16)));
