import { setTimeout as sleep } from "node:timers/promises";
import { MsfError } from "@msf/core";
import { connectSsh, type ShellScript, type SshSession, type SshTarget, sh } from "@msf/ssh";

/**
 * Run in a restored VM, over the snapshot's key, before anything else: timers stopped (the clock is
 * about to jump and a missed daily job would start in the middle of the checks), the clock set to
 * the host's, this VM's own authorized key and host key (stdin) in place of the snapshot's,
 * sshd reloaded (new connections get the new key). The deploy step rotates the rest (the mail
 * secrets: rotateMailSecrets).
 */
export function rotateScript(epochSeconds: number, authorizedKey: string): ShellScript {
  const key = "/etc/ssh/ssh_host_ed25519_key";
  return sh`set -e
systemctl stop --quiet '*.timer'
date -u -s @${String(epochSeconds)} >/dev/null
install -d -m 700 /root/.ssh
printf '%s\\n' ${authorizedKey} > /root/.ssh/authorized_keys.new && chmod 600 /root/.ssh/authorized_keys.new
(umask 077; cat > ${`${key}.new`})
ssh-keygen -y -f ${`${key}.new`} > ${`${key}.pub.new`}
mv -f ${`${key}.new`} ${key} && mv -f ${`${key}.pub.new`} ${`${key}.pub`}
mv -f /root/.ssh/authorized_keys.new /root/.ssh/authorized_keys
systemctl reload ssh 2>/dev/null || systemctl reload sshd`;
}

/** Gives the restored VM its own SSH keys and the host's time, over the session the snapshot's key opened. */
export async function rotateCredentials(session: SshSession, input: { authorizedKey: string; hostPrivateKey: string; signal?: AbortSignal }): Promise<void> {
  const result = await session.exec(rotateScript(Math.round(Date.now() / 1000), input.authorizedKey), {
    input: input.hostPrivateKey,
    timeoutMs: 60_000,
    signal: input.signal,
  });
  if (result.exitCode !== 0) {
    throw new MsfError("ERR_MSF_VM_BOOT", `the restored VM did not take its own keys (exit ${result.exitCode}): ${result.stderr.trim().slice(-500)}`, {
      hint: "msf images gc removes the snapshot with its image; msf run --no-snapshot boots and deploys instead",
    });
  }
}

/** Connects as soon as the restored guest's sshd answers through the new forward (it is up already: no boot to wait for). */
export async function connectWhenUp(target: SshTarget, options: { timeoutMs: number; signal?: AbortSignal }): Promise<SshSession> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      return await connectSsh(target, { timeoutMs: Math.min(15_000, Math.max(1_000, deadline - Date.now())), signal: options.signal });
    } catch (error) {
      if (Date.now() >= deadline || options.signal?.aborted) throw error;
      await sleep(250);
    }
  }
}
