/** Bumped on any incompatible change of events or payloads; checked at the handshake. */
export const PROTOCOL_VERSION = 3;
