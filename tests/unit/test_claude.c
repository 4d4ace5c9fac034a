/* test_claude.c - the Claude Code hook integration: every mapped tool with
 * hook input shaped like Claude Code's (INTEGRATIONS.md, Claude Code
 * 2.1.330's hook schema), the action each becomes (decoded back with the
 * real action decoder), result reports for PostToolUse, strict rejection
 * naming the field, the answers built from real decisions, and whole hook
 * calls recorded in a real audit log. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "agentvisor/audit.h"
#include "agentvisor/decide.h"
#include "integrations/claude.h"

struct fixture {
	struct av_arena arena;
	struct av_claude_request r;
	struct av_action a;
	struct av_error err;
	struct av_policy *p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	av_arena_init(&f->arena, (size_t)64 << 20);
	f->p = av_policy_new();
	struct av_error err;
	if (f->p == NULL || av_policy_add_default(f->p, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	av_arena_free(&f->arena);
	av_policy_free(f->p);
	free(f);
	return 0;
}

/* The fields every real hook input carries, then the event's own. */
#define COMMON                                                                           \
	"\"session_id\":\"0b7c5e1a-9d1f-4c55-8f0e-2b1f6d3c9a10\","                       \
	"\"transcript_path\":\"/home/dev/.claude/projects/-home-dev-app/"                \
	"0b7c5e1a.jsonl\",\"cwd\":\"/home/dev/app\",\"permission_mode\":\"default\","    \
	"\"prompt_id\":\"3f0f8a2e-1111-4222-8333-944455556666\""

#define PRE(tool, input)                                                                 \
	"{" COMMON ",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"" tool           \
	"\",\"tool_input\":" input ",\"tool_use_id\":\"toolu_01ABCdef\"}"

static int decode(struct fixture *f, const char *json)
{
	av_arena_reset(&f->arena);
	return av_claude_decode(json, strlen(json), &f->arena, &f->r, &f->err);
}

/* Decodes json, requires an action (a mapped or unknown tool), and decodes
 * that action with the
 * real action decoder into f->a. */
static void map_ok(struct fixture *f, const char *json)
{
	if (decode(f, json) != 0)
		fail_msg("%s: %s: %s", json, f->err.where, f->err.message);
	assert_int_not_equal(f->r.mapping, AV_CLAUDE_INTERNAL);
	assert_non_null(f->r.action_json);
	struct av_error err;
	if (av_action_decode(f->r.action_json, f->r.action_json_len, &f->arena, &f->a,
	                     &err) != 0)
		fail_msg("action %s: %s: %s", f->r.action_json, err.where, err.message);
	assert_string_equal(f->a.id, "toolu_01ABCdef");
	assert_string_equal(f->a.session, "0b7c5e1a-9d1f-4c55-8f0e-2b1f6d3c9a10");
	assert_string_equal(f->a.ctx.cwd, "/home/dev/app");
}

static void reject(struct fixture *f, const char *json, enum av_errcode code,
                   const char *where)
{
	int rc = decode(f, json);
	if (rc != -1 || f->err.code != code || strcmp(f->err.where, where) != 0)
		fail_msg("%s: rc=%d code=%s where=\"%s\" message=\"%s\"; wanted %s at "
		         "\"%s\"",
		         json, rc, av_errcode_name(f->err.code), f->err.where,
		         f->err.message, av_errcode_name(code), where);
	assert_true(f->err.message[0] != '\0');
}

/* ---- mapping ----------------------------------------------------------- */

static void bash(void **state)
{
	struct fixture *f = *state;
	map_ok(f, PRE("Bash", "{\"command\":\"npm test -- --watch=false\","
	                      "\"description\":\"Run the tests\",\"timeout\":120000,"
	                      "\"run_in_background\":false}"));
	assert_int_equal(f->a.kind, AV_KIND_SHELL);
	assert_string_equal(f->a.in.shell.command, "npm test -- --watch=false");
	assert_string_equal(f->a.tool, "Bash");
	assert_int_equal(f->r.event, AV_CLAUDE_PRE_TOOL_USE);
	assert_string_equal(f->r.permission_mode, "default");
}

static void write_file(void **state)
{
	struct fixture *f = *state;
	map_ok(f, PRE("Write", "{\"file_path\":\"/home/dev/app/src/util.ts\","
	                       "\"content\":\"export const x = 1;\\n\"}"));
	assert_int_equal(f->a.kind, AV_KIND_FILE);
	assert_int_equal(f->a.in.file.op, AV_FOP_WRITE);
	assert_string_equal(f->a.in.file.path, "/home/dev/app/src/util.ts");
	assert_string_equal(f->a.in.file.content, "export const x = 1;\n");
}

static void edit_file(void **state)
{
	struct fixture *f = *state;
	map_ok(f, PRE("Edit", "{\"file_path\":\"/home/dev/app/README.md\","
	                      "\"old_string\":\"foo\",\"new_string\":\"bar\","
	                      "\"replace_all\":true}"));
	assert_int_equal(f->a.in.file.op, AV_FOP_EDIT);
	assert_string_equal(f->a.in.file.content, "bar");
}

static void multiedit(void **state)
{
	struct fixture *f = *state;
	map_ok(f, PRE("MultiEdit",
	              "{\"file_path\":\"/home/dev/app/a.py\",\"edits\":["
	              "{\"old_string\":\"a\",\"new_string\":\"import os\"},"
	              "{\"old_string\":\"b\",\"new_string\":\"os.system('make')\","
	              "\"replace_all\":false}]}"));
	assert_int_equal(f->a.in.file.op, AV_FOP_EDIT);
	assert_string_equal(f->a.in.file.content, "import os\nos.system('make')\n");
	reject(f,
	       PRE("MultiEdit", "{\"file_path\":\"/x\",\"edits\":[{\"old_string\":\"a\","
	                        "\"new_string\":\"b\",\"regex\":true}]}"),
	       AV_E_FIELD, "tool_input.edits[0].regex");
	reject(f, PRE("MultiEdit", "{\"file_path\":\"/x\",\"edits\":[7]}"), AV_E_FIELD,
	       "tool_input.edits[0].");
}

static void read_file(void **state)
{
	struct fixture *f = *state;
	map_ok(f, PRE("Read", "{\"file_path\":\"/home/dev/.ssh/id_ed25519\","
	                      "\"offset\":1,\"limit\":2000}"));
	assert_int_equal(f->a.in.file.op, AV_FOP_READ);
	assert_string_equal(f->a.in.file.path, "/home/dev/.ssh/id_ed25519");
	assert_null(f->a.in.file.content);
}

static void notebook(void **state)
{
	struct fixture *f = *state;
	map_ok(f,
	       PRE("NotebookEdit", "{\"notebook_path\":\"/home/dev/app/n.ipynb\","
	                           "\"cell_id\":\"c1\",\"new_source\":\"print(1)\","
	                           "\"cell_type\":\"code\",\"edit_mode\":\"replace\"}"));
	assert_int_equal(f->a.in.file.op, AV_FOP_EDIT);
	assert_string_equal(f->a.in.file.content, "print(1)");
}

static void glob_grep(void **state)
{
	struct fixture *f = *state;
	map_ok(f, PRE("Glob", "{\"pattern\":\"**/*.ts\"}"));
	assert_int_equal(f->a.in.file.op, AV_FOP_LIST);
	assert_string_equal(f->a.in.file.path, "/home/dev/app");
	map_ok(f, PRE("Glob", "{\"pattern\":\"/home/dev/.aws/**/*\"}"));
	assert_string_equal(f->a.in.file.path, "/home/dev/.aws");
	map_ok(f, PRE("Grep", "{\"pattern\":\"TODO\",\"path\":\"/home/dev/app/src\","
	                      "\"output_mode\":\"content\",\"-n\":true,\"-C\":2}"));
	assert_int_equal(f->a.in.file.op, AV_FOP_READ);
	assert_string_equal(f->a.in.file.path, "/home/dev/app/src");
}

static void webfetch(void **state)
{
	struct fixture *f = *state;
	map_ok(f, PRE("WebFetch", "{\"url\":\"https://docs.example.com/api\","
	                          "\"prompt\":\"Summarize the API\"}"));
	assert_int_equal(f->a.kind, AV_KIND_HTTP);
	assert_string_equal(f->a.in.http.method, "GET");
	assert_string_equal(f->a.in.http.url, "https://docs.example.com/api");
}

static void mcp(void **state)
{
	struct fixture *f = *state;
	/* With mcp_server (Claude Code 2.1.330), the configured name wins. */
	map_ok(f, "{" COMMON ",\"hook_event_name\":\"PreToolUse\","
	          "\"tool_name\":\"mcp__github__create_issue\",\"tool_input\":"
	          "{\"repo\":\"acme/app\",\"title\":\"Bug\",\"labels\":[\"x\"]},"
	          "\"tool_use_id\":\"toolu_01ABCdef\",\"mcp_server\":{\"name\":"
	          "\"github\",\"source\":\"user\"}}");
	assert_int_equal(f->a.kind, AV_KIND_MCP);
	assert_string_equal(f->a.in.mcp.server, "github");
	assert_string_equal(f->a.in.mcp.tool, "create_issue");
	assert_int_equal(f->a.in.mcp.nargs, 3);
	/* Without it, the name's middle part. */
	map_ok(f, PRE("mcp__fs__read_file", "{\"path\":\"/etc/passwd\"}"));
	assert_string_equal(f->a.in.mcp.server, "fs");
	assert_string_equal(f->a.in.mcp.tool, "read_file");
	reject(f, PRE("mcp__nothing", "{}"), AV_E_FIELD, "tool_name");
}

static void agent(void **state)
{
	struct fixture *f = *state;
	map_ok(f, PRE("Task", "{\"description\":\"Find uses\",\"prompt\":\"Find every "
	                      "use of foo\",\"subagent_type\":\"Explore\"}"));
	assert_int_equal(f->a.kind, AV_KIND_DELEGATE);
	assert_string_equal(f->a.in.delegate.agent, "Explore");
	assert_string_equal(f->a.in.delegate.task, "Find every use of foo");
}

static void subagent_session(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(decode(f, "{" COMMON ",\"agent_id\":\"a1b2\",\"agent_type\":"
	                           "\"Explore\",\"effort\":{\"level\":\"high\"},"
	                           "\"hook_event_name\":\"PreToolUse\",\"tool_name\":"
	                           "\"Bash\",\"tool_input\":{\"command\":\"ls\"},"
	                           "\"tool_use_id\":\"t\"}"),
	                 0);
	assert_string_equal(f->r.session, "0b7c5e1a-9d1f-4c55-8f0e-2b1f6d3c9a10/a1b2");
	assert_string_equal(f->r.agent_type, "Explore");
	assert_non_null(
	        strstr(f->r.action_json,
	               "\"session\":\"0b7c5e1a-9d1f-4c55-8f0e-2b1f6d3c9a10/a1b2\""));
}

static void internal_and_unknown(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(decode(f, PRE("TodoWrite", "{\"todos\":[{\"content\":\"x\","
	                                            "\"status\":\"pending\","
	                                            "\"activeForm\":\"Doing x\"}]}")),
	                 0);
	assert_int_equal(f->r.mapping, AV_CLAUDE_INTERNAL);
	assert_null(f->r.action_json);
	struct av_decision d;
	assert_int_equal(
	        av_claude_unmapped_decision(&f->r, AV_REVIEW, f->p, &f->arena, &d), 0);
	assert_int_equal(d.verdict, AV_ALLOW);

	/* An unknown tool is an mcp action of the pseudo-server, decided by
	 * the policy: the default reviews it (ask), naming the tool. */
	map_ok(f, PRE("CronCreate", "{\"schedule\":\"* * * * *\",\"prompt\":\"x\","
	                            "\"anything\":1}"));
	assert_int_equal(f->r.mapping, AV_CLAUDE_UNMAPPED);
	assert_int_equal(f->a.kind, AV_KIND_MCP);
	assert_string_equal(f->a.in.mcp.server, AV_CLAUDE_PSEUDO_SERVER);
	assert_string_equal(f->a.in.mcp.tool, "CronCreate");
	assert_int_equal(f->a.in.mcp.nargs, 3);
	av_decide(f->p, &f->a, &f->arena, &d);
	assert_int_equal(d.verdict, AV_REVIEW);
	const char *rule = NULL;
	for (uint32_t i = 0; i < d.findings.count; i++)
		if (strcmp(d.findings.items[i].rule, "claude.unknown-tool") == 0)
			rule = d.findings.items[i].reason;
	assert_non_null(rule);
	assert_non_null(strstr(rule, "CronCreate"));
	char *ans = av_claude_answer(&d);
	assert_non_null(strstr(ans, "\"permissionDecision\":\"ask\""));
	assert_non_null(strstr(ans, "claude.unknown-tool"));
	free(ans);

	/* A project maps it, and the policy decides without the review. */
	struct av_policy *p = av_policy_new();
	struct av_error err;
	static const char layer[] = "version: 1\nlists:\n  mcp_tools:\n"
	                            "    - \"claude-code/CronCreate none\"\n";
	assert_non_null(p);
	assert_int_equal(av_policy_add_default(p, &err), 0);
	if (av_policy_add_layer(p, "project", layer, strlen(layer), &err) < 0)
		fail_msg("%s: %s", err.where, err.message);
	av_decide(p, &f->a, &f->arena, &d);
	assert_true(d.verdict <= AV_WARN);
	av_policy_free(p);

	/* The defensive path for a request with no action at all. */
	f->r.action_json = NULL;
	assert_int_equal(
	        av_claude_unmapped_decision(&f->r, AV_BLOCK, f->p, &f->arena, &d), 0);
	assert_int_equal(d.verdict, AV_BLOCK);
	assert_string_equal(d.findings.items[0].rule, "claude.unknown-tool");
}

/* ---- strictness -------------------------------------------------------- */

static void strict(void **state)
{
	struct fixture *f = *state;
	reject(f, "{", AV_E_JSON, "byte 1");
	reject(f, "[]", AV_E_FIELD, "");
	reject(f, PRE("Bash", "{\"command\":\"ls\",\"command\":\"rm\"}"), AV_E_JSON,
	       "byte 318");
	/* An unknown top-level field, and one the event does not carry. */
	reject(f,
	       "{" COMMON ",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
	       "\"tool_input\":{\"command\":\"ls\"},\"surprise\":1}",
	       AV_E_FIELD, "surprise");
	reject(f,
	       "{" COMMON ",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
	       "\"tool_input\":{\"command\":\"ls\"},\"tool_response\":{}}",
	       AV_E_FIELD, "tool_response");
	/* Unknown input fields of a mapped tool: the tool could do more than
	 * what we decide about. */
	reject(f, PRE("Bash", "{\"command\":\"ls\",\"sudo\":true}"), AV_E_FIELD,
	       "tool_input.sudo");
	reject(f, PRE("Bash", "{\"description\":\"x\"}"), AV_E_FIELD,
	       "tool_input.command");
	reject(f, PRE("Bash", "{\"command\":[\"ls\"]}"), AV_E_FIELD,
	       "tool_input.command");
	reject(f, PRE("Write", "{\"file_path\":\"/x\"}"), AV_E_FIELD,
	       "tool_input.content");
	reject(f, PRE("Read", "{\"file_path\":\"/x\",\"limit\":\"10\"}"), AV_E_FIELD,
	       "tool_input.limit");
	/* Required top-level fields, types, values. */
	reject(f,
	       "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"s\","
	       "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}",
	       AV_E_FIELD, "cwd");
	reject(f,
	       "{\"session_id\":\"s\",\"cwd\":\"app\",\"hook_event_name\":\"PreToolUse\","
	       "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}",
	       AV_E_FIELD, "cwd");
	reject(f, "{\"session_id\":\"s\",\"cwd\":\"/a\",\"hook_event_name\":\"Stop\"}",
	       AV_E_FIELD, "hook_event_name");
	reject(f, "{\"session_id\":\"s\",\"cwd\":\"/a\",\"tool_name\":\"Bash\"}",
	       AV_E_FIELD, "hook_event_name");
	reject(f,
	       "{" COMMON ",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
	       "\"tool_input\":\"ls\"}",
	       AV_E_FIELD, "tool_input");
	reject(f,
	       "{" COMMON ",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
	       "\"tool_input\":{\"command\":\"ls\"},\"mcp_server\":{\"name\":1}}",
	       AV_E_FIELD, "mcp_server.name");
	reject(f,
	       "{" COMMON ",\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Bash\","
	       "\"tool_input\":{\"command\":\"ls\"},\"tool_response\":{}}",
	       AV_E_FIELD, "tool_use_id");
	/* Limits. */
	char *big = malloc(AV_CLAUDE_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, ' ', AV_CLAUDE_MAX_BYTES + 1);
	big[AV_CLAUDE_MAX_BYTES + 1] = '\0';
	reject(f, big, AV_E_LIMIT, "");
	free(big);
}

/* ---- PostToolUse ------------------------------------------------------- */

static void post(void **state)
{
	struct fixture *f = *state;
	const char *json =
	        "{" COMMON ",\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Write\","
	        "\"tool_input\":{\"file_path\":\"/home/dev/app/"
	        "x.txt\",\"content\":\"hi\"},"
	        "\"tool_response\":{\"type\":\"create\",\"filePath\":\"/home/dev/app/"
	        "x.txt\"},"
	        "\"tool_use_id\":\"toolu_01ABCdef\",\"duration_ms\":12}";
	assert_int_equal(decode(f, json), 0);
	assert_int_equal(f->r.event, AV_CLAUDE_POST_TOOL_USE);
	assert_null(f->r.action_json);
	struct av_result res;
	struct av_error err;
	if (av_result_decode(f->r.result_json, f->r.result_json_len, &f->arena, &res,
	                     &err))
		fail_msg("%s: %s", f->r.result_json, err.message);
	assert_string_equal(res.id, "toolu_01ABCdef");
	assert_string_equal(res.session, "0b7c5e1a-9d1f-4c55-8f0e-2b1f6d3c9a10");
	assert_int_equal(res.exit_status, 0);
	assert_int_equal(res.duration_ms, 12);
	assert_int_equal(res.npaths, 1);
	assert_string_equal(res.paths_written[0], "/home/dev/app/x.txt");
	assert_true(res.has_output_digest);
	assert_int_equal(
	        res.output_bytes,
	        strlen("{\"type\":\"create\",\"filePath\":\"/home/dev/app/x.txt\"}"));

	assert_int_equal(decode(f,
	                        "{" COMMON ",\"hook_event_name\":\"PostToolUseFailure\","
	                        "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":"
	                        "\"false\"},\"tool_use_id\":\"t2\",\"error\":\"Exit "
	                        "code 1\",\"is_interrupt\":false}"),
	                 0);
	assert_int_equal(av_result_decode(f->r.result_json, f->r.result_json_len,
	                                  &f->arena, &res, &err),
	                 0);
	assert_int_equal(res.exit_status, 1);
	assert_string_equal(res.error, "Exit code 1");
	assert_int_equal(res.npaths, 0);
}

/* ---- answers from real decisions ----------------------------------------- */

/* Decides the mapped action of json under the default policy and returns
 * the answer (free it). */
static char *answer_for(struct fixture *f, const char *json, struct av_decision *d)
{
	map_ok(f, json);
	av_action_fill_context(&f->a, &(struct av_context){ .home = "/home/dev",
	                                                    .workspace = "/home/dev/app",
	                                                    .user = "dev" });
	av_decide(f->p, &f->a, &f->arena, d);
	char *ans = av_claude_answer(d);
	assert_non_null(ans);
	json_t *o = json_loads(ans, 0, NULL);
	assert_non_null(o);
	json_t *h = json_object_get(o, "hookSpecificOutput");
	assert_string_equal(json_string_value(json_object_get(h, "hookEventName")),
	                    "PreToolUse");
	assert_non_null(
	        json_string_value(json_object_get(h, "permissionDecisionReason")));
	json_decref(o);
	return ans;
}

static void answers(void **state)
{
	struct fixture *f = *state;
	struct av_decision d;
	char *ans = answer_for(f, PRE("Bash", "{\"command\":\"git status\"}"), &d);
	assert_int_equal(d.verdict, AV_ALLOW);
	assert_non_null(strstr(ans, "\"permissionDecision\":\"allow\""));
	free(ans);

	/* A write into a shell startup file: persistence, never allowed. */
	ans = answer_for(f,
	                 PRE("Write", "{\"file_path\":\"/home/dev/.bashrc\","
	                              "\"content\":\"echo hi\\n\"}"),
	                 &d);
	assert_true(d.verdict >= AV_REVIEW);
	assert_non_null(strstr(ans, d.verdict == AV_BLOCK
	                                    ? "\"permissionDecision\":\"deny\""
	                                    : "\"permissionDecision\":\"ask\""));
	/* The reason names the rule that decided. */
	const char *rule = NULL;
	for (uint32_t i = 0; i < d.findings.count; i++)
		if (d.findings.items[i].verdict == d.verdict)
			rule = d.findings.items[i].rule;
	assert_non_null(rule);
	assert_non_null(strstr(ans, rule));
	free(ans);

	/* A failed decision is a deny carrying the error. */
	struct av_error err;
	av_error_set(&err, AV_E_INTERNAL, "x.y", "broken");
	av_decision_from_error(&d, f->p, &err);
	ans = av_claude_answer(&d);
	assert_non_null(strstr(ans, "\"permissionDecision\":\"deny\""));
	assert_non_null(strstr(ans, "broken"));
	free(ans);

	ans = av_claude_answer_deny(AV_CLAUDE_PRE_TOOL_USE, "daemon \xff gone");
	assert_non_null(strstr(ans, "\"permissionDecision\":\"deny\""));
	assert_true(strstr(ans, "\\\\xFF") != NULL || strstr(ans, "\\\\xff") != NULL);
	free(ans);
	ans = av_claude_answer_deny(AV_CLAUDE_POST_TOOL_USE, "not recorded");
	assert_string_equal(ans, "{\"decision\":\"block\",\"reason\":\"agentvisor: not "
	                         "recorded\"}");
	free(ans);
}

/* ---- whole calls, recorded ------------------------------------------------ */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes the temporary state directory (best effort). */
static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void handle_recorded(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/av-claude-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct av_audit_opts ao;
	struct av_error err;
	assert_int_equal(av_audit_opts_default(&ao, &err), 0);
	struct av_audit_writer *log = NULL;
	if (av_audit_open(dir, &ao, &log, &err) < 0)
		fail_msg("%s", err.message);
	struct av_context ctx = { .home = "/home/dev", .user = "dev" };
	struct av_claude_opts o = { .unknown_tool = AV_REVIEW, .fallback = &ctx };
	struct av_claude_outcome out;

	const char *pre = PRE("Bash", "{\"command\":\"ls -la\"}");
	av_arena_reset(&f->arena);
	assert_int_equal(
	        av_claude_handle(f->p, log, NULL, pre, strlen(pre), &o, &f->arena, &out),
	        0);
	assert_false(out.failed);
	assert_non_null(strstr(out.answer, "\"permissionDecision\":\"allow\""));
	/* The workspace defaulted to the hook's cwd. */
	assert_string_equal(out.action.ctx.workspace, "/home/dev/app");
	uint64_t first = out.seq;
	free(out.answer);

	/* No home from the caller (an http hook over TCP): the transcript's
	 * directory says it, so ~ resolves and a startup file is one. */
	struct av_claude_opts bare = { .unknown_tool = AV_REVIEW };
	const char *rc = PRE("Bash", "{\"command\":\"echo x >> ~/.bashrc\"}");
	av_arena_reset(&f->arena);
	assert_int_equal(
	        av_claude_handle(f->p, log, NULL, rc, strlen(rc), &bare, &f->arena, &out),
	        0);
	assert_string_equal(out.action.ctx.home, "/home/dev");
	assert_true(out.decision.verdict >= AV_REVIEW);
	free(out.answer);

	const char *unk = PRE("RemoteTrigger", "{}");
	av_arena_reset(&f->arena);
	assert_int_equal(
	        av_claude_handle(f->p, log, NULL, unk, strlen(unk), &o, &f->arena, &out),
	        0);
	assert_non_null(strstr(out.answer, "\"permissionDecision\":\"ask\""));
	assert_true(out.seq > first);
	free(out.answer);

	const char *postj =
	        "{" COMMON ",\"hook_event_name\":\"PostToolUse\","
	        "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls -la\"},"
	        "\"tool_response\":{\"stdout\":\"a\\nb\\n\",\"stderr\":\"\","
	        "\"interrupted\":false,\"isImage\":false},"
	        "\"tool_use_id\":\"toolu_01ABCdef\"}";
	av_arena_reset(&f->arena);
	assert_int_equal(av_claude_handle(f->p, log, NULL, postj, strlen(postj), &o,
	                                  &f->arena, &out),
	                 0);
	assert_string_equal(out.answer, "{}");
	free(out.answer);

	/* Bad input: a deny, and still recorded. */
	const char *bad = PRE("Bash", "{\"cmd\":\"ls\"}");
	av_arena_reset(&f->arena);
	assert_int_equal(
	        av_claude_handle(f->p, log, NULL, bad, strlen(bad), &o, &f->arena, &out),
	        -1);
	assert_true(out.failed);
	assert_string_equal(out.error.where, "tool_input.cmd");
	assert_non_null(strstr(out.answer, "\"permissionDecision\":\"deny\""));
	free(out.answer);
	assert_int_equal(av_audit_close(log, &err), 0);

	/* The log holds the five calls: four decisions and one result. */
	struct av_audit_reader *rd;
	assert_int_equal(av_audit_reader_open(dir, &rd, &err), 0);
	struct av_audit_record rec;
	int decisions = 0, results = 0;
	while (av_audit_reader_next(rd, &rec, &err) == 1) {
		decisions += rec.type == AV_REC_DECISION;
		results += rec.type == AV_REC_RESULT;
		if (rec.type == AV_REC_RESULT)
			assert_non_null(strstr(rec.payload, "toolu_01ABCdef"));
	}
	av_audit_reader_free(rd);
	assert_int_equal(decisions, 4);
	assert_int_equal(results, 1);

	/* No log: nothing may be allowed. */
	struct av_error lerr;
	av_error_set(&lerr, AV_E_IO, dir, "the disk is gone");
	av_arena_reset(&f->arena);
	assert_int_equal(av_claude_handle(f->p, NULL, &lerr, pre, strlen(pre), &o,
	                                  &f->arena, &out),
	                 -1);
	assert_true(out.failed);
	assert_non_null(strstr(out.answer, "\"permissionDecision\":\"deny\""));
	assert_non_null(strstr(out.answer, "the disk is gone"));
	free(out.answer);
	av_arena_reset(&f->arena);
	assert_int_equal(av_claude_handle(f->p, NULL, &lerr, postj, strlen(postj), &o,
	                                  &f->arena, &out),
	                 -1);
	assert_non_null(strstr(out.answer, "\"decision\":\"block\""));
	free(out.answer);

	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bash, setup, teardown),
		cmocka_unit_test_setup_teardown(write_file, setup, teardown),
		cmocka_unit_test_setup_teardown(edit_file, setup, teardown),
		cmocka_unit_test_setup_teardown(multiedit, setup, teardown),
		cmocka_unit_test_setup_teardown(read_file, setup, teardown),
		cmocka_unit_test_setup_teardown(notebook, setup, teardown),
		cmocka_unit_test_setup_teardown(glob_grep, setup, teardown),
		cmocka_unit_test_setup_teardown(webfetch, setup, teardown),
		cmocka_unit_test_setup_teardown(mcp, setup, teardown),
		cmocka_unit_test_setup_teardown(agent, setup, teardown),
		cmocka_unit_test_setup_teardown(subagent_session, setup, teardown),
		cmocka_unit_test_setup_teardown(internal_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(strict, setup, teardown),
		cmocka_unit_test_setup_teardown(post, setup, teardown),
		cmocka_unit_test_setup_teardown(answers, setup, teardown),
		cmocka_unit_test_setup_teardown(handle_recorded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
