// The operator's API: statistics and actions behind LIAPTUI_ADMIN_TOKEN. Without a configured token, or
// with a wrong one, every route answers the same bare 401, so a stranger learns nothing.

import { createHash, timingSafeEqual } from "node:crypto";
import { memoryUsage } from "node:process";
import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import * as v from "valibot";
import type { Operator } from "../net/operator.ts";

const NoticeBody = v.object({
  message: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(500)),
});

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/** Bearer token check; comparing digests keeps the time independent of where the strings differ. */
export function requireToken(token: string | null): MiddlewareHandler {
  const expected = token === null ? null : digest(token);
  return async (c, next) => {
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
    if (expected === null || given === undefined || !timingSafeEqual(digest(given), expected)) {
      return c.json({ error: "Unauthorized" }, 401, { "www-authenticate": 'Bearer realm="liaptui"' });
    }
    await next();
  };
}

export function adminRoutes(
  operator: Operator,
  token: string | null,
  collectGarbage?: () => void,
): Hono {
  const api = new Hono();
  // Only these paths: a `*` here would also guard every other route under /api (public game records).
  for (const path of ["/stats", "/admin/*"]) {
    api.use(path, requireToken(token));
    api.use(path, async (c, next) => {
      await next();
      c.header("cache-control", "no-store");
    });
  }

  api.get("/stats", async (c) => c.json(await operator.stats()));

  api.post("/admin/rooms/:id/close", (c) => {
    const closed = operator.closeRoom(c.req.param("id"));
    return closed ? c.json({ closed: true }) : c.json({ error: "No such room" }, 404);
  });

  api.post("/admin/connections/:id/kick", (c) => {
    const kicked = operator.kick(c.req.param("id"));
    return kicked ? c.json({ kicked: true }) : c.json({ error: "No such connection" }, 404);
  });

  api.post("/admin/notice", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'Send JSON: {"message": "…"}' }, 400);
    }
    const parsed = v.safeParse(NoticeBody, body);
    if (!parsed.success) return c.json({ error: "message: 1–500 characters of text" }, 400);
    return c.json({ reached: operator.notice(parsed.output.message) });
  });

  // The heap after a full collection holds only what is reachable: from one quiet moment to the next it stays
  // flat unless something leaks, where the resident size also keeps pages the allocator did not give back.
  api.post("/admin/gc", (c) => {
    if (collectGarbage === undefined) return c.json({ error: "Not available on this server" }, 501);
    collectGarbage();
    const memory = memoryUsage();
    return c.json({
      heap_used_bytes: memory.heapUsed,
      heap_total_bytes: memory.heapTotal,
      external_bytes: memory.external,
      rss_bytes: memory.rss,
    });
  });
  return api;
}
