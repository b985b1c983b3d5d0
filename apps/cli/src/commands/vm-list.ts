import { vmList } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { table } from "../format.ts";

export async function run({ reporter, ctx }: CommandEnv): Promise<number> {
  const vms = await vmList(ctx.paths.vms);
  const human = vms.length
    ? table(
        ["name", "distro", "status", "pid", "ssh", "expires"],
        vms.map((vm) => [
          vm.name,
          vm.distro,
          vm.status,
          vm.running ? String(vm.pid) : "-",
          vm.running ? `127.0.0.1:${vm.sshPort}` : "-",
          vm.running ? vm.expiresAt : "-",
        ]),
      )
    : "no VMs (msf vm up <distro> starts one)";
  reporter.result({ vms }, human);
  return 0;
}
