import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

/** Pure: is this listen host reachable from this machine only? */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** Pure: the bearer token of a request (Authorization header, else the dashboard's cookie). */
export function presentedToken(headers: { authorization?: string; cookie?: string }): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
  if (bearer) return bearer;
  const cookie = /(?:^|;\s*)msf_token=([^;\s]+)/.exec(headers.cookie ?? "")?.[1];
  try {
    return cookie === undefined ? undefined : decodeURIComponent(cookie);
  } catch {
    return undefined;
  }
}

/** Constant-time comparison, so the answer's timing says nothing about the token. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const [a, b] = [Buffer.from(expected), Buffer.from(presented)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Pure: whether a request needs the token. Off loopback every call does; on loopback reads are open
 * and a mutating call needs it when a token is configured.
 */
export function needsToken(options: { loopback: boolean; hasToken: boolean; method: string }): boolean {
  if (!options.loopback) return true;
  return options.hasToken && !["GET", "HEAD", "OPTIONS"].includes(options.method);
}
