import { z } from 'zod';
import type { HookEvent } from '../accounting.ts';
import { respond, type RequestContext } from '../context.ts';
import { readJsonBody } from './json-body.ts';

/**
 * The body notification-controller's `generic` Provider posts: a Flux event
 * (fluxcd/pkg/apis/event v1beta1 `Event`). Only the fields a report reads are checked; the rest
 * (message, timestamp, reportingController) is accepted as sent.
 */
// Bounded as Kubernetes bounds them (names 253, kinds and reasons far shorter), so a client cannot
// make every sample carry a megabyte.
const fluxEventSchema = z.object({
  involvedObject: z.object({ kind: z.string().min(1).max(63), name: z.string().min(1).max(253), namespace: z.string().max(63).default('') }),
  severity: z.string().min(1).max(16),
  reason: z.string().min(1).max(128),
  metadata: z.record(z.string(), z.string()).optional(),
});

/**
 * `POST /hooks/{owner}/{repo}`: takes a Flux event as a team's webhook receiver would and answers
 * 200, or 404 for a repository the server does not hold (a misaddressed Provider shows up in the
 * counts instead of silently succeeding), 400 for a body that is not a Flux event. The event's
 * object, reason and revision go into the request's record (the sample's `detail.event`).
 * Credentials are optional, as on a plain webhook; when sent they name the caller in the
 * accounting, and unknown ones were refused 401 before this handler.
 */
export async function handleHooks(ctx: RequestContext): Promise<void> {
  const read = await readJsonBody(ctx);
  if (!read.ok) return respond(ctx, read.answer);
  const { match, state } = ctx;
  if (!(await state.repos.get(match.owner!, match.repo!))) return respond(ctx, { status: 404, body: { message: 'Not Found' } });
  const parsed = fluxEventSchema.safeParse(read.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return respond(ctx, { status: 400, body: { message: `not a Flux event: ${issue.path.join('.') || 'body'}: ${issue.message}` } });
  }
  ctx.event = eventOf(parsed.data);
  respond(ctx, { status: 200, body: { ok: true } });
}

function eventOf(e: z.output<typeof fluxEventSchema>): HookEvent {
  const revision = e.metadata?.revision?.slice(0, 256);
  return {
    kind: e.involvedObject.kind,
    namespace: e.involvedObject.namespace,
    name: e.involvedObject.name,
    reason: e.reason,
    severity: e.severity,
    ...(revision ? { revision } : {}),
  };
}
