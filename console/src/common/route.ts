/** The console's views, addressed by the URL hash (`#/devices/cm-1`), so reloads and links keep the place. */
export type Route =
  | { view: 'login' }
  | { view: 'fleet' }
  | { view: 'device'; deviceId: string }
  | { view: 'queue'; caseId?: string }
  | { view: 'cases' }
  | { view: 'audit' }
  | { view: 'kpis' }
  | { view: 'rollouts' }
  | { view: 'staff' }
  | { view: 'integrations' }
  | { view: 'webhooks' }
  /** The flow studio (issue 18): the models, or one model's versions with one of them open. */
  | { view: 'studio'; model?: string; versionId?: string };

export type View = Route['view'];

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return '';
      }
    });
  switch (parts[0] ?? '') {
    case 'login':
      return { view: 'login' };
    case 'devices':
      return parts[1] ? { view: 'device', deviceId: parts[1] } : { view: 'fleet' };
    case 'queue':
      return parts[1] ? { view: 'queue', caseId: parts[1] } : { view: 'queue' };
    case 'cases':
      return { view: 'cases' };
    case 'audit':
      return { view: 'audit' };
    case 'kpis':
      return { view: 'kpis' };
    case 'rollouts':
      return { view: 'rollouts' };
    case 'staff':
      return { view: 'staff' };
    case 'integrations':
      return { view: 'integrations' };
    case 'webhooks':
      return { view: 'webhooks' };
    case 'studio':
      return parts[1]
        ? { view: 'studio', model: parts[1], ...(parts[2] ? { versionId: parts[2] } : {}) }
        : { view: 'studio' };
    default:
      return { view: 'fleet' };
  }
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'login':
      return '#/login';
    case 'fleet':
      return '#/devices';
    case 'device':
      return `#/devices/${encodeURIComponent(route.deviceId)}`;
    case 'queue':
      return route.caseId ? `#/queue/${encodeURIComponent(route.caseId)}` : '#/queue';
    case 'cases':
      return '#/cases';
    case 'audit':
      return '#/audit';
    case 'kpis':
      return '#/kpis';
    case 'rollouts':
      return '#/rollouts';
    case 'staff':
      return '#/staff';
    case 'integrations':
      return '#/integrations';
    case 'webhooks':
      return '#/webhooks';
    case 'studio':
      return route.model
        ? `#/studio/${encodeURIComponent(route.model)}${route.versionId ? `/${encodeURIComponent(route.versionId)}` : ''}`
        : '#/studio';
  }
}
