/** The kinds of installer config files msf renders and validates. */
export type ConfigFileKind = "preseed" | "cloud-config" | "meta-data" | "kickstart" | "autoyast";

/** Pure: a file's kind from its name, or undefined for files that are not installer configs. */
export function configFileKind(fileName: string): ConfigFileKind | undefined {
  const name = fileName.split("/").pop() ?? fileName;
  if (name === "preseed.cfg" || name.endsWith(".preseed")) return "preseed";
  if (name === "user-data") return "cloud-config";
  if (name === "meta-data") return "meta-data";
  if (name === "ks.cfg" || name.endsWith(".ks")) return "kickstart";
  if (name.endsWith(".xml")) return "autoyast";
  return undefined;
}

/** Pure: what is wrong with a config's structure (empty when nothing): the answers msf relies on. */
export function structuralProblems(kind: ConfigFileKind, text: string): string[] {
  switch (kind) {
    case "preseed":
      return preseedProblems(text);
    case "cloud-config":
      return cloudConfigProblems(text);
    case "meta-data":
      return /^instance-id: \S+/m.test(text) ? [] : ["meta-data has no instance-id"];
    case "kickstart":
      return kickstartProblems(text);
    case "autoyast":
      return autoyastProblems(text);
  }
}

function preseedProblems(text: string): string[] {
  const answers = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\S+\s+(\S+)\s+\S+\s*(.*)$/.exec(line);
    if (match && !line.startsWith("#")) answers.set(match[1] as string, match[2] as string);
  }
  const problems = required(answers, [
    "passwd/username",
    "partman-auto/method",
    "partman/confirm_nooverwrite",
    "grub-installer/bootdev",
    "preseed/late_command",
    "debian-installer/exit/poweroff",
  ]);
  if (answers.get("debian-installer/exit/poweroff") !== "true") problems.push("debian-installer/exit/poweroff must be true (msf waits for the power-off)");
  for (const key of ["passwd/root-password", "passwd/user-password", "passwd/root-password-again", "passwd/user-password-again"]) {
    if (answers.has(key)) problems.push(`${key} holds a clear-text password: use a *-crypted hash or none`);
  }
  return problems;
}

function required(answers: Map<string, string>, keys: string[]): string[] {
  return keys.filter((key) => !answers.has(key)).map((key) => `missing answer ${key}`);
}

function cloudConfigProblems(text: string): string[] {
  const problems = text.startsWith("#cloud-config\n") ? [] : ["user-data must begin with #cloud-config"];
  if (/^\s*(plain_text_passwd|password):\s*["']?(?!\$[0-9a-z]+\$|!)[^\s"']+/m.test(text)) problems.push("a clear-text password: use a crypt hash or none");
  if (/^autoinstall:/m.test(text)) {
    if (!/^\s+version: 1$/m.test(text)) problems.push("autoinstall has no version: 1");
    if (!/^\s+shutdown: poweroff$/m.test(text)) problems.push("autoinstall must end with shutdown: poweroff (msf waits for the power-off)");
    if (!/authorized-keys:\n\s+- \S/.test(text)) problems.push("autoinstall installs no SSH key");
  } else if (!/ssh_authorized_keys:\n\s+- \S/.test(text)) {
    problems.push("no ssh_authorized_keys");
  }
  return problems;
}

const KICKSTART_REQUIRED = ["lang", "keyboard", "timezone", "rootpw", "bootloader", "sshkey"];

function kickstartProblems(text: string): string[] {
  const lines = text.split("\n").map((line) => line.trim());
  const commands = new Set(lines.filter((line) => line && !line.startsWith("#")).map((line) => line.split(/\s+/)[0]));
  const problems = KICKSTART_REQUIRED.filter((command) => !commands.has(command)).map((command) => `missing command ${command}`);
  if (!commands.has("autopart") && !commands.has("part")) problems.push("no partitioning (autopart or part)");
  if (!commands.has("poweroff")) problems.push("no poweroff: the installer would wait or reboot instead of ending");
  let open: string | undefined;
  for (const [index, line] of lines.entries()) {
    if (/^%(packages|post|pre|pre-install|onerror|addon)\b/.test(line)) {
      if (open) problems.push(`line ${index + 1}: ${line} opened inside ${open} (missing %end)`);
      open = line.split(/\s+/)[0];
    } else if (line === "%end") {
      if (!open) problems.push(`line ${index + 1}: %end without a section`);
      open = undefined;
    }
  }
  if (open) problems.push(`${open} has no %end`);
  if (!commands.has("%packages")) problems.push("no %packages section");
  for (const line of lines) {
    if (/^(rootpw|user)\b/.test(line) && /--(plaintext|password)\b/.test(line) && !/--iscrypted\b/.test(line))
      problems.push(`clear-text password: ${line.split(/\s+/)[0]}`);
  }
  return problems;
}

function autoyastProblems(text: string): string[] {
  const problems: string[] = [];
  if (!/<profile xmlns="http:\/\/www\.suse\.com\/1\.0\/yast2ns" xmlns:config="http:\/\/www\.suse\.com\/1\.0\/configns">/.test(text)) {
    problems.push("the root element must be <profile> with the yast2ns and configns namespaces");
  }
  for (const section of ["general", "partitioning", "software", "users"]) {
    if (!text.includes(`<${section}`)) problems.push(`missing <${section}>`);
  }
  if (!/<final_halt config:type="boolean">true<\/final_halt>/.test(text)) problems.push("<final_halt> must be true (msf waits for the power-off)");
  if (!/<confirm config:type="boolean">false<\/confirm>/.test(text)) problems.push("<confirm> must be false, or the installer stops to ask");
  if (!/<authorized_keys config:type="list">\s*<listentry>\S/.test(text)) problems.push("no user gets an SSH key");
  for (const user of text.match(/<user>[\s\S]*?<\/user>/g) ?? []) {
    if (user.includes("<user_password>") && !/<encrypted config:type="boolean">true<\/encrypted>/.test(user)) problems.push("a clear-text <user_password>");
  }
  return problems;
}
