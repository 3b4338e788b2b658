import type { Server } from 'node:https';
import type { FromServer, ToServer } from './server-messages.ts';
import { createFixtureServer, listen, type ServerStats } from './server.ts';

/**
 * The HTTPS fixture server as a process of its own, so that autocannon and the
 * server do not share one event loop (and, on 2 cores, one core). Driven over
 * IPC; it exits when told to or when its parent goes away.
 */
function send(msg: FromServer): void {
  if (process.connected) process.send?.(msg);
}

let server: Server | null = null;
let stats: (() => ServerStats) | null = null;

function exit(): void {
  server?.closeAllConnections();
  server?.close();
  process.exit(0);
}

process.on('disconnect', exit);
process.on('message', (msg: ToServer) => {
  switch (msg.type) {
    case 'serve': {
      try {
        const made = createFixtureServer(msg.params);
        server = made.server;
        stats = made.stats;
        listen(made.server, msg.params.host).then(
          (port) => send({ type: 'listening', port }),
          (err: unknown) => send({ type: 'fatal', message: String(err) }),
        );
      } catch (err) {
        send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
      }
      break;
    }
    case 'stats':
      if (stats) send({ type: 'stats', stats: stats() });
      else send({ type: 'fatal', message: 'stats asked before serve' });
      break;
    case 'shutdown':
      exit();
      break;
  }
});
