import { escapeMarkup as e } from "@msf/report";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { tokenMatches } from "../auth.ts";
import { page } from "./layout.ts";

/** Pure: the sign-in page; after it, the browser goes back to `next` (a path of this server only). */
export function loginPage(next: string): string {
  const back = next.startsWith("/") && !next.startsWith("//") && next !== "/login" ? next : "/";
  return page(
    "Sign in",
    `<form id="login" data-next="${e(back)}"><label>token <input name="token" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button> <span id="login-result" role="status"></span></form>
<p class="muted">This server is reachable from other hosts: its pages and actions need the token it was started with (<code>msf serve --token-file</code>).</p>`,
  );
}

/**
 * GET /login and POST /login {token}: a right token becomes an HttpOnly, same-site cookie, which the
 * pages and the dashboard's buttons then send (the API also takes it as a Bearer header).
 */
export function registerLogin(app: FastifyInstance, token: string | undefined): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get("/login", { schema: { hide: true } }, (_request, reply) => reply.type("text/html; charset=utf-8").send(loginPage("/")));
  api.post("/login", { schema: { hide: true, body: z.object({ token: z.string().max(1024) }) } }, (request, reply) => {
    if (token === undefined || !tokenMatches(token, request.body.token)) {
      return reply.code(401).send({ code: "ERR_MSF_UNAUTHORIZED", message: "that is not this server's token", hint: "the contents of --token-file" });
    }
    return reply
      .code(204)
      .header("set-cookie", `msf_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`)
      .send();
  });
}
