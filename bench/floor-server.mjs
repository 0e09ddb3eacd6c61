// Floor servers for the benchmark: the least any license API could cost on this machine.
//   node bench/floor-server.mjs plain   floor U: bare node:http, fixed JSON answer
//   node bench/floor-server.mjs sign    floor S: the same, plus an Ed25519 signature of the body
// Listens on 127.0.0.1, on BENCH_FLOOR_PORT or an ephemeral port, and prints
// `{"port":N}` on stdout once it accepts connections.
import http from 'node:http';
import { generateKeyPairSync, sign } from 'node:crypto';

const mode = process.argv[2];
if (mode !== 'plain' && mode !== 'sign') {
  console.error('usage: node bench/floor-server.mjs plain|sign');
  process.exit(2);
}

// About the size of a real validate answer (~200 bytes).
const body = Buffer.from(JSON.stringify({
  valid: true,
  code: 'VALID',
  detail: 'The license is valid.',
  license: {
    id: 'lic_0123456789abcdef', product: 'bench', status: 'active', expiresAt: null,
    lock: 'none', maxActivations: null, activations: 0, tokens: null,
  },
  meta: { ts: '2025-01-01T00:00:00.000Z' },
}));

const { privateKey } = generateKeyPairSync('ed25519');

const server = http.createServer((req, res) => {
  // Read the whole request body, as a real server must before answering.
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const headers = { 'content-type': 'application/json', 'content-length': body.length };
    if (mode === 'sign') {
      // Signed on every request, never cached: that is the cost being measured.
      headers['batchkeys-signature'] = `ed25519=${sign(null, body, privateKey).toString('base64')}`;
    }
    res.writeHead(200, headers);
    res.end(body);
  });
});

server.listen(Number(process.env.BENCH_FLOOR_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

process.on('SIGTERM', () => process.exit(0));
