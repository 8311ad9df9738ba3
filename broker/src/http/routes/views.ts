import type {
  CaseDetail,
  CaseSummary,
  CommandView,
  DeviceProfile,
  DeviceSummary,
  ProfileView,
} from '@touchpoint/protocol';
import { diagnosticsMessage } from '@touchpoint/protocol';
import type { CaseRecord } from '../../fleet/cases.js';
import type { CommandRecord } from '../../fleet/commands.js';
import type { DeviceRow } from '../../fleet/devices.js';
import { deviceHealthOf } from '../../fleet/health.js';
import type { ApiDeps } from '../context.js';

/** Mappers from fleet records to API views (the shapes in protocol/src/api). */
export function deviceSummary(row: DeviceRow, openCases: number, profile: DeviceProfile | undefined): DeviceSummary {
  const link = row.link === 'up' || row.link === 'down' || row.link === 'reopening' ? row.link : null;
  return {
    id: row.id,
    model: row.model,
    tags: row.tags,
    online: row.online,
    lastSeen: row.lastSeen,
    agentVersion: row.agentVersion,
    firmwareVersion: row.firmwareVersion,
    profileVersion: row.profileVersion,
    errors: row.errors,
    link,
    lastDiagnosticsAt: row.lastDiagnosticsAt,
    health: deviceHealthOf(row.errors, row.link, profile, row.lastDiagnosticsAt !== null),
    openCases,
  };
}

export function profileView(p: DeviceProfile): ProfileView {
  return {
    model: p.model,
    version: p.version,
    name: p.name,
    capabilities: p.capabilities,
    sensors: p.sensors,
    errors: p.errors,
    actions: p.actions.filter((a) => a.remote),
  };
}

export function commandView(c: CommandRecord, names: Map<string, string>): CommandView {
  return { ...c, issuedByName: names.get(c.issuedBy) ?? null };
}

const staffRef = (id: string | null, names: Map<string, string>) =>
  id ? { id, displayName: names.get(id) ?? id } : null;

export async function caseSummary(c: CaseRecord, deps: ApiDeps, names: Map<string, string>): Promise<CaseSummary> {
  return {
    id: c.id,
    deviceId: c.deviceId,
    model: (await deps.fleet.devices.modelOf(c.deviceId)) ?? null,
    openedAt: c.openedAt,
    receivedAt: c.receivedAt,
    reason: c.reason,
    flowId: c.flowId,
    status: c.status,
    assignee: staffRef(c.assignee, names),
    claimedAt: c.claimedAt,
    resolvedAt: c.resolvedAt,
  };
}

export async function caseDetail(c: CaseRecord, deps: ApiDeps, names: Map<string, string>): Promise<CaseDetail> {
  const diagnostics = diagnosticsMessage.safeParse(c.diagnostics);
  return {
    ...(await caseSummary(c, deps, names)),
    sessionId: c.sessionId,
    locale: c.locale,
    trace: c.trace,
    diagnostics: diagnostics.success ? diagnostics.data : null,
    notes: c.notes.map((n) => ({ staff: staffRef(n.staffId, names)!, at: n.at, text: n.text })),
  };
}
