import { vmList } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { table } from "../format.ts";

export default command(z.object({}), async ({ reporter, ctx }) => {
  const vms = await vmList(ctx.paths.vms);
  const rows = vms.map((vm) => [
    vm.name,
    vm.distro,
    vm.status,
    vm.running ? String(vm.pid) : "-",
    vm.running ? `127.0.0.1:${vm.sshPort}` : "-",
    vm.running ? vm.expiresAt : "-",
  ]);
  reporter.result({ vms }, vms.length ? table(["name", "distro", "status", "pid", "ssh", "expires"], rows) : "no VMs (msf vm up <distro> starts one)");
  return EXIT_OK;
});
