import { MsfError } from "@msf/core";
import { overlayServices, readOverlay, tarArchive, UNPACK_OVER_ROOT } from "@msf/mailtest";
import type { MsfContext } from "@msf/supervisor";
import { connectVm } from "../connect.ts";
import { requireRunningVm } from "../exec.ts";

/**
 * Lays the user's overlay directory over the deployed configuration (one `tar -x` over SSH stdin)
 * and restarts the services whose files it touched. A service that then fails to start is an
 * error naming it: the overlay is broken on this release already.
 */
export async function applyOverlay(ctx: MsfContext, name: string, overlayDir: string): Promise<{ files: string[]; restarted: string[] }> {
  const files = await readOverlay(overlayDir);
  const session = await connectVm(await requireRunningVm(ctx, name), { signal: ctx.signal });
  try {
    const unpack = await session.exec(UNPACK_OVER_ROOT, {
      timeoutMs: 60_000,
      signal: ctx.signal,
      input: tarArchive(files),
    });
    if (unpack.exitCode !== 0)
      throw new MsfError("ERR_MSF_DEPLOY", `overlay ${overlayDir}: unpacking in the guest failed: ${unpack.stderr.trim().slice(0, 500)}`);
    const restarted = overlayServices(files);
    for (const service of restarted) {
      const restart = await session.exec(["systemctl", "restart", service], { timeoutMs: 120_000 * ctx.timeoutScale, signal: ctx.signal });
      if (restart.exitCode === 0) continue;
      const journal = await session.exec(["journalctl", "-u", service, "-n", "15", "--no-pager", "-o", "cat"], {
        timeoutMs: 30_000,
        maxOutputBytes: 64 * 1024,
      });
      throw new MsfError("ERR_MSF_DEPLOY", `overlay ${overlayDir}: ${service} does not start with it:\n${journal.stdout.trim()}`, {
        hint: "the overlay must work on the release before the upgrade; fix the file named above",
      });
    }
    return { files: files.map((f) => f.path), restarted };
  } finally {
    session.close();
  }
}
