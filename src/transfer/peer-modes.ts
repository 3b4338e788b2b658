import { usageError } from '../errors.ts';
import { RECEIVER_PEER_MODES, type ReceiverModeName, type ReceiverPeerName } from './strategies.ts';

/** An external receiver cannot play every mode (s_client cannot read a size line). */
export function checkPeerMode(peer: ReceiverPeerName, mode: ReceiverModeName): void {
  if (!RECEIVER_PEER_MODES[peer].includes(mode)) {
    throw usageError(
      `--receiver-peer "${peer}" cannot play --receiver ${mode}: it supports ${RECEIVER_PEER_MODES[peer].join(', ')}`,
    );
  }
}
