import {
  ErrorCode,
  TouchpointError,
  contentMeResponse,
  contentModelResponse,
  contentModelsResponse,
  contentRolesRequest,
  contentRolesResponse,
  contentVersionResponse,
  createDraftRequest,
  createProposalRequest,
  proposalView,
  proposalsResponse,
  reviewRequest,
  saveDraftRequest,
  type ContentVersionInfoView,
} from '@touchpoint/protocol';
import type { LoadedModel } from '@touchpoint/models';
import {
  contentFromModel,
  type ContentRole,
  type ContentVersion,
  type ContentVersionInfo,
} from '../../content/index.js';
import type { ApiDeps } from '../context.js';
import type { Authed } from '../authed.js';
import { route, type Route } from '../router.js';

/**
 * The flow studio's API (issue 18, docs/help-lifecycle.md): models and their content versions, editing a
 * draft, proposing it, the four-eyes review, and proposals with evidence. Reading needs a staff session;
 * changing content needs the `editor` content role, deciding on it the `reviewer` role (content-roles.ts),
 * each on top of the account role `agent`. The content module audits every change itself.
 */

/** A version's body may be as large as a help content document (8 MiB) plus the JSON around it. */
const CONTENT_BODY_LIMIT = 9 * 1024 * 1024;

function loadedModel(deps: ApiDeps, model: string): LoadedModel {
  const found = deps.models().models.find((m) => m.profile?.model === model);
  if (!found?.profile)
    throw new TouchpointError(ErrorCode.NOT_FOUND, `model ${model} is not in the broker's models dirs`);
  return found;
}

function view(deps: ApiDeps, v: ContentVersionInfo): ContentVersionInfoView {
  const name = (id: string | null) => (id === null ? null : (deps.fleet.staff.get(id)?.displayName ?? id));
  return { ...v, authorName: name(v.author) ?? v.author, reviewerName: name(v.reviewer) };
}

function withProblems(deps: ApiDeps, v: ContentVersion) {
  return { version: { ...view(deps, v), body: v.body }, problems: deps.fleet.content.check(v.model, v.body) };
}

async function version(deps: ApiDeps, id: string): Promise<ContentVersion> {
  const v = await deps.fleet.content.get(id);
  if (!v) throw new TouchpointError(ErrorCode.NOT_FOUND, `content version ${id} does not exist`);
  return v;
}

const actor = (auth: Authed) => ({ id: auth.staff.id, role: auth.staff.role });

/** Refuses, audited, a member without the content role the route needs. */
async function requireRole(deps: ApiDeps, auth: Authed, role: ContentRole, action: string, target?: string) {
  try {
    await deps.fleet.contentRoles.require(auth.staff, role);
  } catch (err) {
    await deps.fleet.audit.record({
      actor: auth.staff.id,
      actorRole: auth.staff.role,
      action,
      target,
      outcome: 'refused',
      detail: { code: ErrorCode.FORBIDDEN_ROLE, needs: role },
    });
    throw err;
  }
}

export const contentRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/content/me',
    role: 'viewer',
    action: 'content.me',
    response: contentMeResponse,
    handle: async ({ auth }, deps) => ({ roles: await deps.fleet.contentRoles.of(auth.staff.id) }),
  }),
  route({
    method: 'GET',
    path: '/api/content/models',
    role: 'viewer',
    action: 'content.models',
    response: contentModelsResponse,
    handle: async (_input, deps) => {
      const items = [];
      for (const m of deps.models().models) {
        if (!m.profile) continue;
        const baseline = await deps.fleet.content.baseline(m.profile.model);
        items.push({ model: m.profile.model, flows: m.flows.length, baseline: baseline?.number ?? null });
      }
      return { items };
    },
  }),
  route({
    method: 'GET',
    path: '/api/content/models/:model',
    role: 'viewer',
    action: 'content.model',
    response: contentModelResponse,
    handle: async ({ params }, deps) => {
      const model = loadedModel(deps, params.model!);
      const name = model.profile!.model;
      // The first open starts the model's history with what its devices run today (the models dir).
      if ((await deps.fleet.content.list(name)).length === 0)
        await deps.fleet.content.importBaseline(name, contentFromModel(model), { id: 'models-dir' });
      const versions = await deps.fleet.content.list(name);
      return { model: name, profile: model.profile!, versions: versions.map((v) => view(deps, v)) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/content/versions/:id',
    role: 'viewer',
    action: 'content.version',
    response: contentVersionResponse,
    handle: async ({ params }, deps) => withProblems(deps, await version(deps, params.id!)),
  }),
  route({
    method: 'POST',
    path: '/api/content/models/:model/drafts',
    role: 'agent',
    action: 'content.draft',
    body: createDraftRequest,
    bodyLimit: CONTENT_BODY_LIMIT,
    response: contentVersionResponse,
    status: 201,
    handle: async ({ params, body, auth }, deps) => {
      await requireRole(deps, auth, 'editor', 'content.draft', params.model);
      const draft = await deps.fleet.content.createDraft({
        model: params.model!,
        parentId: body.parentId,
        body: body.body,
        summary: body.summary,
        author: actor(auth),
      });
      return withProblems(deps, draft);
    },
  }),
  route({
    method: 'POST',
    path: '/api/content/versions/:id/save',
    role: 'agent',
    action: 'content.edit',
    body: saveDraftRequest,
    bodyLimit: CONTENT_BODY_LIMIT,
    response: contentVersionResponse,
    handle: async ({ params, body, auth }, deps) => {
      await requireRole(deps, auth, 'editor', 'content.edit', params.id);
      return withProblems(deps, await deps.fleet.content.updateDraft(params.id!, body, actor(auth)));
    },
  }),
  route({
    method: 'POST',
    path: '/api/content/versions/:id/propose',
    role: 'agent',
    action: 'content.propose',
    response: contentVersionResponse,
    handle: async ({ params, auth }, deps) => {
      await requireRole(deps, auth, 'editor', 'content.propose', params.id);
      return withProblems(deps, await deps.fleet.content.propose(params.id!, actor(auth)));
    },
  }),
  route({
    method: 'POST',
    path: '/api/content/versions/:id/approve',
    role: 'agent',
    action: 'content.approve',
    body: reviewRequest,
    response: contentVersionResponse,
    handle: async ({ params, body, auth }, deps) => {
      await requireRole(deps, auth, 'reviewer', 'content.approve', params.id);
      return withProblems(deps, await deps.fleet.content.approve(params.id!, actor(auth), body.note));
    },
  }),
  route({
    method: 'POST',
    path: '/api/content/versions/:id/reject',
    role: 'agent',
    action: 'content.reject',
    body: reviewRequest,
    response: contentVersionResponse,
    handle: async ({ params, body, auth }, deps) => {
      await requireRole(deps, auth, 'reviewer', 'content.reject', params.id);
      if (!body.note)
        throw new TouchpointError(ErrorCode.SCHEMA_INVALID, 'a rejection needs a note: the author reads why');
      return withProblems(deps, await deps.fleet.content.reject(params.id!, actor(auth), body.note));
    },
  }),
  route({
    method: 'GET',
    path: '/api/content/models/:model/proposals',
    role: 'viewer',
    action: 'content.proposals',
    response: proposalsResponse,
    handle: async ({ params }, deps) => ({ items: await deps.fleet.proposals.list(params.model!) }),
  }),
  route({
    method: 'POST',
    path: '/api/content/proposals',
    role: 'agent',
    action: 'content.proposal',
    body: createProposalRequest,
    response: proposalView,
    status: 201,
    handle: async ({ body, auth }, deps) => {
      loadedModel(deps, body.model);
      if (body.caseId && !deps.fleet.cases.get(body.caseId))
        throw new TouchpointError(ErrorCode.NOT_FOUND, `case ${body.caseId} does not exist`);
      if (body.versionId && (await deps.fleet.content.get(body.versionId))?.model !== body.model)
        throw new TouchpointError(ErrorCode.NOT_FOUND, `version ${body.versionId} of ${body.model} does not exist`);
      const stored = await deps.fleet.proposals.add({ ...body, author: auth.staff.id }, auth.staff.role);
      return stored!;
    },
  }),
  route({
    method: 'POST',
    path: '/api/staff/:id/content-roles',
    role: 'admin',
    action: 'staff.content-roles',
    body: contentRolesRequest,
    response: contentRolesResponse,
    handle: async ({ params, body, auth }, deps) => {
      if (!deps.fleet.staff.get(params.id!))
        throw new TouchpointError(ErrorCode.NOT_FOUND, `staff member ${params.id!} does not exist`);
      return { roles: await deps.fleet.contentRoles.set(params.id!, body.roles, auth.staff) };
    },
  }),
];
