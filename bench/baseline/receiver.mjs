// The baseline receiver: for each line on stdin, connect, verify the
// certificate, read by the given read path, count bytes (and, with `crc32c`,
// checksum them inline with the same CRC32C as the suite's receivers: its
// addon when given, else @node-rs/crc32), stop at 'end', print one JSON line.
// It stays up for the whole benchmark.
// argv: ca [crc32c addon]   stdin lines: `<port> <suite> <1.2|1.3> <data|onread:BYTES> <count|crc32c>`
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:tls';
import { createInterface } from 'node:readline';
import { crc32c as portable } from '@node-rs/crc32';

const ca = readFileSync(process.argv[2]);
const crc32c = process.argv[3] ? createRequire(import.meta.url)(process.argv[3]).crc32c : portable;
const buffers = new Map();
for await (const line of createInterface({ input: process.stdin })) {
  const [port, suite, version, readPath, check] = line.split(' ');
  const proto = version === '1.2' ? 'TLSv1.2' : 'TLSv1.3';
  await new Promise((resolve) => {
    let bytes = 0;
    let crc = 0;
    const options = {
      host: '127.0.0.1',
      port: Number(port),
      servername: 'localhost',
      ca,
      ciphers: suite,
      minVersion: proto,
      maxVersion: proto,
    };
    if (readPath.startsWith('onread:')) {
      const size = Number(readPath.slice('onread:'.length));
      if (!buffers.has(size)) buffers.set(size, Buffer.allocUnsafe(size));
      const buffer = buffers.get(size);
      options.onread = {
        buffer,
        callback:
          check === 'crc32c'
            ? (n) => {
                bytes += n;
                crc = crc32c(buffer.subarray(0, n), crc);
              }
            : (n) => {
                bytes += n;
              },
      };
    }
    const socket = connect(options);
    if (!options.onread) {
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
    }
    socket.on('end', () => {
      const lastByteAtMs = Number(process.hrtime.bigint()) / 1e6;
      process.stdout.write(`${JSON.stringify({ bytes, crc, lastByteAtMs, suite: socket.getCipher().name })}\n`);
    });
    socket.on('close', resolve);
  });
}
