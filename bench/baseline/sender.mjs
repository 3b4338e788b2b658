// The baseline sender: the least code that sends a file over TLS from Node.
// Plain JavaScript on purpose, with nothing of the suite in it. It stays up
// for the whole benchmark (as warm as the suite's workers) and serves every
// connection the same way: one TLS server per suite, the write size of the
// next connection set by a line on stdin.
// argv: key cert fixture...   stdin lines: `chunk <fixture index> <bytes>` | `listen <suite> <1.2|1.3>`
// stdout lines: `port <n>` after listen, one JSON line per connection served.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';
import { createInterface } from 'node:readline';

const [keyPath, certPath, ...files] = process.argv.slice(2);
const key = readFileSync(keyPath);
const cert = readFileSync(certPath);
const fixtures = files.map((f) => readFileSync(f));
let data = fixtures[0];
let chunk = 65536;

function serve(socket) {
  const negotiated = socket.getCipher().name;
  const firstByteAtMs = Number(process.hrtime.bigint()) / 1e6;
  const bytes = data;
  const size = chunk;
  let off = 0;
  const pump = () => {
    while (off < bytes.length) {
      const ok = socket.write(bytes.subarray(off, off + size));
      off += size;
      if (!ok) return void socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
  socket.on('close', () => process.stdout.write(`${JSON.stringify({ firstByteAtMs, suite: negotiated })}\n`));
}

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, a, b] = line.split(' ');
  if (cmd === 'chunk') {
    data = fixtures[Number(a)];
    chunk = Number(b);
    process.stdout.write('ok\n');
  } else if (cmd === 'listen') {
    const proto = b === '1.2' ? 'TLSv1.2' : 'TLSv1.3';
    const server = createServer({ key, cert, ciphers: a, minVersion: proto, maxVersion: proto }, serve);
    server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`));
  }
}
process.exit(0);
