// Browser-only (RTCPeerConnection, getUserMedia): imported by the console, the touch UI and the phone page, never by Node code.
export { PeerSession, openLocalMedia, type PeerSessionOptions, type PeerState } from './peer-session.js';
export { iceTransportPolicyFor } from './transport-policy.js';
