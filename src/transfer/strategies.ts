/**
 * The names of the interchangeable parts of a transfer. Each name is a key of a
 * table in its own module (shutdown.ts for the sender, receiver-modes.ts for
 * the receiver); these lists are what config validation accepts.
 */
export const SHUTDOWN_STRATEGIES = ['end'] as const;
export type ShutdownStrategyName = (typeof SHUTDOWN_STRATEGIES)[number];

export const RECEIVER_MODES = ['until-eof'] as const;
export type ReceiverModeName = (typeof RECEIVER_MODES)[number];

export const PROTOCOLS = ['raw'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

export const SOURCES = ['file', 'memory'] as const;
export type SourceName = (typeof SOURCES)[number];
