import { postInstallLines } from "./post-install.ts";
import type { InstallProfile } from "./profile.ts";

const xmlEscape = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function userXml(name: string, profile: InstallProfile, hash: string | undefined): string {
  return `    <user>
      <username>${xmlEscape(name)}</username>
${hash ? `      <user_password>${xmlEscape(hash)}</user_password>\n      <encrypted config:type="boolean">true</encrypted>\n` : ""}      <authorized_keys config:type="list">
        <listentry>${xmlEscape(profile.user.sshPublicKey)}</listentry>
      </authorized_keys>
    </user>`;
}

/** Pure: an AutoYaST profile for openSUSE Leap. */
export function autoyast(profile: InstallProfile): string {
  const packages = [...new Set(["openssh", ...profile.packages.filter((p) => p !== "openssh-server"), ...(profile.docker ? ["docker"] : [])])];
  const users = [userXml(profile.user.name, profile, profile.user.passwordHash), ...(profile.rootLogin === "key" ? [userXml("root", profile, undefined)] : [])];
  const firewall =
    profile.firewall === "default"
      ? ""
      : `  <firewall>\n    <enable_firewall config:type="boolean">${profile.firewall === "enabled"}</enable_firewall>\n    <start_firewall config:type="boolean">${profile.firewall === "enabled"}</start_firewall>\n  </firewall>\n`;
  return `<?xml version="1.0"?>
<!DOCTYPE profile>
<!-- msf: AutoYaST profile, generated from an install profile -->
<profile xmlns="http://www.suse.com/1.0/yast2ns" xmlns:config="http://www.suse.com/1.0/configns">
  <general>
    <mode>
      <confirm config:type="boolean">false</confirm>
      <final_reboot config:type="boolean">false</final_reboot>
      <final_halt config:type="boolean">true</final_halt>
    </mode>
  </general>
  <language>
    <language>${xmlEscape(profile.locale.split(".")[0] ?? "en_US")}</language>
  </language>
  <keyboard>
    <keymap>${profile.keyboard === "us" ? "english-us" : xmlEscape(profile.keyboard)}</keymap>
  </keyboard>
  <timezone>
    <hwclock>UTC</hwclock>
    <timezone>${xmlEscape(profile.timezone)}</timezone>
  </timezone>
  <networking>
    <keep_install_network config:type="boolean">true</keep_install_network>
    <dns>
      <hostname>${xmlEscape(profile.hostname)}</hostname>
      <domain>${xmlEscape(profile.domain)}</domain>
    </dns>
  </networking>
  <partitioning config:type="list">
    <drive>
      <device>${xmlEscape(profile.disk.device)}</device>
      <initialize config:type="boolean">true</initialize>
      <use>all</use>
${profile.disk.layout === "lvm" ? '      <type config:type="symbol">CT_LVM</type>\n' : ""}    </drive>
  </partitioning>
  <software>
    <patterns config:type="list">
      <pattern>base</pattern>
    </patterns>
    <packages config:type="list">
${packages.map((p) => `      <package>${xmlEscape(p)}</package>`).join("\n")}
    </packages>
  </software>
  <users config:type="list">
${users.join("\n")}
  </users>
  <services-manager>
    <services>
      <enable config:type="list">
        <service>sshd</service>
      </enable>
    </services>
  </services-manager>
  <bootloader>
    <global>
      <append>console=tty0 console=${xmlEscape(profile.console)}</append>
    </global>
  </bootloader>
  <scripts>
    <chroot-scripts config:type="list">
      <script>
        <filename>msf-post-install.sh</filename>
        <chrooted config:type="boolean">true</chrooted>
        <source><![CDATA[set -e
${postInstallLines().join("\n")}
]]></source>
      </script>
    </chroot-scripts>
  </scripts>
${firewall}</profile>
`;
}

export function autoyastKernelArgs(configUrl: string): string[] {
  return [`autoyast=${configUrl}autoinst.xml`, "textmode=1", "console=ttyS0,115200"];
}
