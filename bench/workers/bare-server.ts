/** The reference for the sandbox's HTTP numbers: a bare Node.js server that reads the body and answers 202. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(202, { "content-type": "application/json" });
    response.end('{"accepted":true}');
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`bare server: http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
