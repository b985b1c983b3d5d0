/** One member of an initramfs. */
export type CpioEntry =
  | { type: "dir"; name: string; mode?: number }
  | { type: "file"; name: string; data: Buffer | string; mode?: number }
  | { type: "symlink"; name: string; target: string };

const TYPE_BITS = { dir: 0o040000, file: 0o100000, symlink: 0o120000 } as const;

/** Pure: a cpio archive in the "newc" format the Linux kernel unpacks as an initramfs. */
export function cpioNewc(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const push = (name: string, mode: number, data: Buffer, ino: number) => {
    const nameBytes = Buffer.from(`${name}\0`);
    const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0];
    const header = Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, "0")).join("")}`);
    parts.push(header, nameBytes, pad(header.length + nameBytes.length), data, pad(data.length));
  };
  entries.forEach((entry, index) => {
    const data = entry.type === "file" ? Buffer.from(entry.data) : entry.type === "symlink" ? Buffer.from(entry.target) : Buffer.alloc(0);
    const permissions = entry.type === "symlink" ? 0o777 : (entry.mode ?? (entry.type === "dir" ? 0o755 : 0o644));
    push(entry.name.replace(/^\/+/, ""), TYPE_BITS[entry.type] | permissions, data, index + 1);
  });
  push("TRAILER!!!", 0, Buffer.alloc(0), 0);
  return Buffer.concat(parts);
}

const pad = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);

/** Pure: a kernel module's dependencies, from the `depends=` field of its .modinfo section. */
export function moduleDepends(ko: Buffer): string[] {
  const at = ko.indexOf("\0depends=");
  if (at < 0) return [];
  const value = ko.subarray(at + 9, ko.indexOf(0, at + 9)).toString("latin1");
  return value.split(",").filter(Boolean);
}

/** Pure: modules to insmod, dependencies first, each once. */
export function moduleLoadOrder(wanted: string[], dependsOf: (name: string) => string[]): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    for (const dep of dependsOf(name)) visit(dep);
    order.push(name);
  };
  for (const name of wanted) visit(name);
  return order;
}
