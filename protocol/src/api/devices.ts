import { z } from 'zod';
import { safeId } from '../ids.js';
import { diagnosticsMessage, linkState } from '../messages/diagnostics.js';
import { helpTraceEntry } from '../messages/events.js';
import { actionSpec, errorSpec, sensorSpec } from '../profile.js';
import { localizedText, sensorValue } from '../messages/base.js';
import { cursorPageOf, optionalQueryInt, pageOf, pageQuery, queryBool } from './common.js';

/** ok: no errors and the MCU link is up; warning/critical: the worst active error (or a link that is down). */
export const deviceHealth = z.enum(['ok', 'info', 'warning', 'critical', 'unknown']);
export type DeviceHealth = z.infer<typeof deviceHealth>;

/** GET /api/devices */
export const deviceListQuery = z.object({
  search: z.string().max(64).optional(),
  model: z.string().max(48).optional(),
  errorCode: z.string().max(16).optional(),
  tag: z.string().max(64).optional(),
  online: queryBool.optional(),
  ...pageQuery,
});
export type DeviceListQuery = z.input<typeof deviceListQuery>;

export const deviceSummary = z.object({
  id: safeId,
  model: z.string(),
  tags: z.array(z.string()),
  online: z.boolean(),
  lastSeen: z.number().int().nullable(),
  agentVersion: z.string().nullable(),
  firmwareVersion: z.string().nullable(),
  profileVersion: z.string().nullable(),
  errors: z.array(z.string()),
  link: linkState.nullable(),
  lastDiagnosticsAt: z.number().int().nullable(),
  health: deviceHealth,
  /** Open or claimed cases. */
  openCases: z.number().int().nonnegative(),
});
export type DeviceSummary = z.infer<typeof deviceSummary>;

export const deviceListResponse = pageOf(deviceSummary);
export type DeviceListResponse = z.infer<typeof deviceListResponse>;

/** What the console needs of a model's profile: sensors for charts, errors for labels, remote actions for the fix form. */
export const profileView = z.object({
  model: z.string(),
  version: z.string(),
  name: localizedText,
  capabilities: z.object({ camera: z.boolean(), microphone: z.boolean() }),
  sensors: z.array(sensorSpec),
  errors: z.array(errorSpec),
  /** Only the actions staff may push remotely. */
  actions: z.array(actionSpec),
});
export type ProfileView = z.infer<typeof profileView>;

/** GET /api/profiles */
export const profileListResponse = z.object({ items: z.array(profileView) });

/** GET /api/devices/:id */
export const deviceDetail = z.object({
  device: deviceSummary,
  createdAt: z.number().int(),
  latestDiagnostics: diagnosticsMessage.nullable(),
  profile: profileView.nullable(),
});
export type DeviceDetail = z.infer<typeof deviceDetail>;

/** GET /api/devices/:id/diagnostics: oldest first, for charts. */
export const diagnosticsHistoryQuery = z.object({
  from: optionalQueryInt(0, Number.MAX_SAFE_INTEGER),
  to: optionalQueryInt(0, Number.MAX_SAFE_INTEGER),
  limit: optionalQueryInt(1, 2000).default(300),
});
export const diagnosticsPoint = z.object({
  id: z.string(),
  ts: z.number().int(),
  reason: diagnosticsMessage.shape.reason,
  sensors: z.record(z.string(), sensorValue),
  errors: z.array(z.string()),
  agent: diagnosticsMessage.shape.agent,
});
export type DiagnosticsPoint = z.infer<typeof diagnosticsPoint>;
export const diagnosticsHistoryResponse = z.object({ items: z.array(diagnosticsPoint) });

/** GET /api/devices/:id/timeline: newest first, keyset-paged. */
export const timelineQuery = z.object({
  before: z.string().max(200).optional(),
  limit: optionalQueryInt(1, 200).default(50),
});
export const timelineKind = z.enum(['presence', 'help', 'case', 'command', 'diagnostics', 'error', 'link']);
export type TimelineKind = z.infer<typeof timelineKind>;
export const timelineItem = z.object({
  /** Unique and stable: `${kind}:${ref}`. */
  key: z.string(),
  at: z.number().int(),
  kind: timelineKind,
  title: z.string(),
  detail: z.string().nullable(),
  /** The id of the session, case, command or message. */
  ref: z.string().nullable(),
});
export type TimelineItem = z.infer<typeof timelineItem>;
export const timelineResponse = cursorPageOf(timelineItem);
export type TimelineResponse = z.infer<typeof timelineResponse>;

export const helpSessionView = z.object({
  id: z.string(),
  deviceId: safeId,
  flowId: z.string(),
  startedAt: z.number().int(),
  updatedAt: z.number().int(),
  currentStep: z.string().nullable(),
  outcome: z.enum(['resolved', 'escalated', 'abandoned']).nullable(),
  /** The customer's rating, 1 = very difficult … 7 = very easy (higher is better); null until rated. */
  ces: z.number().int().nullable(),
  helped: z.boolean().nullable(),
  msTotal: z.number().int().nullable(),
});
export type HelpSessionView = z.infer<typeof helpSessionView>;

/** GET /api/devices/:id/session[?sessionId=]: the current (or last) help session and its trace. */
export const helpSessionQuery = z.object({ sessionId: safeId.optional() });
export const helpSessionResponse = z.object({
  session: helpSessionView.nullable(),
  trace: z.array(helpTraceEntry),
  recent: z.array(helpSessionView),
});
export type HelpSessionResponse = z.infer<typeof helpSessionResponse>;

/** POST /api/devices (admin): the token is shown once. */
export const provisionRequest = z.object({
  deviceId: safeId,
  model: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, 'must be kebab-case, such as coffee-machine'),
  tags: z.array(z.string().min(1).max(64)).max(32).default([]),
});
export type ProvisionRequest = z.input<typeof provisionRequest>;
export const provisionResponse = z.object({ deviceId: safeId, token: z.string() });
