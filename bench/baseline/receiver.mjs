// The baseline receiver: for each line on stdin, connect, verify the
// certificate, count bytes (and, with `crc32c`, checksum them with the same
// library as the suite), stop at 'end', print one JSON line.
// argv: port ca suite tlsVersion count|crc32c
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { createInterface } from 'node:readline';
import { crc32c } from '@node-rs/crc32';

const [port, caPath, suite, version, check] = process.argv.slice(2);
const ca = readFileSync(caPath);
const proto = version === '1.2' ? 'TLSv1.2' : 'TLSv1.3';
for await (const _ of createInterface({ input: process.stdin })) {
  await new Promise((resolve) => {
    let bytes = 0;
    let crc = 0;
    const socket = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca, ciphers: suite, minVersion: proto, maxVersion: proto });
    socket.on(
      'data',
      check === 'crc32c'
        ? (d) => {
            bytes += d.length;
            crc = crc32c(d, crc);
          }
        : (d) => {
            bytes += d.length;
          },
    );
    socket.on('end', () => {
      const lastByteAtMs = Number(process.hrtime.bigint()) / 1e6;
      process.stdout.write(`${JSON.stringify({ bytes, crc, lastByteAtMs, suite: socket.getCipher().name })}\n`);
    });
    socket.on('close', resolve);
  });
}
