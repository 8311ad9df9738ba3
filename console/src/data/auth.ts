import { okResponse, sessionView, type SessionView } from '@touchpoint/protocol';
import { api, setCsrfToken } from './api.js';

export async function login(name: string, password: string): Promise<SessionView> {
  const session = await api('POST', '/api/login', sessionView, { body: { name, password } });
  setCsrfToken(session.csrfToken);
  return session;
}

/** The current session, from the HttpOnly cookie the page cannot read itself. */
export async function fetchMe(): Promise<SessionView> {
  const session = await api('GET', '/api/me', sessionView);
  setCsrfToken(session.csrfToken);
  return session;
}

export async function logout(): Promise<void> {
  await api('POST', '/api/logout', okResponse);
  setCsrfToken(undefined);
}

/** Replaces the member's password; every other session of theirs ends, and this page continues in a new one. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<SessionView> {
  const session = await api('POST', '/api/me/password', sessionView, { body: { currentPassword, newPassword } });
  setCsrfToken(session.csrfToken);
  return session;
}
