/** The overlay's texts in the UI's languages; `{name}` is the staff member's display name. */
const en = {
  incoming: 'Video call from support',
  who: '{name} from support would like to see and talk to you.',
  shares: 'Shared during the call:',
  microphone: 'Microphone',
  camera: 'Camera',
  notRecorded: 'Nothing is recorded. You can end the call at any time.',
  accept: 'Accept',
  decline: 'Decline',
  usePhone: 'Continue on my phone',
  noCamera: 'This device has no camera. To show the problem, scan the code with your phone.',
  scan: 'Scan with your phone camera. The code works once and only for this call.',
  newCode: 'New code',
  showWithPhone: 'Show the problem with my phone',
  scanMoves: 'Scan the code with your phone camera: the call continues on your phone, where you can show the problem.',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  ringing: 'Ringing',
  ended: 'Call ended',
  endedTimeout: 'The call request timed out',
  endedPhone: 'The call continues on your phone',
  live: 'Call running: microphone on',
  liveCamera: 'Call running: camera and microphone on',
  end: 'End call',
  failed: 'The call could not start: {reason}',
};
export type VideoStrings = typeof en;

const de: VideoStrings = {
  incoming: 'Videoanruf vom Support',
  who: '{name} vom Support möchte Sie sehen und mit Ihnen sprechen.',
  shares: 'Während des Anrufs geteilt:',
  microphone: 'Mikrofon',
  camera: 'Kamera',
  notRecorded: 'Es wird nichts aufgezeichnet. Sie können den Anruf jederzeit beenden.',
  accept: 'Annehmen',
  decline: 'Ablehnen',
  usePhone: 'Auf meinem Handy fortfahren',
  noCamera: 'Dieses Gerät hat keine Kamera. Um das Problem zu zeigen, scannen Sie den Code mit Ihrem Handy.',
  scan: 'Mit der Handykamera scannen. Der Code gilt einmal und nur für diesen Anruf.',
  newCode: 'Neuer Code',
  showWithPhone: 'Problem mit meinem Handy zeigen',
  scanMoves:
    'Scannen Sie den Code mit der Handykamera: Der Anruf geht auf Ihrem Handy weiter, dort können Sie das Problem zeigen.',
  connecting: 'Verbindung wird hergestellt …',
  connected: 'Verbunden',
  reconnecting: 'Verbindung wird wiederhergestellt…',
  ringing: 'Es klingelt',
  ended: 'Anruf beendet',
  endedTimeout: 'Die Anrufanfrage ist abgelaufen',
  endedPhone: 'Der Anruf läuft auf Ihrem Handy weiter',
  live: 'Anruf läuft: Mikrofon an',
  liveCamera: 'Anruf läuft: Kamera und Mikrofon an',
  end: 'Anruf beenden',
  failed: 'Der Anruf konnte nicht starten: {reason}',
};

export function videoStrings(locale: string): VideoStrings {
  return locale.startsWith('de') ? de : en;
}

export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (m, key: string) => values[key] ?? m);
}
