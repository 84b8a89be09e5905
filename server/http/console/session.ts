import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { SecretBox } from '../../secrets.ts';

/**
 * The console session lives in one cookie, sealed (AES-256-GCM) with the server's SECRET_KEY:
 * no session table, any instance sharing the key can read it, and it cannot be forged or read by
 * the browser. It names the API token the person signed in with (never the token itself) and
 * carries the CSRF token every form echoes back. Before sign-in it holds only a CSRF token, so
 * the sign-in form is protected too.
 */
export const sessionCookie = 'trueup_session';

/** A signed-in session lasts a working day; signing in again starts a new one. */
const sessionMs = 12 * 60 * 60 * 1000;

export type Session = { csrf: string; tokenId: string | null; expiresAt: number };

export function readSession(c: Context, box: SecretBox): Session | null {
  const sealed = getCookie(c, sessionCookie);
  if (!sealed) return null;
  try {
    const value = box.open(sealed);
    const expiresAt = Number(value.expiresAt);
    if (!value.csrf || !(expiresAt > Date.now())) return null;
    return { csrf: value.csrf, tokenId: value.tokenId || null, expiresAt };
  } catch {
    return null;
  }
}

export function writeSession(c: Context, box: SecretBox, tokenId: string | null): Session {
  const session: Session = {
    csrf: randomBytes(24).toString('base64url'),
    tokenId,
    expiresAt: Date.now() + sessionMs,
  };
  const sealed = box.seal({
    csrf: session.csrf,
    tokenId: tokenId ?? '',
    expiresAt: String(session.expiresAt),
  });
  setCookie(c, sessionCookie, sealed, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: sessionMs / 1000,
  });
  return session;
}

export function clearSession(c: Context) {
  deleteCookie(c, sessionCookie, { path: '/' });
}

/** Constant-time comparison of the form's CSRF token with the session's. */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
