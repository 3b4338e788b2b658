import type { FixtureServerParams, ServerStats } from './server.ts';

/** The IPC contract between the https command and its server process. */
export type ToServer =
  | { readonly type: 'serve'; readonly params: FixtureServerParams }
  | { readonly type: 'stats' }
  | { readonly type: 'shutdown' };

export type FromServer =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'stats'; readonly stats: ServerStats }
  | { readonly type: 'fatal'; readonly message: string };
