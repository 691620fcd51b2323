/**
 * Browsers send Origin on WebSocket upgrades and cross-origin requests: it must be the public
 * origin (or, with none configured, this request's own host). No Origin means a non-browser
 * client, judged by its token alone.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  publicOrigin: string | null,
): boolean {
  if (!origin) return true;
  if (publicOrigin) return origin === publicOrigin;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
