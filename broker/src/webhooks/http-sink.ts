import { WEBHOOK_HEADERS } from '@touchpoint/protocol';
import type { DeliverySink, SinkOutcome } from './sink.js';
import { describeFailure } from './sink.js';
import { signWebhook } from './signature.js';

/** Sent as User-Agent, so a receiver's logs name the sender. */
const USER_AGENT = 'Touchpoint-Webhooks/1';

/**
 * A webhook delivery: the stored body, POSTed with its signature (docs/integrations.md#verifying-a-delivery).
 * Only a 2xx answer delivers. Redirects are not followed: a receiver that moved is reconfigured by an admin,
 * not chased to wherever a 3xx points. The answer's body is not read beyond its status.
 */
export const httpSink: DeliverySink = {
  async deliver(endpoint, delivery, signal): Promise<SinkOutcome> {
    const event = (JSON.parse(delivery.body) as { type: string }).type;
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        redirect: 'manual',
        signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [WEBHOOK_HEADERS.id]: delivery.eventId,
          [WEBHOOK_HEADERS.event]: event,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(endpoint.secret, timestamp, delivery.body),
        },
        body: delivery.body,
      });
      await res.body?.cancel();
      const delivered = res.status >= 200 && res.status < 300;
      return { delivered, statusCode: res.status, error: delivered ? null : `HTTP ${res.status}` };
    } catch (err) {
      return { delivered: false, statusCode: null, error: describeFailure(err) };
    }
  },
};
