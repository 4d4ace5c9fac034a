/* claude.h - Claude Code hooks (docs/PROTOCOL.md, "Claude Code hooks"):
 * the strict decoder of the JSON Claude Code sends to a PreToolUse or
 * PostToolUse hook, its mapping to an agentvisor action (docs/PROTOCOL.md,
 * "Action") or result report ("Result report"), and the hook answer built
 * from a decision.
 *
 * Two layers. The pure layer (av_claude_decode, av_claude_unmapped_decision,
 * av_claude_answer) turns bytes into an action JSON and a decision into an
 * answer. av_claude_handle puts them together with the one recorded-decision
 * path every front end shares (av_decide_recorded), so `agentvisor hook
 * claude` and the daemon's POST /v1/hooks/claude answer identically.
 *
 * Ownership follows common.h: strings in a decoded request come from the
 * arena passed in; everything else is borrowed for the call. */
#ifndef AV_INTEGRATIONS_CLAUDE_H
#define AV_INTEGRATIONS_CLAUDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agentvisor/audit.h"
#include "agentvisor/common.h"
#include "agentvisor/decide.h"
#include "agentvisor/policy.h"

/* One hook input (a Write's content, a Read's tool_response) may be large;
 * more is AV_E_LIMIT and a deny. Strings that become action fields are
 * further bounded by AV_ACTION_MAX_STRING. */
#define AV_CLAUDE_MAX_BYTES ((size_t)8 << 20)
/* Any one string among the hook's own fields (ids, paths, names). */
#define AV_CLAUDE_MAX_FIELD ((size_t)4096)
/* MultiEdit: edits in one call. */
#define AV_CLAUDE_MAX_EDITS 1024

enum av_claude_event {
	AV_CLAUDE_PRE_TOOL_USE = 0,
	AV_CLAUDE_POST_TOOL_USE,
	AV_CLAUDE_POST_TOOL_USE_FAILURE,
};
#define AV_CLAUDE_EVENT_COUNT 3

/* Returns the wire name ("PreToolUse", ...); never NULL. */
const char *av_claude_event_name(enum av_claude_event e);

/* How a tool call became something agentvisor can decide. */
enum av_claude_mapping {
	/* action_json holds the call as an agentvisor action. */
	AV_CLAUDE_MAPPED = 0,
	/* A tool whose only effects stay inside Claude Code (TodoWrite, plan
	 * mode, questions to the user, its background task bookkeeping):
	 * decided allow without an action. */
	AV_CLAUDE_INTERNAL,
	/* A tool agentvisor has no built-in mapping for: action_json holds it
	 * as an mcp action of the pseudo-server AV_CLAUDE_PSEUDO_SERVER with
	 * tool_input as its arguments, so the policy decides it (mcp_tools
	 * entries map it; the default policy's claude.unknown-tool reviews
	 * what nobody mapped). */
	AV_CLAUDE_UNMAPPED,
};

/* The MCP server name unknown Claude Code tools are decided under. */
#define AV_CLAUDE_PSEUDO_SERVER "claude-code"

/* A decoded hook input. Strings from the arena; NULL when absent. */
struct av_claude_request {
	enum av_claude_event event;
	const char *session_id;
	const char *transcript_path;
	const char *cwd;
	const char *permission_mode;
	const char *tool_name;
	const char *tool_use_id;
	const char *agent_id;   /* only for subagents */
	const char *agent_type; /* subagents, or a session started with --agent */
	const char *mcp_server; /* mcp_server.name for mcp__* tools */
	/* The agentvisor session: session_id, or "session_id/agent_id" for a
	 * subagent, so a subagent's actions form a session of their own that
	 * still names its parent. */
	const char *session;
	enum av_claude_mapping mapping;
	/* PreToolUse, MAPPED and UNMAPPED: the action as compact JSON
	 * (docs/PROTOCOL.md),
	 * with id = tool_use_id, session as above, tool = tool_name and
	 * context.cwd = cwd. This is what is decided and recorded. */
	const char *action_json;
	size_t action_json_len;
	/* PostToolUse / PostToolUseFailure: the result report as compact JSON
	 * (docs/PROTOCOL.md, "Result report"): id = tool_use_id, exit 0 (or 1
	 * for a failure), the SHA-256 and length of tool_response as compact
	 * JSON, paths_written for file-writing tools, error, duration_ms. */
	const char *result_json;
	size_t result_json_len;
};

/* Decodes one hook input from json[0..len) and maps it. Strict: not JSON,
 * duplicate keys, invalid UTF-8, NUL bytes (AV_E_JSON, where "byte N");
 * a top-level field Claude Code does not send, a field of the wrong type, a
 * missing required field, an event other than PreToolUse, PostToolUse or
 * PostToolUseFailure, a relative cwd, an unknown field in the tool_input of
 * a mapped tool (AV_E_FIELD, where = the field path, e.g.
 * "tool_input.file_path"); more than AV_CLAUDE_MAX_BYTES or an over-long
 * string (AV_E_LIMIT). On success returns 0 and fills *out from ARENA. On
 * failure returns -1 with err set; out->event, out->tool_use_id and
 * out->session are still filled when they could be read, so the caller can
 * answer in the right shape and record under the right id. */
int av_claude_decode(const char *json, size_t len, struct av_arena *arena,
                     struct av_claude_request *out, struct av_error *err);

/* Fills *d with the decision for a request that has no action: an
 * AV_CLAUDE_INTERNAL tool (allow, no findings), or defensively an
 * AV_CLAUDE_UNMAPPED one without action_json (unknown_verdict, with one
 * finding "claude.unknown-tool" naming the tool). Findings and reasons
 * from ARENA; policy digest from p. d->action stays NULL. Returns 0, or -1
 * when the arena is exhausted (d is then a block with the error set). */
int av_claude_unmapped_decision(const struct av_claude_request *r,
                                enum av_verdict unknown_verdict,
                                const struct av_policy *p, struct av_arena *arena,
                                struct av_decision *d);

/* The hook answer for a PreToolUse decision, as Claude Code reads it on
 * stdout (exit 0) or in an http hook's response body:
 * {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":
 * "allow"|"ask"|"deny","permissionDecisionReason":"..."}}. allow and warn
 * answer allow, review answers ask, block answers deny; the reason names the
 * verdict, the strongest findings' rules and reasons, a safe fix when there
 * is one, and the error when the decision failed. Returns new malloc'd
 * text (free with free()), or NULL when memory ran out. */
char *av_claude_answer(const struct av_decision *d);

/* The answer when nothing could be decided or recorded, reason borrowed:
 * for PreToolUse a deny as above; for PostToolUse(Failure), whose tool
 * already ran, {"decision":"block","reason":...}, which Claude Code hands
 * to the model. New malloc'd, or NULL. */
char *av_claude_answer_deny(enum av_claude_event event, const char *reason);

/* ---- one hook call, decided and recorded ------------------------------ */

struct av_claude_opts {
	/* Only for the defensive case of av_claude_unmapped_decision: tools
	 * without a mapping are decided by the policy (claude.unknown-tool,
	 * mcp_tools). Callers set AV_REVIEW. */
	enum av_verdict unknown_tool;
	/* Fills context fields the hook leaves out (workspace, home, user).
	 * May be NULL. */
	const struct av_context *fallback;
	/* Who asked, as JSON for the audit record ("caller"), or NULL. */
	const char *caller_json;
	/* The session stage (audit.h); NULL for none. */
	const struct av_session_sink *sessions;
};

/* What av_claude_handle produced. */
struct av_claude_outcome {
	struct av_claude_request request;
	/* PreToolUse: the decision (always filled, block on any failure). */
	struct av_decision decision;
	struct av_action action; /* the decided action (mapped tools) */
	/* true when the answer is a fail-closed deny because nothing could be
	 * decided or recorded (bad input, internal error, audit log failure).
	 * A command hook then exits 2, which Claude Code treats as a block
	 * whatever the output; an http hook still answers 200 with the deny. */
	bool failed;
	struct av_error error; /* when failed: why */
	/* The answer JSON (new malloc'd, free with free()); NULL only when
	 * memory ran out (treat as failed). */
	char *answer;
	uint64_t seq; /* the audit record's sequence number, when recorded */
};

/* Handles one hook call: decodes json[0..len), and for PreToolUse decides
 * the mapped action under p through av_decide_recorded (recorded in log,
 * or failing closed when log is NULL, with log_err saying why) or decides
 * an unmapped tool per opts and records that; for PostToolUse(Failure)
 * appends the result record to log. Fills *out (decision memory from
 * ARENA). Never returns an allow that was not decided and recorded.
 * Returns 0 when out->failed is false, else -1. */
int av_claude_handle(const struct av_policy *p, struct av_audit_writer *log,
                     const struct av_error *log_err, const char *json, size_t len,
                     const struct av_claude_opts *opts, struct av_arena *arena,
                     struct av_claude_outcome *out);

#endif
