// The cold start's baseline: a bare Node process with a node:http server answering /health with a tiny JSON, nothing
// else loaded. Plain JavaScript: a .ts entry point would load Node's type stripper (~100 ms) that `wagate serve` skips
// through its compile cache. It says where it listens as `wagate serve` does (`API: <url>`), so that the same
// timing reads both.
// node:http taken as `wagate serve` takes it (server/http/node-http.ts): an ESM import would load Node's undici too.
const { createServer } = process.getBuiltinModule('node:http');

const HEALTH = JSON.stringify({ status: true, code: 200, message: 'up', data: {} });

const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(HEALTH);
});
server.listen(0, '127.0.0.1', () => console.log(`API: http://127.0.0.1:${server.address().port}`));
