import { z } from 'zod';

/**
 * The part of Zammad's REST API and trigger webhook the Touchpoint connector uses (issue 17), with the shapes of
 * Zammad's own documentation: https://docs.zammad.org/en/latest/api/ticket/index.html (tickets),
 * .../api/ticket/articles.html (articles), and the admin guide's "Webhook Payload"
 * (https://admin-docs.zammad.org/en/latest/manage/webhook/payload.html). Answers carry many more fields;
 * only those read are declared, and zod lets the rest through untouched.
 */

/** POST /api/v1/tickets: a ticket with its first article. `customer` may be `guess:<email>` (created on demand). */
export const zammadTicketCreate = z.object({
  title: z.string().min(1),
  group: z.string().min(1),
  customer: z.string().min(1),
  article: z.object({
    subject: z.string(),
    body: z.string(),
    content_type: z.enum(['text/plain', 'text/html']),
    type: z.literal('note'),
    internal: z.boolean(),
  }),
});
export type ZammadTicketCreate = z.infer<typeof zammadTicketCreate>;

/** PUT /api/v1/tickets/{id}: the connector only moves the state, by name (`open`, `closed`). */
export const zammadTicketUpdate = z.object({ state: z.string().min(1) });

/** POST /api/v1/ticket_articles */
export const zammadArticleCreate = z.object({
  ticket_id: z.number().int(),
  subject: z.string().optional(),
  body: z.string().min(1),
  content_type: z.enum(['text/plain', 'text/html']),
  type: z.literal('note'),
  internal: z.boolean(),
});
export type ZammadArticleCreate = z.infer<typeof zammadArticleCreate>;

/** A ticket as the REST API answers (201 on create, 200 on update). */
export const zammadTicket = z.object({
  id: z.number().int(),
  number: z.string(),
  title: z.string(),
  state_id: z.number().int(),
  group_id: z.number().int(),
  customer_id: z.number().int(),
  article_ids: z.array(z.number().int()).optional(),
});
export type ZammadTicket = z.infer<typeof zammadTicket>;

/** An article as the REST API answers (201 on create). */
export const zammadArticle = z.object({
  id: z.number().int(),
  ticket_id: z.number().int(),
  body: z.string(),
  internal: z.boolean(),
});
export type ZammadArticle = z.infer<typeof zammadArticle>;

/**
 * The default payload of a trigger's webhook: the ticket with its state by name, and the article the trigger
 * fired for (absent when a trigger fired on a change without one, such as a state change). Headers:
 * `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>` with the webhook's signature token, `X-Zammad-Delivery`.
 */
export const zammadWebhookPayload = z.object({
  ticket: z.object({
    id: z.number().int(),
    number: z.string(),
    title: z.string().optional(),
    state: z.string(),
    /** Oldest first: the first is the article the ticket was opened with. */
    article_ids: z.array(z.number().int()).optional(),
  }),
  article: z
    .object({
      id: z.number().int(),
      ticket_id: z.number().int(),
      body: z.string(),
      content_type: z.string().optional(),
      internal: z.boolean(),
      sender: z.string(),
      from: z.string().nullable().optional(),
      created_by: z
        .object({ firstname: z.string().nullable().optional(), lastname: z.string().nullable().optional() })
        .optional(),
    })
    .nullable()
    .optional(),
});
export type ZammadWebhookPayload = z.infer<typeof zammadWebhookPayload>;
