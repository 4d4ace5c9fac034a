/* test_policy.c - policy layers: loading, every class of load error with
 * its line:column, layering (disable, locked rules, list extension,
 * duplicate ids), the index, findings and their reasons, the digest, and
 * the policy test-file loader. Facts are built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "agentvisor/policy.h"
#include "policy/policy_internal.h"

/* ---- helpers ------------------------------------------------------------- */

static int add(struct av_policy *p, const char *name, const char *src,
               struct av_error *err)
{
	return av_policy_add_layer(p, name, src, strlen(src), err);
}

static void add_ok(struct av_policy *p, const char *name, const char *src)
{
	struct av_error err;
	if (add(p, name, src, &err) < 0) {
		print_error("layer %s failed: %s: %s\n", name, err.where, err.message);
		fail();
	}
}

/* Loads src as the only layer of a fresh policy and expects an error with
 * where == "t.yaml:LINE:COL" (or just the name when line is 0) and a
 * message containing needle. */
static void load_error(const char *src, int line, int col, const char *needle)
{
	struct av_policy *p = av_policy_new();
	assert_non_null(p);
	struct av_error err;
	int rc = add(p, "t.yaml", src, &err);
	if (rc == 0) {
		print_error("policy loaded but should not:\n%s\n", src);
		fail();
	}
	char where[64];
	if (line > 0)
		snprintf(where, sizeof(where), "t.yaml:%d:%d", line, col);
	else
		snprintf(where, sizeof(where), "t.yaml");
	if (strcmp(err.where, where) != 0 || strstr(err.message, needle) == NULL) {
		print_error("got %s: %s\nwant %s: ...%s...\n", err.where, err.message,
		            where, needle);
		fail();
	}
	assert_int_equal(av_policy_rule_count(p), 0);
	av_policy_free(p);
}

static struct av_action action;
static struct av_command cmds[1];
static const char *argv_rm[] = { "rm", "-rf", "/" };
static struct av_shell_result shell;
static struct av_effect effects[4];
static struct av_facts facts;
static struct av_arena arena;

static int setup(void **state)
{
	(void)state;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	memset(&action, 0, sizeof(action));
	action.kind = AV_KIND_SHELL;
	action.in.shell.command = "rm -rf / ; cat ~/.ssh/id_rsa";
	action.ctx = (struct av_context){ .cwd = "/home/u/p",
		                          .workspace = "/home/u/p",
		                          .home = "/home/u",
		                          .user = "u" };
	memset(cmds, 0, sizeof(cmds));
	cmds[0].argv = argv_rm;
	cmds[0].argc = 3;
	cmds[0].pipe_len = 1;
	shell = (struct av_shell_result){ .cmds = cmds, .ncmds = 1 };
	memset(effects, 0, sizeof(effects));
	effects[0] = (struct av_effect){ .kind = AV_FX_FS_DELETE,
		                         .flags = AV_FXF_RECURSIVE,
		                         .cmd = 0,
		                         .path = "/",
		                         .path_class = AV_PATH_ROOT };
	effects[1] = (struct av_effect){ .kind = AV_FX_FS_READ,
		                         .cmd = -1,
		                         .path = "/home/u/.ssh/id_rsa",
		                         .path_class = AV_PATH_SECRET };
	facts = (struct av_facts){
		.action = &action, .shell = &shell, .effects = effects, .neffects = 2
	};
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	av_arena_free(&arena);
	return 0;
}

static void eval_ok(const struct av_policy *p, struct av_finding_list *out,
                    uint32_t *counted)
{
	struct av_error err;
	memset(out, 0, sizeof(*out));
	if (av_policy_eval_counted(p, &facts, &arena, out, &err, counted) < 0) {
		print_error("eval failed: %s: %s\n", err.where, err.message);
		fail();
	}
}

static const struct av_finding *find(const struct av_finding_list *l, const char *id)
{
	for (uint32_t i = 0; i < l->count; i++)
		if (strcmp(l->items[i].rule, id) == 0)
			return &l->items[i];
	return NULL;
}

static const char basic[] =
        "version: 1\n"
        "description: test policy\n"
        "lists:\n"
        "  secret_dirs: [\"~/.ssh\", /etc/ssl/private]\n"
        "rules:\n"
        "  - id: fs.delete.root\n"
        "    on: fs.delete\n"
        "    when: 'recursive and path.class in [\"root\", \"system\"]'\n"
        "    verdict: block\n"
        "    risk: critical\n"
        "    reason: \"recursive delete of {path} ({path.class}) by {argv0}\"\n"
        "    safefix: \"delete a directory inside {workspace}\"\n"
        "    locked: true\n"
        "  - id: fs.read.secret\n"
        "    description: reading keys\n"
        "    on: [fs.read, fs.write]\n"
        "    when: path under list.secret_dirs\n"
        "    verdict: review\n"
        "    risk: high\n"
        "    reason: 'reads {path} (command {argv0})'\n"
        "  - id: action.long\n"
        "    on: action\n"
        "    when: effects.count >= 2\n"
        "    verdict: warn\n"
        "    risk: low\n"
        "    reason: '{effects.count} effects in {action.kind} action'\n"
        "  - id: net.any\n"
        "    on: net.send\n"
        "    verdict: review\n"
        "    risk: medium\n"
        "    reason: sends to {host}\n";

/* ---- loading and evaluating -------------------------------------------------- */

static void test_basic_eval(void **state)
{
	(void)state;
	struct av_policy *p = av_policy_new();
	add_ok(p, "basic.yaml", basic);
	assert_int_equal(av_policy_rule_count(p), 4);

	struct av_finding_list out;
	uint32_t counted;
	eval_ok(p, &out, &counted);
	assert_int_equal(out.count, 3);
	/* action-level findings come first, with effect -1 */
	assert_string_equal(out.items[0].rule, "action.long");
	assert_int_equal(out.items[0].effect, -1);
	assert_string_equal(out.items[0].reason, "2 effects in shell action");
	assert_null(out.items[0].safefix);
	assert_int_equal(out.items[0].verdict, AV_WARN);
	assert_int_equal(out.items[0].risk, AV_RISK_LOW);

	const struct av_finding *f = find(&out, "fs.delete.root");
	assert_non_null(f);
	assert_int_equal(f->effect, 0);
	assert_int_equal(f->verdict, AV_BLOCK);
	assert_int_equal(f->risk, AV_RISK_CRITICAL);
	assert_string_equal(f->reason, "recursive delete of / (root) by rm");
	assert_string_equal(f->safefix, "delete a directory inside /home/u/p");

	f = find(&out, "fs.read.secret");
	assert_non_null(f);
	assert_int_equal(f->effect, 1);
	assert_string_equal(f->reason, "reads /home/u/.ssh/id_rsa (command ?)");
	/* 1 action rule + 1 fs.delete rule + 1 fs.read rule; net.any untouched */
	assert_int_equal(counted, 3);
	av_policy_free(p);
}

static void test_index_touches_only_present_kinds(void **state)
{
	(void)state;
	/* 30 rules on net.send and 5 on fs.read; the facts have one fs.read */
	char *src = malloc(65536);
	size_t n = (size_t)snprintf(src, 65536, "version: 1\nrules:\n");
	for (int i = 0; i < 35; i++)
		n += (size_t)snprintf(
		        src + n, 65536 - n,
		        "  - {id: r%d, on: %s, when: 'path != null', verdict: warn, "
		        "risk: low, reason: r}\n",
		        i, i < 30 ? "net.send" : "fs.read");
	struct av_policy *p = av_policy_new();
	add_ok(p, "many.yaml", src);
	free(src);
	assert_int_equal(av_policy_rule_count(p), 35);
	facts.effects = &effects[1];
	facts.neffects = 1;
	struct av_finding_list out;
	uint32_t counted;
	eval_ok(p, &out, &counted);
	assert_int_equal(counted, 5);
	assert_int_equal(out.count, 5);
	/* two effects of the same kind: each rule runs once per effect */
	effects[2] = effects[1];
	facts.effects = &effects[1];
	facts.neffects = 2;
	eval_ok(p, &out, &counted);
	assert_int_equal(counted, 10);
	assert_int_equal(out.count, 10);
	assert_int_equal(out.items[9].effect, 1);
	/* no effects: nothing evaluated */
	facts.neffects = 0;
	eval_ok(p, &out, &counted);
	assert_int_equal(counted, 0);
	av_policy_free(p);
}

static void test_findings_limit(void **state)
{
	(void)state;
	struct av_policy *p = av_policy_new();
	add_ok(p, "x.yaml",
	       "version: 1\nrules:\n"
	       "  - {id: a, on: fs.read, verdict: warn, risk: low, reason: r}\n");
	static struct av_effect many[AV_MAX_FINDINGS + 1];
	for (size_t i = 0; i < AV_MAX_FINDINGS + 1; i++)
		many[i] = effects[1];
	facts.effects = many;
	facts.neffects = AV_MAX_FINDINGS + 1;
	struct av_finding_list out = { 0 };
	struct av_error err;
	assert_int_equal(av_policy_eval(p, &facts, &arena, &out, &err), -1);
	assert_int_equal(err.code, AV_E_LIMIT);
	av_policy_free(p);
}

static void test_regex_limit_fails_closed(void **state)
{
	(void)state;
	struct av_policy *p = av_policy_new();
	add_ok(p, "x.yaml",
	       "version: 1\nrules:\n"
	       "  - {id: re, on: fs.read, when: 'path matches \"^(a|aa)+$\"', verdict: "
	       "warn,\n"
	       "     risk: low, reason: r}\n");
	static char path[80];
	memset(path, 'a', sizeof(path) - 2);
	path[sizeof(path) - 2] = 'b';
	effects[1].path = path;
	struct av_finding_list out = { 0 };
	struct av_error err;
	assert_int_equal(av_policy_eval(p, &facts, &arena, &out, &err), -1);
	assert_int_equal(err.code, AV_E_LIMIT);
	assert_non_null(strstr(err.message, "match limit"));
	/* a normal subject matches without error */
	effects[1].path = "aaaa";
	assert_int_equal(av_policy_eval(p, &facts, &arena, &out, &err), 0);
	assert_int_equal(out.count, 1);
	av_policy_free(p);
}

static void test_digest(void **state)
{
	(void)state;
	struct av_policy *a = av_policy_new(), *b = av_policy_new();
	char empty[65];
	snprintf(empty, sizeof(empty), "%s", av_policy_digest(a));
	assert_int_equal(strlen(empty), 64);
	add_ok(a, "basic.yaml", basic);
	add_ok(b, "basic.yaml", basic);
	assert_string_equal(av_policy_digest(a), av_policy_digest(b));
	assert_string_not_equal(av_policy_digest(a), empty);
	/* the same source under another name is another policy */
	struct av_policy *c = av_policy_new();
	add_ok(c, "other.yaml", basic);
	assert_string_not_equal(av_policy_digest(a), av_policy_digest(c));
	/* one changed byte changes the digest */
	char *changed = strdup(basic);
	strstr(changed, "test policy")[5] = 'P';
	struct av_policy *d = av_policy_new();
	add_ok(d, "basic.yaml", changed);
	assert_string_not_equal(av_policy_digest(a), av_policy_digest(d));
	/* adding a layer changes it; a failed layer does not */
	char before[65];
	snprintf(before, sizeof(before), "%s", av_policy_digest(a));
	struct av_error err;
	assert_int_equal(add(a, "bad.yaml", "version: 2\n", &err), -1);
	assert_string_equal(av_policy_digest(a), before);
	add_ok(a, "more.yaml", "version: 1\n");
	assert_string_not_equal(av_policy_digest(a), before);
	free(changed);
	av_policy_free(a);
	av_policy_free(b);
	av_policy_free(c);
	av_policy_free(d);
}

static void test_default_policy(void **state)
{
	(void)state;
	size_t len = 0;
	const char *src = av_policy_default_source(&len);
	assert_non_null(src);
	assert_int_equal(strlen(src), len);
	struct av_policy *p = av_policy_new();
	struct av_error err;
	if (av_policy_add_default(p, &err) < 0) {
		print_error("default policy: %s: %s\n", err.where, err.message);
		fail();
	}
	assert_true(av_policy_rule_count(p) > 0);
	struct av_finding_list out;
	eval_ok(p, &out, NULL);
	av_policy_free(p);
}

/* ---- layering ------------------------------------------------------------------ */

static void test_layers_disable_and_lists(void **state)
{
	(void)state;
	struct av_policy *p = av_policy_new();
	add_ok(p, "base.yaml", basic);
	/* list extension reaches rules of the earlier layer */
	effects[1].path = "/srv/keys/k";
	effects[1].path_class = AV_PATH_OTHER;
	struct av_finding_list out;
	eval_ok(p, &out, NULL);
	assert_null(find(&out, "fs.read.secret"));
	add_ok(p, "project.yaml",
	       "version: 1\n"
	       "lists:\n"
	       "  secret_dirs: [/srv/keys]\n"
	       "  mine: []\n"
	       "disable: [action.long]\n"
	       "rules:\n"
	       "  - id: project.extra\n"
	       "    on: fs.read\n"
	       "    when: path under list.secret_dirs and not (path under list.mine)\n"
	       "    verdict: block\n"
	       "    risk: high\n"
	       "    reason: extra\n");
	assert_int_equal(av_policy_rule_count(p), 4); /* 4 - 1 disabled + 1 new */
	eval_ok(p, &out, NULL);
	assert_non_null(find(&out, "fs.read.secret"));
	assert_non_null(find(&out, "project.extra"));
	assert_null(find(&out, "action.long"));
	/* the earlier entries are still there */
	effects[1].path = "/home/u/.ssh/id_rsa";
	eval_ok(p, &out, NULL);
	assert_non_null(find(&out, "fs.read.secret"));

	/* a locked rule cannot be disabled; the error names the rule, where it
	 * is defined, and points at the disable entry */
	struct av_error err;
	char before[65];
	snprintf(before, sizeof(before), "%s", av_policy_digest(p));
	assert_int_equal(
	        add(p, "user.yaml",
	            "version: 1\ndisable:\n  - fs.read.secret\n  - fs.delete.root\n",
	            &err),
	        -1);
	assert_int_equal(err.code, AV_E_POLICY);
	assert_string_equal(err.where, "user.yaml:4:5");
	assert_non_null(strstr(err.message, "\"fs.delete.root\""));
	assert_non_null(strstr(err.message, "locked"));
	assert_non_null(strstr(err.message, "base.yaml:6:5"));
	/* ... and the failed layer changed nothing: fs.read.secret still on */
	assert_int_equal(av_policy_rule_count(p), 4);
	assert_string_equal(av_policy_digest(p), before);
	eval_ok(p, &out, NULL);
	assert_non_null(find(&out, "fs.read.secret"));

	/* unknown ids, and ids defined in the same file */
	assert_int_equal(add(p, "u.yaml", "version: 1\ndisable: [no.such.rule]\n", &err),
	                 -1);
	assert_string_equal(err.where, "u.yaml:2:11");
	assert_non_null(strstr(err.message, "no earlier layer defines it"));
	assert_int_equal(
	        add(p, "u.yaml",
	            "version: 1\ndisable: [own]\nrules:\n"
	            "  - {id: own, on: action, verdict: warn, risk: low, reason: r}\n",
	            &err),
	        -1);
	assert_non_null(strstr(err.message, "same file"));

	/* duplicate ids across layers */
	assert_int_equal(add(p, "dup.yaml",
	                     "version: 1\nrules:\n"
	                     "  - {id: net.any, on: action, verdict: warn, risk: low, "
	                     "reason: r}\n",
	                     &err),
	                 -1);
	assert_string_equal(err.where, "dup.yaml:3:10");
	assert_non_null(strstr(err.message, "base.yaml:"));

	/* disabling an already disabled rule is harmless */
	add_ok(p, "again.yaml", "version: 1\ndisable: [action.long]\n");
	assert_int_equal(av_policy_rule_count(p), 4);
	av_policy_free(p);
}

static void test_list_extension_is_not_duplication(void **state)
{
	(void)state;
	load_error("version: 1\nlists:\n  a: [x]\n  a: [y]\n", 4, 3,
	           "Duplicate key \"a\"");
	struct av_policy *p = av_policy_new();
	add_ok(p, "1.yaml", "version: 1\nlists:\n  hosts: [a.com]\n");
	add_ok(p, "2.yaml", "version: 1\nlists:\n  hosts: [\"*.b.com\"]\n");
	add_ok(p, "3.yaml",
	       "version: 1\nrules:\n"
	       "  - {id: h, on: net.send, when: host in list.hosts, verdict: warn,\n"
	       "     risk: low, reason: '{host}'}\n");
	effects[1] = (struct av_effect){ .kind = AV_FX_NET_SEND,
		                         .cmd = -1,
		                         .host = "x.b.com" };
	struct av_finding_list out;
	eval_ok(p, &out, NULL);
	assert_non_null(find(&out, "h"));
	effects[1].host = "a.com";
	eval_ok(p, &out, NULL);
	assert_non_null(find(&out, "h"));
	effects[1].host = "c.com";
	eval_ok(p, &out, NULL);
	assert_null(find(&out, "h"));
	av_policy_free(p);
}

/* ---- load errors, each with its position ------------------------------------------ */

#define RULE_HEAD "version: 1\nrules:\n  - id: r1\n    on: fs.read\n"

static void test_errors_structure(void **state)
{
	(void)state;
	load_error("", 1, 1, "empty");
	load_error("version: 1\nrules: [\n", 3, 1, "not valid YAML");
	load_error("version: 1\n\tbad: 1\n", 2, 1, "not valid YAML");
	load_error("- a\n- b\n", 1, 1, "must be a mapping");
	load_error("version: 1\nrulez: []\n", 2, 1,
	           "Unknown key \"rulez\" in the policy");
	load_error("version: 1\nversion: 1\n", 2, 1, "Duplicate key \"version\"");
	load_error("description: x\n", 1, 1, "no \"version\" key");
	load_error("version: 2\n", 1, 10, "Unsupported policy version \"2\"");
	load_error("version: \"1\"\n", 1, 10, "must be the number 1");
	load_error("version: 1\nrules: {a: 1}\n", 2, 8, "must be a list of rules");
	load_error("version: 1\nrules: [x]\n", 2, 9, "must be a mapping (a rule)");
	load_error("version: 1\nlists: [a]\n", 2, 8, "must be a mapping from list names");
	load_error("version: 1\nlists:\n  a: b\n", 3, 6, "must be a list of strings");
	load_error("version: 1\nlists:\n  Bad: [x]\n", 3, 3,
	           "list name \"Bad\" is invalid");
	load_error("version: 1\nlists:\n  a: [x, [y]]\n", 3, 10,
	           "must be a string, not a list");
	load_error("version: 1\nlists:\n  a: [x, ~]\n", 3, 10,
	           "must be a string, not null");
	load_error("version: 1\ndisable: x\n", 2, 10, "must be a list of rule ids");
	load_error("version: 1\ndescription: [a]\n", 2, 14, "must be a string");
	load_error("version: 1\nlists: &x {a: [b]}\n", 2, 8, "anchors");
	load_error("version: 1\n---\nversion: 1\n", 2, 1, "more than one YAML document");
}

static void test_errors_rules(void **state)
{
	(void)state;
	load_error(RULE_HEAD
	           "    verdict: block\n    risk: high\n    reason: r\n    whne: x\n",
	           8, 5, "Unknown key \"whne\" in rule \"r1\"");
	load_error(
	        RULE_HEAD
	        "    verdict: block\n    verdict: warn\n    risk: high\n    reason: r\n",
	        6, 5, "Duplicate key \"verdict\" in rule \"r1\"");
	load_error(RULE_HEAD "    risk: high\n    reason: r\n", 3, 5,
	           "Rule \"r1\" has no \"verdict\" key");
	load_error("version: 1\nrules:\n  - on: fs.read\n    verdict: block\n", 3, 5,
	           "no \"id\" key");
	load_error("version: 1\nrules:\n  - id: Bad_Id\n", 3, 9,
	           "rule id \"Bad_Id\" is invalid");
	load_error(RULE_HEAD "    verdict: deny\n    risk: high\n    reason: r\n", 5, 14,
	           "unknown verdict \"deny\"");
	load_error(RULE_HEAD "    verdict: block\n    risk: severe\n    reason: r\n", 6,
	           11, "unknown risk \"severe\"");
	load_error("version: 1\nrules:\n  - id: r1\n    on: fs.nuke\n    verdict: block\n"
	           "    risk: high\n    reason: r\n",
	           4, 9, "unknown effect kind \"fs.nuke\"");
	load_error("version: 1\nrules:\n  - id: r1\n    on: [action, fs.read]\n    "
	           "verdict: block\n"
	           "    risk: high\n    reason: r\n",
	           4, 18, "cannot be combined");
	load_error("version: 1\nrules:\n  - id: r1\n    on: []\n    verdict: block\n"
	           "    risk: high\n    reason: r\n",
	           4, 9, "at least one");
	load_error(RULE_HEAD "    verdict: block\n    risk: high\n    reason: [r]\n", 7,
	           13, "\"reason\" must be a string, not a list");
	load_error(RULE_HEAD
	           "    verdict: block\n    risk: high\n    reason: r\n    locked: yes\n",
	           8, 13, "must be true or false");
	load_error("version: 1\nrules:\n"
	           "  - {id: a, on: action, verdict: warn, risk: low, reason: r}\n"
	           "  - {id: a, on: action, verdict: warn, risk: low, reason: r}\n",
	           4, 10, "Duplicate rule id \"a\"; it is already defined at t.yaml:3:5");
}

static void test_errors_expressions(void **state)
{
	(void)state;
	/* plain scalar: the exact column of the problem */
	load_error(RULE_HEAD "    when: path == 5\n    verdict: block\n    risk: high\n"
	                     "    reason: r\n",
	           5, 16,
	           "cannot compare a string with a number (column 6 of the expression)");
	/* quoted scalar: shifted by the quote */
	load_error(RULE_HEAD
	           "    when: 'pth == \"x\"'\n    verdict: block\n    risk: high\n"
	           "    reason: r\n",
	           5, 12, "unknown field 'pth' (column 1 of the expression)");
	load_error(RULE_HEAD
	           "    when: \"path matches '(x'\"\n    verdict: block\n    risk: high\n"
	           "    reason: r\n",
	           5, 17, "invalid regular expression");
	load_error(RULE_HEAD
	           "    when: host in list.nope\n    verdict: block\n    risk: high\n"
	           "    reason: r\n",
	           5, 19, "unknown list 'list.nope'");
	/* a folded scalar: the scalar's start, and the column inside the text */
	load_error(
	        RULE_HEAD
	        "    when: >\n      path == '/x' and\n      bogus\n    verdict: block\n"
	        "    risk: high\n    reason: r\n",
	        5, 11, "unknown field 'bogus' (column 18 of the expression)");
	/* escapes in a double-quoted scalar: no exact mapping, start of it */
	load_error(RULE_HEAD "    when: \"path == \\\"x\\\" and @\"\n    verdict: block\n"
	                     "    risk: high\n    reason: r\n",
	           5, 11,
	           "unexpected character (strings need quotes) (column 17 of the "
	           "expression)");
	load_error(RULE_HEAD
	           "    when: ''\n    verdict: block\n    risk: high\n    reason: r\n",
	           5, 12, "empty");
	/* an action-level rule cannot read effect fields, in when or reason */
	load_error("version: 1\nrules:\n  - id: r1\n    on: action\n    when: recursive\n"
	           "    verdict: block\n    risk: high\n    reason: r\n",
	           5, 11, "always null in an action-level rule");
	load_error("version: 1\nrules:\n  - id: r1\n    on: action\n"
	           "    verdict: block\n    risk: high\n    reason: 'at {path}'\n",
	           7, 17, "always null in an action-level rule");
	/* reason placeholders are checked at load */
	load_error(RULE_HEAD
	           "    verdict: block\n    risk: high\n    reason: 'x {pth} y'\n",
	           7, 16, "unknown field '{pth}' (column 3 of the text)");
	load_error(RULE_HEAD "    verdict: block\n    risk: high\n    reason: r\n"
	                     "    safefix: 'use {path'\n",
	           8, 19, "not closed");
}

static void test_errors_limits(void **state)
{
	(void)state;
	struct av_policy *p = av_policy_new();
	struct av_error err;
	assert_int_equal(
	        av_policy_add_layer(p, "big.yaml", "", AV_POLICY_MAX_BYTES + 1, &err),
	        -1);
	assert_int_equal(err.code, AV_E_LIMIT);
	/* deep nesting is refused before a tree is built */
	char deep[400];
	size_t n = (size_t)snprintf(deep, sizeof(deep), "version: 1\ndescription: ");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_int_equal(add(p, "deep.yaml", deep, &err), -1);
	assert_non_null(strstr(err.message, "nesting is deeper"));
	/* NUL bytes inside a scalar */
	static const char nul[] = "version: 1\ndescription: \"a\\0b\"\n";
	assert_int_equal(add(p, "nul.yaml", nul, &err), -1);
	assert_non_null(strstr(err.message, "NUL"));
	av_policy_free(p);
}

/* ---- test files ------------------------------------------------------------------- */

static const char tests_yaml[] =
        "policy: [extra.yaml, /abs/p.yaml]\n"
        "tests:\n"
        "  - name: rm -rf / is blocked\n"
        "    action: {kind: shell, input: {command: \"rm -rf /\"},\n"
        "             context: {cwd: /home/u/p, home: /home/u}}\n"
        "    expect: block\n"
        "    rule: fs.delete.root\n"
        "    not_rule: [a, b]\n"
        "  - name: chmod\n"
        "    action:\n"
        "      kind: file\n"
        "      input: {op: chmod, path: x, mode: 0755}\n"
        "      flags: [true, 1]\n"
        "    expect: allow\n";

static void test_tests_loader(void **state)
{
	(void)state;
	struct av_policy_tests *t;
	struct av_error err;
	int rc = av_policy_tests_parse("dir/t.yaml", tests_yaml, strlen(tests_yaml),
	                               "dir", &t, &err);
	if (rc < 0) {
		print_error("%s: %s\n", err.where, err.message);
		fail();
	}
	assert_int_equal(t->npolicy_files, 2);
	assert_string_equal(t->policy_files[0], "dir/extra.yaml");
	assert_string_equal(t->policy_files[1], "/abs/p.yaml");
	assert_int_equal(t->count, 2);
	const struct av_policy_test *a = &t->tests[0];
	assert_string_equal(a->name, "rm -rf / is blocked");
	assert_string_equal(a->where, "dir/t.yaml:3:5");
	assert_string_equal(a->action_json,
	                    "{\"kind\":\"shell\",\"input\":{\"command\":\"rm -rf /\"},"
	                    "\"context\":{\"cwd\":\"/home/u/p\",\"home\":\"/home/u\"}}");
	assert_int_equal(a->action_json_len, strlen(a->action_json));
	assert_int_equal(a->expect, AV_BLOCK);
	assert_int_equal(a->nrules, 1);
	assert_string_equal(a->rules[0], "fs.delete.root");
	assert_int_equal(a->nnot_rules, 2);
	assert_string_equal(a->not_rules[1], "b");
	/* every scalar is a string: 0755 stays "0755" */
	assert_string_equal(
	        t->tests[1].action_json,
	        "{\"kind\":\"file\",\"input\":{\"op\":\"chmod\",\"path\":\"x\","
	        "\"mode\":\"0755\"},\"flags\":[\"true\",\"1\"]}");
	assert_int_equal(t->tests[1].nrules, 0);

	/* checking outcomes */
	struct av_finding items[2] = { { .rule = "fs.delete.root" }, { .rule = "x" } };
	struct av_finding_list fl = { .items = items, .count = 2 };
	char why[200];
	assert_true(av_policy_test_check(a, AV_BLOCK, &fl, why, sizeof(why)));
	assert_false(av_policy_test_check(a, AV_REVIEW, &fl, why, sizeof(why)));
	assert_non_null(strstr(why, "Expected block but the verdict was review"));
	assert_non_null(strstr(why, "fs.delete.root, x"));
	items[0].rule = "b";
	assert_false(av_policy_test_check(a, AV_BLOCK, &fl, why, sizeof(why)));
	assert_non_null(strstr(why, "Rule fs.delete.root did not fire"));
	items[0].rule = "fs.delete.root";
	items[1].rule = "a";
	assert_false(av_policy_test_check(a, AV_BLOCK, &fl, why, sizeof(why)));
	assert_non_null(strstr(why, "Rule a fired but must not"));
	av_policy_tests_free(t);
}

static void tests_error(const char *src, const char *where, const char *needle)
{
	struct av_policy_tests *t = NULL;
	struct av_error err;
	assert_int_equal(
	        av_policy_tests_parse("t.yaml", src, strlen(src), NULL, &t, &err), -1);
	assert_null(t);
	if (strcmp(err.where, where) != 0 || strstr(err.message, needle) == NULL) {
		print_error("got %s: %s\nwant %s: ...%s...\n", err.where, err.message,
		            where, needle);
		fail();
	}
}

static void test_tests_loader_errors(void **state)
{
	(void)state;
	tests_error("", "t.yaml:1:1", "empty");
	tests_error("policy: []\n", "t.yaml:1:1", "no \"tests\" key");
	tests_error("tests: []\nextra: 1\n", "t.yaml:2:1", "Unknown key \"extra\"");
	tests_error("tests:\n  - name: a\n    action: {kind: shell}\n", "t.yaml:2:5",
	            "no \"expect\" key");
	tests_error("tests:\n  - name: a\n    action: {kind: shell}\n    expect: deny\n",
	            "t.yaml:4:13", "unknown verdict \"deny\"");
	tests_error("tests:\n  - name: a\n    action: [x]\n    expect: block\n",
	            "t.yaml:3:13", "must be a mapping");
	tests_error("tests:\n  - name: a\n    action: {kind: a, kind: b}\n    expect: "
	            "block\n",
	            "t.yaml:3:23", "Duplicate key \"kind\" in the action");
	tests_error("tests:\n  - name: a\n    action: {kind: a}\n    expect: block\n    "
	            "rules: x\n",
	            "t.yaml:5:5", "Unknown key \"rules\" in a test");
	tests_error("policy: [[a]]\ntests: []\n", "t.yaml:1:10", "must be a string");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/av-policy-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char pol[128], tst[128], missing[128];
	snprintf(pol, sizeof(pol), "%s/extra.yaml", dir);
	snprintf(tst, sizeof(tst), "%s/t.tests.yaml", dir);
	snprintf(missing, sizeof(missing), "%s/missing.yaml", dir);
	write_file(pol, "version: 1\nrules:\n"
	                "  - {id: extra.one, on: fs.read, verdict: warn, risk: low, "
	                "reason: r}\n");
	write_file(tst, "policy: extra.yaml\ntests:\n"
	                "  - {name: n, action: {kind: shell}, expect: allow}\n");

	struct av_error err;
	struct av_policy_tests *t;
	assert_int_equal(av_policy_tests_load(tst, &t, &err), 0);
	assert_int_equal(t->npolicy_files, 1);
	assert_string_equal(t->policy_files[0], pol);
	assert_int_equal(t->count, 1);
	assert_string_equal(t->tests[0].action_json, "{\"kind\":\"shell\"}");

	struct av_policy *def = av_policy_new(), *p;
	assert_int_equal(av_policy_add_default(def, &err), 0);
	assert_int_equal(av_policy_tests_policy(t, &p, &err), 0);
	assert_int_equal(av_policy_rule_count(p), av_policy_rule_count(def) + 1);
	/* a file that cannot be read leaves the policy as it was */
	assert_int_equal(av_policy_add_file(p, missing, &err), -1);
	assert_int_equal(err.code, AV_E_IO);
	assert_int_equal(av_policy_rule_count(p), av_policy_rule_count(def) + 1);
	av_policy_free(p);
	av_policy_free(def);
	av_policy_tests_free(t);
	/* a test file naming a policy that does not exist */
	write_file(tst, "policy: [missing.yaml]\ntests: []\n");
	assert_int_equal(av_policy_tests_load(tst, &t, &err), 0);
	assert_int_equal(av_policy_tests_policy(t, &p, &err), -1);
	assert_null(p);
	assert_int_equal(err.code, AV_E_IO);
	av_policy_tests_free(t);
	assert_int_equal(av_policy_tests_load(missing, &t, &err), -1);
	assert_int_equal(err.code, AV_E_IO);
	unlink(pol);
	unlink(tst);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic_eval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_touches_only_present_kinds,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_findings_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex_limit_fails_closed, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layers_disable_and_lists, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_list_extension_is_not_duplication,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_structure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_expressions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tests_loader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tests_loader_errors, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
