// The console side of the video browser test: the real call panel and the real API client, on the broker's origin.
import { setCsrfToken, TpVideoCall } from '@touchpoint/console/video';

const params = new URLSearchParams(location.search);
setCsrfToken(params.get('csrf') ?? undefined);
const panel = new TpVideoCall();
panel.deviceId = params.get('device') ?? '';
document.body.append(panel);
