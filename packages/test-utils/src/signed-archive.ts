import { makeGpgKey, type TestGpgKey } from "./gpg.ts";
import { startHttpServer, type TestHttpServer } from "./http-server.ts";

export interface SignedArchive {
  /** The archive's root on the loopback server, e.g. http://127.0.0.1:PORT/debian */
  url: string;
  /** The key every InRelease here is signed with (pass its publicKey as the trusted key). */
  key: TestGpgKey;
  server: TestHttpServer;
  /** Publishes a suite's InRelease whose one package index has this hash (a hex digit, repeated): a new digit is a new package set. */
  publish(suite: string, indexDigit: string): void;
  close(): Promise<void>;
}

/** A Debian-style archive on loopback, its InRelease files clearsigned by a key made for the test. */
export async function startSignedArchive(keyName?: string): Promise<SignedArchive> {
  const key = makeGpgKey(keyName);
  const server = await startHttpServer();
  const url = `${server.url}/debian`;
  return {
    url,
    key,
    server,
    publish(suite, indexDigit) {
      const release = `Suite: ${suite}\nCodename: ${suite}\nDate: Sat, 28 Nov 2026 02:53:00 UTC\nArchitectures: amd64\nComponents: main\nSHA256:\n ${indexDigit.repeat(64)} 4096 main/binary-amd64/Packages.xz\n`;
      server.files.set(`/debian/dists/${suite}/InRelease`, { body: Buffer.from(key.clearsign(release)) });
    },
    async close() {
      await server.close();
      key.remove();
    },
  };
}
