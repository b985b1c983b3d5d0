// A minimal static file server for the download benchmark, in its own process so it does not
// share a CPU with the client under test. Usage: serve-file.ts <file> (prints the port).
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";

const file = process.argv[2] as string;
const size = statSync(file).size;
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-length": String(size), etag: '"bench"' });
  createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
});
server.listen(0, "127.0.0.1", () => console.log((server.address() as { port: number }).port));
