/**
 * The anchor of bench/serve.ts: Fastify answering any POST with IP flow
 * verify's answer as a constant, on a free port of 127.0.0.1, saying where as
 * `tierwall serve` does. What Node's HTTP stack costs here, and no more.
 */
import Fastify from "fastify";

const app = Fastify({ routerOptions: { maxParamLength: 200 } });
const answer = { access: "Allow", ruleName: "securityRules/ALLOW-HTTPS-fe1ase" };
app.post("/*", async () => answer);
const address = await app.listen({ host: "127.0.0.1", port: 0 });
process.stderr.write(`listening on ${address}\n`);
process.once("SIGTERM", () => {
  void app.close().then(() => process.exit(0));
});
