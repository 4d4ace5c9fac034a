/* policy_tests.c - the loader of policy test files (`policy test`): actions
 * written as YAML with the verdict they must get. Each action mapping is
 * turned into the JSON text the action decoder reads, so a test goes
 * through exactly the path a real request does. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/policy.h"
#include "agentvisor/sys.h"
#include "policy/yaml_doc.h"

struct av_policy_tests_mem {
	struct av_arena arena;
};

struct tloader {
	struct av_ydoc y;
	struct av_arena *arena;
	struct av_error *err;
	const char *base_dir;
};

static int tnomem(struct tloader *tl)
{
	return av_error_set(tl->err, AV_E_NOMEM, tl->y.name,
	                    "Out of memory loading the tests.");
}

/* Every scalar becomes a JSON string: the action schema is made of strings,
 * and YAML's guesses (0755 as a number, yes as a boolean) would only get in
 * the way. */
static json_t *to_json(struct tloader *tl, yaml_node_t *n, int depth)
{
	struct av_ydoc *y = &tl->y;
	if (depth > AV_ACTION_MAX_DEPTH) {
		av_ydoc_fail(y, n, "The action nests deeper than %d levels.",
		             AV_ACTION_MAX_DEPTH);
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		json_t *s = json_stringn((const char *)n->data.scalar.value,
		                         n->data.scalar.length);
		if (s == NULL)
			av_ydoc_fail(y, n, "This value is not valid UTF-8.");
		return s;
	}
	case YAML_SEQUENCE_NODE: {
		json_t *arr = json_array();
		if (arr == NULL) {
			tnomem(tl);
			return NULL;
		}
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			json_t *v = to_json(tl, av_ydoc_node(y, *it), depth + 1);
			if (v == NULL || json_array_append_new(arr, v) < 0) {
				json_decref(arr);
				return NULL;
			}
		}
		return arr;
	}
	case YAML_MAPPING_NODE: {
		json_t *obj = json_object();
		if (obj == NULL) {
			tnomem(tl);
			return NULL;
		}
		for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
		     pr < n->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = av_ydoc_node(y, pr->key);
			const char *key;
			size_t klen;
			if (av_ydoc_string(y, k, "A key in the action", &key, &klen) <
			    0) {
				json_decref(obj);
				return NULL;
			}
			if (json_object_get(obj, key) != NULL) {
				av_ydoc_fail(y, k,
				             "Duplicate key \"%.64s\" in the action.",
				             key);
				json_decref(obj);
				return NULL;
			}
			json_t *v = to_json(tl, av_ydoc_node(y, pr->value), depth + 1);
			if (v == NULL || json_object_set_new(obj, key, v) < 0) {
				json_decref(obj);
				return NULL;
			}
		}
		return obj;
	}
	default:
		av_ydoc_fail(y, n, "The action holds an empty YAML node.");
		return NULL;
	}
}

/* A string, or a list of strings, as an array in the arena. */
static int string_list(struct tloader *tl, yaml_node_t *n, const char *what,
                       const char *const **out, uint32_t *count)
{
	struct av_ydoc *y = &tl->y;
	const char **items = NULL;
	uint32_t cnt = 0, cap = 0;
	yaml_node_item_t *it = NULL, *end = NULL;
	yaml_node_t *one = n;
	if (n->type == YAML_SEQUENCE_NODE) {
		it = n->data.sequence.items.start;
		end = n->data.sequence.items.top;
	}
	for (;;) {
		if (it != NULL) {
			if (it == end)
				break;
			one = av_ydoc_node(y, *it++);
		}
		const char *s;
		size_t len;
		if (av_ydoc_string(y, one, what, &s, &len) < 0)
			return -1;
		const char **slot = av_arena_push(tl->arena, (void **)&items, &cnt, &cap,
		                                  sizeof(*slot), UINT32_MAX);
		if (slot == NULL || (*slot = av_arena_strndup(tl->arena, s, len)) == NULL)
			return tnomem(tl);
		if (it == NULL)
			break;
	}
	*out = items;
	*count = cnt;
	return 0;
}

static const char *join_path(struct tloader *tl, const char *path)
{
	if (path[0] == '/' || tl->base_dir == NULL || tl->base_dir[0] == '\0')
		return av_arena_strdup(tl->arena, path);
	size_t bl = strlen(tl->base_dir);
	return av_arena_printf(tl->arena, "%s%s%s", tl->base_dir,
	                       tl->base_dir[bl - 1] == '/' ? "" : "/", path);
}

enum test_key { XK_NAME = 0, XK_ACTION, XK_EXPECT, XK_RULE, XK_NOT_RULE, XK_COUNT };

static const char *const test_keys[XK_COUNT] = {
	[XK_NAME] = "name", [XK_ACTION] = "action",     [XK_EXPECT] = "expect",
	[XK_RULE] = "rule", [XK_NOT_RULE] = "not_rule",
};

static int load_test(struct tloader *tl, yaml_node_t *n, struct av_policy_test *t)
{
	struct av_ydoc *y = &tl->y;
	yaml_node_t *v[XK_COUNT];
	if (av_ydoc_mapping(y, n, "a test", test_keys, XK_COUNT, v) < 0)
		return -1;
	t->where = av_arena_printf(tl->arena, "%s:%zu:%zu", y->name,
	                           n->start_mark.line + 1, n->start_mark.column + 1);
	if (t->where == NULL)
		return tnomem(tl);
	static const enum test_key required[] = { XK_NAME, XK_ACTION, XK_EXPECT };
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (v[required[i]] == NULL)
			return av_ydoc_fail(y, n,
			                    "A test has no \"%s\" key; it is required.",
			                    test_keys[required[i]]);
	const char *s;
	size_t len;
	if (av_ydoc_string(y, v[XK_NAME], "A test's \"name\"", &s, &len) < 0)
		return -1;
	if ((t->name = av_arena_strndup(tl->arena, s, len)) == NULL)
		return tnomem(tl);
	char what[160];
	snprintf(what, sizeof(what), "Test \"%.100s\": \"expect\"", t->name);
	if (av_ydoc_string(y, v[XK_EXPECT], what, &s, &len) < 0)
		return -1;
	if (av_verdict_parse(s, len, &t->expect) < 0)
		return av_ydoc_fail(
		        y, v[XK_EXPECT],
		        "Test \"%.100s\": unknown verdict \"%.32s\"; use allow, warn, "
		        "review or block.",
		        t->name, s);
	if (v[XK_ACTION]->type != YAML_MAPPING_NODE)
		return av_ydoc_fail(
		        y, v[XK_ACTION],
		        "Test \"%.100s\": \"action\" must be a mapping (an action "
		        "as in the JSON protocol).",
		        t->name);
	json_t *j = to_json(tl, v[XK_ACTION], 1);
	if (j == NULL)
		return -1;
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text == NULL)
		return tnomem(tl);
	t->action_json_len = strlen(text);
	t->action_json = av_arena_strndup(tl->arena, text, t->action_json_len);
	free(text);
	if (t->action_json == NULL)
		return tnomem(tl);
	snprintf(what, sizeof(what), "Test \"%.100s\": \"rule\"", t->name);
	if (v[XK_RULE] != NULL &&
	    string_list(tl, v[XK_RULE], what, &t->rules, &t->nrules) < 0)
		return -1;
	snprintf(what, sizeof(what), "Test \"%.100s\": \"not_rule\"", t->name);
	if (v[XK_NOT_RULE] != NULL &&
	    string_list(tl, v[XK_NOT_RULE], what, &t->not_rules, &t->nnot_rules) < 0)
		return -1;
	return 0;
}

static int load_tests_doc(struct tloader *tl, struct av_policy_tests *out)
{
	struct av_ydoc *y = &tl->y;
	yaml_node_t *root = av_ydoc_root(y);
	if (root == NULL)
		return av_ydoc_fail_at(y, 1, 1,
		                       "The test file is empty; it needs \"tests:\".");
	static const char *const keys[] = { "policy", "tests" };
	yaml_node_t *v[2];
	if (av_ydoc_mapping(y, root, "the test file", keys, 2, v) < 0)
		return -1;
	if (v[0] != NULL) {
		const char *const *files;
		uint32_t n;
		if (string_list(tl, v[0], "Every entry of \"policy\"", &files, &n) < 0)
			return -1;
		const char **resolved =
		        av_arena_alloc(tl->arena, ((size_t)n + 1) * sizeof(char *));
		if (resolved == NULL)
			return tnomem(tl);
		for (uint32_t i = 0; i < n; i++)
			if ((resolved[i] = join_path(tl, files[i])) == NULL)
				return tnomem(tl);
		out->policy_files = resolved;
		out->npolicy_files = n;
	}
	if (v[1] == NULL)
		return av_ydoc_fail(y, root, "The test file has no \"tests\" key.");
	if (v[1]->type != YAML_SEQUENCE_NODE)
		return av_ydoc_fail(y, v[1],
		                    "The key \"tests\" must be a list of tests.");
	size_t n =
	        (size_t)(v[1]->data.sequence.items.top - v[1]->data.sequence.items.start);
	struct av_policy_test *tests =
	        av_arena_alloc(tl->arena, (n + 1) * sizeof(*tests));
	if (tests == NULL)
		return tnomem(tl);
	for (size_t i = 0; i < n; i++)
		if (load_test(tl, av_ydoc_node(y, v[1]->data.sequence.items.start[i]),
		              &tests[i]) < 0)
			return -1;
	out->tests = tests;
	out->count = (uint32_t)n;
	return 0;
}

void av_policy_tests_free(struct av_policy_tests *t)
{
	if (t == NULL)
		return;
	if (t->mem != NULL) {
		av_arena_free(&t->mem->arena);
		free(t->mem);
	}
	free(t);
}

int av_policy_tests_parse(const char *name, const char *src, size_t len,
                          const char *base_dir, struct av_policy_tests **out,
                          struct av_error *err)
{
	*out = NULL;
	if (name == NULL)
		name = "<tests>";
	if (len > AV_POLICY_TESTS_MAX_BYTES)
		return av_error_set(err, AV_E_LIMIT, name,
		                    "The test file is %zu bytes; the limit is %zu.", len,
		                    AV_POLICY_TESTS_MAX_BYTES);
	struct av_policy_tests *t = calloc(1, sizeof(*t));
	if (t == NULL || (t->mem = calloc(1, sizeof(*t->mem))) == NULL) {
		free(t);
		return av_error_set(err, AV_E_NOMEM, name, "Out of memory.");
	}
	av_arena_init(&t->mem->arena, AV_ARENA_DEFAULT_CAP);
	struct tloader tl = { .arena = &t->mem->arena, .err = err, .base_dir = base_dir };
	/* The where strings outlive the document: keep a copy of the name. */
	const char *own_name = av_arena_strdup(tl.arena, name);
	if (own_name == NULL) {
		av_policy_tests_free(t);
		return av_error_set(err, AV_E_NOMEM, name, "Out of memory.");
	}
	if (av_ydoc_load(&tl.y, own_name, src, len, err) < 0) {
		av_policy_tests_free(t);
		return -1;
	}
	int rc = load_tests_doc(&tl, t);
	av_ydoc_free(&tl.y);
	if (rc < 0) {
		av_policy_tests_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

int av_policy_tests_load(const char *path, struct av_policy_tests **out,
                         struct av_error *err)
{
	*out = NULL;
	char *src;
	size_t len;
	if (av_read_file(path, AV_POLICY_TESTS_MAX_BYTES, &src, &len, err) < 0)
		return -1;
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	if (slash != NULL) {
		size_t dl = slash == path ? 1 : (size_t)(slash - path);
		dir = strndup(path, dl);
		if (dir == NULL) {
			free(src);
			return av_error_set(err, AV_E_NOMEM, path, "Out of memory.");
		}
	}
	int rc = av_policy_tests_parse(path, src, len, dir, out, err);
	free(dir);
	free(src);
	return rc;
}

int av_policy_tests_policy(const struct av_policy_tests *t, struct av_policy **out,
                           struct av_error *err)
{
	*out = NULL;
	struct av_policy *p = av_policy_new();
	if (p == NULL)
		return av_error_set(err, AV_E_NOMEM, "",
		                    "Out of memory creating a policy.");
	if (av_policy_add_default(p, err) < 0)
		goto fail;
	for (uint32_t i = 0; i < t->npolicy_files; i++)
		if (av_policy_add_file(p, t->policy_files[i], err) < 0)
			goto fail;
	*out = p;
	return 0;
fail:
	av_policy_free(p);
	return -1;
}

static bool has_finding(const struct av_finding_list *f, const char *id)
{
	for (uint32_t i = 0; f != NULL && i < f->count; i++)
		if (f->items[i].rule != NULL && strcmp(f->items[i].rule, id) == 0)
			return true;
	return false;
}

/* Writes "a, b, c" (the distinct rule ids of the findings) into buf. */
static void list_findings(const struct av_finding_list *f, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; f != NULL && i < f->count && n < cap; i++) {
		const char *id = f->items[i].rule != NULL ? f->items[i].rule : "?";
		bool seen = false;
		for (uint32_t j = 0; j < i && !seen; j++)
			seen = f->items[j].rule != NULL &&
			       strcmp(f->items[j].rule, id) == 0;
		if (seen)
			continue;
		int k = snprintf(buf + n, cap - n, "%s%s", n > 0 ? ", " : "", id);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	if (buf[0] == '\0')
		snprintf(buf, cap, "none");
}

bool av_policy_test_check(const struct av_policy_test *t, enum av_verdict verdict,
                          const struct av_finding_list *findings, char *why,
                          size_t whylen)
{
	char ids[160];
	if (verdict != t->expect) {
		list_findings(findings, ids, sizeof(ids));
		snprintf(why, whylen, "Expected %s but the verdict was %s (rules: %s).",
		         av_verdict_name(t->expect), av_verdict_name(verdict), ids);
		return false;
	}
	for (uint32_t i = 0; i < t->nrules; i++)
		if (!has_finding(findings, t->rules[i])) {
			list_findings(findings, ids, sizeof(ids));
			snprintf(why, whylen, "Rule %s did not fire (rules: %s).",
			         t->rules[i], ids);
			return false;
		}
	for (uint32_t i = 0; i < t->nnot_rules; i++)
		if (has_finding(findings, t->not_rules[i])) {
			snprintf(why, whylen, "Rule %s fired but must not.",
			         t->not_rules[i]);
			return false;
		}
	if (whylen > 0)
		why[0] = '\0';
	return true;
}
