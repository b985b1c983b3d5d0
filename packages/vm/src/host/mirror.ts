import type { DoctorCheck } from "./check.ts";

/** Can the Debian archive be reached (mmdebstrap needs it to build images)? */
export async function checkMirror(mirror: string, timeoutMs = 5_000): Promise<DoctorCheck> {
  const url = `${mirror.replace(/\/$/, "")}/dists/stable/Release`;
  try {
    const response = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) return { id: "mirror", status: "ok", detail: `${mirror} answers` };
    return { id: "mirror", status: "warn", detail: `${url}: HTTP ${response.status}`, hint: "image builds need the Debian archive; cached images still work" };
  } catch (error) {
    return {
      id: "mirror",
      status: "warn",
      detail: `${mirror} unreachable: ${(error as Error).message}`,
      hint: "image builds need the Debian archive; cached images still work",
    };
  }
}
