import { createServer } from 'node:net';
import { usageError } from '../errors.ts';

/**
 * Fails now if the servers of a run could not listen on `host`: an address
 * this host does not have (EADDRNOTAVAIL) would otherwise make every transfer
 * a crashed worker, with the reason shown nowhere.
 */
export async function assertLocalAddress(host: string, flag: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        usageError(
          `${flag} "${host}" cannot be bound (${err.code ?? err.message}): expected an address of this host ` +
            `(127.0.0.1, ::1, or one \`ip addr\` lists)`,
        ),
      );
    });
    srv.listen(0, host, () => srv.close(() => resolve()));
  });
}
