import { connect } from "node:net";

/** clamd's answers are one short line; more than this is not clamd. */
const MAX_REPLY_BYTES = 64 * 1024;

/** One clamd command over the raw protocol (`z`-prefixed, NUL-terminated); INSTREAM sends `data` in chunks. */
export function clamd(socketPath: string, command: "PING" | "VERSION" | "INSTREAM", data?: Buffer, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`clamd did not answer ${command} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => {
      socket.write(`z${command}\0`);
      if (command === "INSTREAM" && data) {
        const size = Buffer.alloc(4);
        size.writeUInt32BE(data.length);
        socket.write(Buffer.concat([size, data, Buffer.alloc(4)])); // one chunk, then the zero-length end
      }
    });
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_REPLY_BYTES) {
        clearTimeout(timer);
        socket.destroy();
        return reject(new Error(`clamd sent more than ${MAX_REPLY_BYTES} bytes in answer to ${command}`));
      }
      chunks.push(chunk);
      if (chunk.includes(0)) socket.end();
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const reply = Buffer.concat(chunks).toString("utf8").replace(/\0$/, "").trim();
      if (reply) resolve(reply);
      else reject(new Error(`clamd closed the connection without answering ${command}`));
    });
  });
}
