// Routes for whoever runs the server: readiness, Prometheus metrics, and the token-protected admin API and
// page. Health stays beside the page in app.ts, where it always was.

import { Hono } from "hono";
import type { Operator } from "../net/operator.ts";
import { ADMIN_CSS, ADMIN_HTML, ADMIN_JS } from "./admin_page.ts";
import { adminRoutes } from "./admin_routes.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./exposition.ts";
import type { Readiness } from "./readiness.ts";

export interface OpsOptions {
  readiness: Readiness;
  /** The Prometheus text of one scrape. */
  metricsText(): string;
  operator: Operator;
  adminToken: string | null;
  /** The runtime's full garbage collection, for `POST /api/admin/gc`; without it that route is 501. */
  collectGarbage?: () => void;
}

export function opsRoutes(options: OpsOptions): Hono {
  const ops = new Hono();

  ops.get("/readyz", async (c) => {
    const status = await options.readiness.status();
    return c.json(
      { status: status.ready ? "ready" : "not ready", checks: status.checks },
      status.ready ? 200 : 503,
    );
  });

  ops.get("/metrics", (c) => c.body(options.metricsText(), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));

  ops.route("/api", adminRoutes(options.operator, options.adminToken, options.collectGarbage));

  // The page holds no data: everything it shows comes from /api, which asks for the token.
  ops.get("/admin", (c) => c.html(ADMIN_HTML, 200, { "cache-control": "no-store" }));
  ops.get("/admin.js", (c) => c.body(ADMIN_JS, 200, { "content-type": "text/javascript; charset=utf-8" }));
  ops.get("/admin.css", (c) => c.body(ADMIN_CSS, 200, { "content-type": "text/css; charset=utf-8" }));
  return ops;
}
