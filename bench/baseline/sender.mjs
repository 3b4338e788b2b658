// The baseline sender: the least code that sends a file over TLS from Node.
// Plain JavaScript on purpose, with nothing of the suite in it. It stays up and
// serves every connection the same way, so it is as warm as the suite's workers.
// argv: fixture key cert suite tlsVersion chunkBytes
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';

const [file, key, cert, suite, version, chunkText] = process.argv.slice(2);
const data = readFileSync(file);
const chunk = Number(chunkText);
const proto = version === '1.2' ? 'TLSv1.2' : 'TLSv1.3';
const server = createServer({ key: readFileSync(key), cert: readFileSync(cert), ciphers: suite, minVersion: proto, maxVersion: proto }, async (socket) => {
  const negotiated = socket.getCipher().name;
  const firstByteAtMs = Number(process.hrtime.bigint()) / 1e6;
  for (let off = 0; off < data.length; off += chunk) {
    if (!socket.write(data.subarray(off, off + chunk))) await new Promise((r) => socket.once('drain', r));
  }
  socket.end();
  socket.on('close', () => process.stdout.write(`${JSON.stringify({ firstByteAtMs, suite: negotiated })}\n`));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
