import swagger from "@fastify/swagger";
import { MsfError } from "@msf/core";
import type { MsfContext } from "@msf/supervisor";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import { registerApi } from "./api/index.ts";
import { needsToken, presentedToken, tokenMatches } from "./auth.ts";
import { type BackgroundOptions, startBackground } from "./background.ts";
import type { RunLauncher } from "./launcher.ts";
import { loginPage, registerLogin } from "./views/login.ts";
import { registerViews } from "./views/routes.ts";
import { registerWorkers, type WorkersSource } from "./workers.ts";

export interface ServerOptions {
  ctx: MsfContext;
  /** Whether the server listens on loopback only (then reads need no token). */
  loopback: boolean;
  /** Required for every call off loopback and for mutating calls when set. */
  token?: string;
  /** Starts and cancels runs (POST /api/v1/runs); without it the server only reads. */
  launcher?: RunLauncher;
  /** Scheduled runs, alerts and retention, done while the server is up. */
  background?: BackgroundOptions;
  /** The queue's workers, when runs go to a queue (msf serve --queue). */
  workers?: WorkersSource;
}

const STATUS: Partial<Record<MsfError["code"], number>> = { ERR_MSF_NOT_FOUND: 404, ERR_MSF_USAGE: 400, ERR_MSF_LOCKED: 409 };

/** Pages and API answers may load only what this server serves. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/** What anyone may load: the sign-in page and the files it needs. */
const OPEN_PATHS = /^\/(login|assets\/app\.(css|js))(\?|$)/;

/** The API and the dashboard over one state directory, not yet listening (tests use `inject` or `listen`). */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  if (!options.loopback && !options.token) {
    throw new MsfError("ERR_MSF_USAGE", "a server reachable from other hosts needs a token", {
      hint: "pass --token-file FILE (or set MSF_SERVE_TOKEN), or listen on 127.0.0.1",
    });
  }
  // forceCloseConnections: close() ends open event streams instead of waiting for their clients.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(swagger, {
    openapi: { info: { title: "msf API", version: "1", description: "Runs, reports and live events of one msf state directory" } },
    transform: jsonSchemaTransform,
    // The schemas with a meta id become components, which the routes' $refs point at.
    transformObject: jsonSchemaTransformObject,
  });

  app.addHook("onRequest", async (request, reply) => {
    if (!needsToken({ loopback: options.loopback, hasToken: options.token !== undefined, method: request.method })) return;
    if (OPEN_PATHS.test(request.url) || tokenMatches(options.token ?? "", presentedToken(request.headers))) return;
    // A person at a browser gets the sign-in page; a program gets the API's answer.
    if (!request.url.startsWith("/api/") && request.method === "GET") {
      return reply.code(401).type("text/html; charset=utf-8").send(loginPage(request.url));
    }
    await reply
      .code(401)
      .header("www-authenticate", "Bearer")
      .send({ code: "ERR_MSF_UNAUTHORIZED", message: "this call needs the server's token", hint: "send Authorization: Bearer <token>" });
  });
  // A cross-site page can POST a form (text/plain, urlencoded) without asking; JSON needs CORS, which
  // this server never grants. So every change comes as JSON.
  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "POST" || /^application\/json\b/i.test(request.headers["content-type"] ?? "")) return;
    await reply.code(415).send({ code: "ERR_MSF_USAGE", message: "changes are sent as application/json", hint: "Content-Type: application/json" });
  });
  app.addHook("onSend", async (_request, reply) => {
    reply.header("content-security-policy", CSP).header("x-content-type-options", "nosniff").header("referrer-policy", "no-referrer");
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.code(400).send({ code: "ERR_MSF_USAGE", message: error.message, hint: "see /api/v1/openapi.json" });
    }
    if (error instanceof MsfError) return reply.code(STATUS[error.code] ?? 500).send({ code: error.code, message: error.message, hint: error.hint });
    return reply.code(error.statusCode ?? 500).send({ code: "ERR_MSF_SERVER", message: error.message });
  });

  registerApi(app, options.ctx, options.launcher);
  registerViews(app, options.ctx);
  registerLogin(app, options.token);
  registerWorkers(app, options.workers);
  const stop = new AbortController();
  app.addHook("onClose", async () => stop.abort());
  if (options.background) startBackground(options.ctx, options.launcher, options.background, stop.signal);
  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
