/* eval.c - `agentvisor eval`: scores labelled cases (JSON Lines, docs/EVAL.md)
 * against the verdicts the policy gives them, per category, and checks the
 * result against targets.
 *
 * Eval is an offline measurement: each case's action is decided in process
 * with av_decide and nothing else. No audit record is written (the audit
 * log records decisions an agent asked for, not an evaluation run), and no
 * case is ever executed: the actions travel only as JSON into the analyzer.
 * Case files are read strictly: a missing, unknown or mistyped field is an
 * error naming FILE:LINE and the field, and nothing is scored. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agentvisor/decide.h"
#include "agentvisor/sys.h"
#include "cli/cli.h"

static const char eval_usage[] =
        "usage: agentvisor eval [OPTIONS] FILE|DIR...\n"
        "\n"
        "Scores labelled JSON Lines cases (docs/EVAL.md) against the verdicts the\n"
        "policy gives them. A DIR stands for its *.jsonl files, in name order.\n"
        "Nothing is executed and nothing is written to the audit log.\n"
        "\n"
        "  --policy FILE              add a policy layer (repeatable)\n"
        "  --no-default-policy        do not load the built-in default policy\n"
        "  --json                     print the report as one JSON object\n"
        "  --show N                   list at most N disagreements (default all)\n"
        "Targets (F is a fraction such as 0.99, or a percentage such as 99%):\n"
        "  --min-caught F             harmful cases given warn or stronger\n"
        "  --max-interrupted F        benign cases given review or block\n"
        "  --min-verdict-accuracy F   cases whose verdict is the expected one\n"
        "  --min-risk-accuracy F      cases with expected_risk whose risk matches\n"
        "  --min-stopped F            harmful cases given review or block\n"
        "  --min-passed F             benign cases given allow or warn\n"
        "  --min-cases N              at least N cases in all\n"
        "  -h, --help                 this text\n"
        "\n"
        "Exit status: 0 every target met, 1 a target missed, 64 usage error,\n"
        "65 a bad case file or policy, 66 a file cannot be read.\n";

/* A case file may be large, but not unboundedly so. */
#define EVAL_MAX_FILE_BYTES ((size_t)256 << 20)

enum target_id {
	T_CAUGHT = 0,
	T_INTERRUPTED,
	T_VERDICT,
	T_RISK,
	T_STOPPED,
	T_PASSED,
	T_CASES,
	T_COUNT,
};

/* The targets as a table: option name, what it measures, and whether the
 * value must be at least (true) or at most (false) the target. */
static const struct {
	const char *option;
	const char *label;
	bool at_least;
} targets[T_COUNT] = {
	[T_CAUGHT] = { "min-caught", "harmful caught (warn or stronger)", true },
	[T_INTERRUPTED] = { "max-interrupted", "benign interrupted (review or block)",
	                    false },
	[T_VERDICT] = { "min-verdict-accuracy", "verdict accuracy (exact)", true },
	[T_RISK] = { "min-risk-accuracy", "risk accuracy (exact)", true },
	[T_STOPPED] = { "min-stopped", "harmful stopped (review or block)", true },
	[T_PASSED] = { "min-passed", "benign passed (allow or warn)", true },
	[T_CASES] = { "min-cases", "cases", true },
};

struct eval_opts {
	struct cli_policy_opts policy;
	bool json;
	long show; /* -1: all */
	bool has_target[T_COUNT];
	double target[T_COUNT];
};

/* Counts over a set of cases (one category, or all). */
struct tally {
	uint32_t cases;
	uint32_t verdict_ok;
	uint32_t risk_cases, risk_ok;
	uint32_t harmful, harmful_missed, harmful_stopped;
	uint32_t benign, benign_interrupted;
	uint32_t errors; /* decisions that failed closed with an error */
};

struct category {
	char *name;
	struct tally t;
};

/* Why a disagreement matters: a safety failure, or calibration only. */
enum outcome { O_CALIBRATION = 0, O_NOT_STOPPED, O_MISSED, O_INTERRUPTED };
static const char *const outcome_names[] = {
	[O_CALIBRATION] = "calibration",
	[O_NOT_STOPPED] = "harmful-not-stopped",
	[O_MISSED] = "harmful-missed",
	[O_INTERRUPTED] = "benign-interrupted",
};

struct disagreement {
	char *id, *category, *file, *rules, *error;
	unsigned long line;
	bool harmful, has_risk;
	enum av_verdict expected, got;
	enum av_risk expected_risk, got_risk;
	enum outcome outcome;
};

struct seen_id {
	char *id;
	char *where;
};

struct eval_state {
	const struct av_policy *p;
	struct av_arena arena;
	struct category *cats;
	size_t ncats;
	struct tally total;
	struct disagreement *dis;
	size_t ndis;
	struct seen_id *ids;
	size_t nids, capids;
	char **files;
	size_t nfiles;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n > 0 ? n : 1);
	if (q == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	return q;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (d == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	return d;
}

/* ---- options ------------------------------------------------------------ */

/* Parses "0.99" or "99%" into a fraction in [0, 1]. */
static double parse_fraction(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end != s && *end == '%') {
		v /= 100.0;
		end++;
	}
	if (end == s || *end != '\0' || errno != 0 || !(v >= 0.0 && v <= 1.0))
		cli_die(EXIT_USAGE,
		        "--%s needs a fraction from 0 to 1 (0.99) or a percentage "
		        "(99%%), not '%s'",
		        opt, s);
	return v;
}

static long parse_count(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < 0)
		cli_die(EXIT_USAGE, "--%s needs a whole number, not '%s'", opt, s);
	return v;
}

static int parse_options(int argc, char **argv, struct eval_opts *o)
{
	enum { OPT_POLICY = 256, OPT_NO_DEFAULT, OPT_SHOW, OPT_TARGET };
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },
		{ "json", no_argument, NULL, 'j' },
		{ "show", required_argument, NULL, OPT_SHOW },
		{ "min-caught", required_argument, NULL, OPT_TARGET + T_CAUGHT },
		{ "max-interrupted", required_argument, NULL,
		  OPT_TARGET + T_INTERRUPTED },
		{ "min-verdict-accuracy", required_argument, NULL,
		  OPT_TARGET + T_VERDICT },
		{ "min-risk-accuracy", required_argument, NULL, OPT_TARGET + T_RISK },
		{ "min-stopped", required_argument, NULL, OPT_TARGET + T_STOPPED },
		{ "min-passed", required_argument, NULL, OPT_TARGET + T_PASSED },
		{ "min-cases", required_argument, NULL, OPT_TARGET + T_CASES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	o->show = -1;
	int c;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c >= OPT_TARGET && c < OPT_TARGET + T_COUNT) {
			enum target_id t = (enum target_id)(c - OPT_TARGET);
			o->has_target[t] = true;
			o->target[t] =
			        t == T_CASES
			                ? (double)parse_count(targets[t].option, optarg)
			                : parse_fraction(targets[t].option, optarg);
			continue;
		}
		switch (c) {
		case OPT_POLICY:
			cli_policy_add_file(&o->policy, optarg);
			break;
		case OPT_NO_DEFAULT:
			o->policy.no_default = true;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_SHOW:
			o->show = parse_count("show", optarg);
			break;
		case 'h':
			fputs(eval_usage, stdout);
			exit(0);
		default:
			fputs(eval_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind >= argc)
		cli_die(EXIT_USAGE, "eval needs at least one case FILE or DIR");
	return optind;
}

/* ---- reading cases ------------------------------------------------------ */

static bool ends_with_jsonl(const char *name)
{
	size_t n = strlen(name);
	return n > 6 && strcmp(name + n - 6, ".jsonl") == 0;
}

static int jsonl_filter(const struct dirent *e)
{
	return e->d_name[0] != '.' && ends_with_jsonl(e->d_name);
}

/* Adds path, or the *.jsonl files of the directory path in name order. */
static void add_input(struct eval_state *st, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		cli_die(EXIT_NOINPUT, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(sb.st_mode)) {
		st->files = xrealloc(st->files, (st->nfiles + 1) * sizeof(*st->files));
		st->files[st->nfiles++] = xstrdup(path);
		return;
	}
	struct dirent **names;
	int n = scandir(path, &names, jsonl_filter, alphasort);
	if (n < 0)
		cli_die(EXIT_NOINPUT, "%s: %s", path, strerror(errno));
	if (n == 0)
		cli_die(EXIT_NOINPUT, "%s: no *.jsonl case files in this directory",
		        path);
	size_t plen = strlen(path);
	bool slash = plen > 0 && path[plen - 1] == '/';
	for (int i = 0; i < n; i++) {
		char *full = NULL;
		if (asprintf(&full, "%s%s%s", path, slash ? "" : "/", names[i]->d_name) <
		    0)
			cli_die(EXIT_SOFTWARE, "out of memory");
		st->files = xrealloc(st->files, (st->nfiles + 1) * sizeof(*st->files));
		st->files[st->nfiles++] = full;
		free(names[i]);
	}
	free(names);
}

/* The fields of a case line; every one is required except expected_risk. */
enum case_field {
	CF_ID = 0,
	CF_CATEGORY,
	CF_LABEL,
	CF_VERDICT,
	CF_RISK,
	CF_NOTE,
	CF_ACTION,
	CF_COUNT
};
static const char *const case_fields[CF_COUNT] = {
	[CF_ID] = "id",
	[CF_CATEGORY] = "category",
	[CF_LABEL] = "label",
	[CF_VERDICT] = "expected_verdict",
	[CF_RISK] = "expected_risk",
	[CF_NOTE] = "note",
	[CF_ACTION] = "action",
};

struct case_line {
	const char *id, *category;
	bool harmful;
	enum av_verdict expected;
	bool has_risk;
	enum av_risk expected_risk;
	json_t *action;
};

/* Reads the string field f of obj, or dies naming it. */
static const char *case_string(json_t *obj, enum case_field f, const char *file,
                               unsigned long line)
{
	json_t *v = json_object_get(obj, case_fields[f]);
	if (v == NULL)
		cli_die(EXIT_DATAERR, "%s:%lu: missing field \"%s\"", file, line,
		        case_fields[f]);
	if (!json_is_string(v) || json_string_length(v) == 0)
		cli_die(EXIT_DATAERR, "%s:%lu: field \"%s\" must be a non-empty string",
		        file, line, case_fields[f]);
	return json_string_value(v);
}

/* Validates one parsed line into *c (strings borrowed from obj). */
static void case_read(json_t *obj, const char *file, unsigned long line,
                      struct case_line *c)
{
	if (!json_is_object(obj))
		cli_die(EXIT_DATAERR, "%s:%lu: a case must be a JSON object", file, line);
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val)
	{
		bool known = false;
		for (int i = 0; i < CF_COUNT && !known; i++)
			known = strcmp(key, case_fields[i]) == 0;
		if (!known)
			cli_die(EXIT_DATAERR, "%s:%lu: unknown field \"%.64s\"", file,
			        line, key);
	}
	memset(c, 0, sizeof(*c));
	c->id = case_string(obj, CF_ID, file, line);
	c->category = case_string(obj, CF_CATEGORY, file, line);
	const char *label = case_string(obj, CF_LABEL, file, line);
	if (strcmp(label, "harmful") == 0)
		c->harmful = true;
	else if (strcmp(label, "benign") != 0)
		cli_die(EXIT_DATAERR,
		        "%s:%lu: field \"label\" must be \"benign\" or \"harmful\", not "
		        "\"%.32s\"",
		        file, line, label);
	const char *v = case_string(obj, CF_VERDICT, file, line);
	if (av_verdict_parse(v, strlen(v), &c->expected) < 0)
		cli_die(EXIT_DATAERR,
		        "%s:%lu: field \"expected_verdict\" must be allow, warn, review "
		        "or "
		        "block, not \"%.32s\"",
		        file, line, v);
	if (json_object_get(obj, case_fields[CF_RISK]) != NULL) {
		const char *r = case_string(obj, CF_RISK, file, line);
		if (av_risk_parse(r, strlen(r), &c->expected_risk) < 0)
			cli_die(EXIT_DATAERR,
			        "%s:%lu: field \"expected_risk\" must be none, low, "
			        "medium, "
			        "high or critical, not \"%.32s\"",
			        file, line, r);
		c->has_risk = true;
	}
	case_string(obj, CF_NOTE, file, line);
	c->action = json_object_get(obj, case_fields[CF_ACTION]);
	if (c->action == NULL)
		cli_die(EXIT_DATAERR, "%s:%lu: missing field \"action\"", file, line);
	if (!json_is_object(c->action))
		cli_die(EXIT_DATAERR, "%s:%lu: field \"action\" must be an object", file,
		        line);
}

/* ---- scoring ------------------------------------------------------------ */

static struct category *category_get(struct eval_state *st, const char *name)
{
	for (size_t i = 0; i < st->ncats; i++)
		if (strcmp(st->cats[i].name, name) == 0)
			return &st->cats[i];
	st->cats = xrealloc(st->cats, (st->ncats + 1) * sizeof(*st->cats));
	struct category *c = &st->cats[st->ncats++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	return c;
}

static void remember_id(struct eval_state *st, const char *id, const char *file,
                        unsigned long line)
{
	if (st->nids == st->capids) {
		st->capids = st->capids ? st->capids * 2 : 1024;
		st->ids = xrealloc(st->ids, st->capids * sizeof(*st->ids));
	}
	struct seen_id *s = &st->ids[st->nids++];
	s->id = xstrdup(id);
	if (asprintf(&s->where, "%s:%lu", file, line) < 0)
		cli_die(EXIT_SOFTWARE, "out of memory");
}

static int seen_cmp(const void *a, const void *b)
{
	const struct seen_id *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c != 0 ? c : strcmp(x->where, y->where);
}

static void check_unique_ids(struct eval_state *st)
{
	qsort(st->ids, st->nids, sizeof(*st->ids), seen_cmp);
	for (size_t i = 1; i < st->nids; i++)
		if (strcmp(st->ids[i - 1].id, st->ids[i].id) == 0)
			cli_die(EXIT_DATAERR,
			        "%s: case id \"%.64s\" is already used at %s",
			        st->ids[i].where, st->ids[i].id, st->ids[i - 1].where);
}

static void tally_add(struct tally *t, const struct case_line *c,
                      const struct av_decision *d)
{
	t->cases++;
	t->verdict_ok += d->verdict == c->expected;
	if (c->has_risk) {
		t->risk_cases++;
		t->risk_ok += d->risk == c->expected_risk;
	}
	if (c->harmful) {
		t->harmful++;
		t->harmful_missed += d->verdict == AV_ALLOW;
		t->harmful_stopped += d->verdict >= AV_REVIEW;
	} else {
		t->benign++;
		t->benign_interrupted += d->verdict >= AV_REVIEW;
	}
	t->errors += d->has_error;
}

/* The distinct rule ids of d's findings, comma-separated (new string). */
static char *rule_list(const struct av_decision *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	uint32_t n = 0;
	for (uint32_t i = 0; i < d->findings.count; i++) {
		const char *r = d->findings.items[i].rule;
		bool dup = false;
		for (uint32_t j = 0; j < i && !dup; j++)
			dup = strcmp(d->findings.items[j].rule, r) == 0;
		if (!dup)
			fprintf(f, "%s%s", n++ > 0 ? "," : "", r);
	}
	if (fclose(f) != 0)
		cli_die(EXIT_SOFTWARE, "out of memory");
	return buf;
}

static void record_disagreement(struct eval_state *st, const struct case_line *c,
                                const struct av_decision *d, const char *file,
                                unsigned long line)
{
	st->dis = xrealloc(st->dis, (st->ndis + 1) * sizeof(*st->dis));
	struct disagreement *x = &st->dis[st->ndis++];
	memset(x, 0, sizeof(*x));
	x->id = xstrdup(c->id);
	x->category = xstrdup(c->category);
	x->file = xstrdup(file);
	x->line = line;
	x->harmful = c->harmful;
	x->expected = c->expected;
	x->got = d->verdict;
	x->has_risk = c->has_risk;
	x->expected_risk = c->expected_risk;
	x->got_risk = d->risk;
	x->rules = rule_list(d);
	if (d->has_error)
		x->error = xstrdup(d->error.message);
	if (c->harmful && d->verdict == AV_ALLOW)
		x->outcome = O_MISSED;
	else if (c->harmful && d->verdict == AV_WARN)
		x->outcome = O_NOT_STOPPED;
	else if (!c->harmful && d->verdict >= AV_REVIEW)
		x->outcome = O_INTERRUPTED;
	else
		x->outcome = O_CALIBRATION;
}

/* Decides one case line. Nothing of the case is kept beyond the tallies
 * and, when the verdict or risk differs from the label, a disagreement. */
static void score_line(struct eval_state *st, const char *file, unsigned long line,
                       const char *text, size_t len)
{
	json_error_t jerr;
	json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL)
		cli_die(EXIT_DATAERR, "%s:%lu: invalid JSON at column %d: %s", file, line,
		        jerr.column, jerr.text);
	struct case_line c;
	case_read(obj, file, line, &c);
	remember_id(st, c.id, file, line);

	char *action = json_dumps(c.action, JSON_COMPACT);
	if (action == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	struct av_action a;
	struct av_error err;
	memset(&a, 0, sizeof(a));
	if (av_action_decode(action, strlen(action), &st->arena, &a, &err) < 0) {
		bool field = err.code == AV_E_FIELD && err.where[0] != '\0';
		cli_die(EXIT_DATAERR, "%s:%lu: field \"action%s%s\": %s", file, line,
		        field ? "." : "", field ? err.where : "", err.message);
	}
	/* No context is filled from this process: a case means the same on
	 * every machine. */
	struct av_decision d;
	av_decide(st->p, &a, &st->arena, &d);

	struct category *cat = category_get(st, c.category);
	tally_add(&cat->t, &c, &d);
	tally_add(&st->total, &c, &d);
	if (d.verdict != c.expected || (c.has_risk && d.risk != c.expected_risk))
		record_disagreement(st, &c, &d, file, line);
	free(action);
	json_decref(obj);
	av_arena_reset(&st->arena);
}

static void score_file(struct eval_state *st, const char *file)
{
	char *buf;
	size_t len;
	struct av_error err;
	if (av_read_file(file, EVAL_MAX_FILE_BYTES, &buf, &len, &err) < 0)
		exit(cli_report(&err));
	unsigned long line = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		line++;
		if (end == at)
			cli_die(EXIT_DATAERR, "%s:%lu: empty line (one case per line)",
			        file, line);
		score_line(st, file, line, buf + at, end - at);
		at = end + 1;
	}
	free(buf);
}

/* ---- report ------------------------------------------------------------- */

/* value / total, or NAN when there is nothing to measure. */
static double rate(uint32_t value, uint32_t total)
{
	return total > 0 ? (double)value / total : NAN;
}

/* The measured value of target t over the totals. */
static double measured(const struct tally *t, enum target_id id)
{
	switch (id) {
	case T_CAUGHT:
		return rate(t->harmful - t->harmful_missed, t->harmful);
	case T_INTERRUPTED:
		return rate(t->benign_interrupted, t->benign);
	case T_VERDICT:
		return rate(t->verdict_ok, t->cases);
	case T_RISK:
		return rate(t->risk_ok, t->risk_cases);
	case T_STOPPED:
		return rate(t->harmful_stopped, t->harmful);
	case T_PASSED:
		return rate(t->benign - t->benign_interrupted, t->benign);
	case T_CASES:
	case T_COUNT:
		break;
	}
	return (double)t->cases;
}

/* A target over no cases (NAN) is missed: nothing shows it is met. */
static bool target_met(const struct eval_opts *o, const struct tally *t,
                       enum target_id id)
{
	double v = measured(t, id);
	if (isnan(v))
		return false;
	return targets[id].at_least ? v >= o->target[id] - 1e-12
	                            : v <= o->target[id] + 1e-12;
}

static void fmt_pct(char *buf, size_t n, uint32_t value, uint32_t total)
{
	if (total == 0)
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.1f%%", 100.0 * value / total);
}

static void fmt_ratio(char *buf, size_t n, uint32_t value, uint32_t total)
{
	if (total == 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%u/%u", value, total);
}

static void print_tally_row(const char *name, const struct tally *t)
{
	char verdict[16], risk[16], missed[32], interrupted[32];
	fmt_pct(verdict, sizeof(verdict), t->verdict_ok, t->cases);
	fmt_pct(risk, sizeof(risk), t->risk_ok, t->risk_cases);
	fmt_ratio(missed, sizeof(missed), t->harmful_missed, t->harmful);
	fmt_ratio(interrupted, sizeof(interrupted), t->benign_interrupted, t->benign);
	printf("%-24s %6u %8s %8s %15s %19s\n", name, t->cases, verdict, risk, missed,
	       interrupted);
}

static void print_metric(const struct eval_opts *o, const struct tally *t,
                         enum target_id id, uint32_t value, uint32_t total)
{
	char pct[16];
	fmt_pct(pct, sizeof(pct), value, total);
	printf("%-38s %5u/%-5u %7s", targets[id].label, value, total, pct);
	if (o->has_target[id])
		printf("   target %s %.1f%%: %s",
		       targets[id].at_least ? ">=" : "<=", 100.0 * o->target[id],
		       target_met(o, t, id) ? "met" : "MISSED");
	putchar('\n');
}

static int cat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct category *)a)->name,
	              ((const struct category *)b)->name);
}

/* Disagreements in category order, then file order (a stable sort). */
static int dis_cmp(const void *a, const void *b)
{
	const struct disagreement *x = a, *y = b;
	int c = strcmp(x->category, y->category);
	if (c == 0)
		c = strcmp(x->file, y->file);
	if (c == 0)
		c = x->line < y->line ? -1 : x->line > y->line;
	return c;
}

static void print_text(const struct eval_state *st, const struct eval_opts *o)
{
	const struct tally *t = &st->total;
	printf("%u cases from %zu files, policy sha256:%.16s\n\n", t->cases, st->nfiles,
	       av_policy_digest(st->p));
	printf("%-24s %6s %8s %8s %15s %19s\n", "category", "cases", "verdict", "risk",
	       "harmful missed", "benign interrupted");
	for (size_t i = 0; i < st->ncats; i++)
		print_tally_row(st->cats[i].name, &st->cats[i].t);
	print_tally_row("all", t);
	putchar('\n');
	print_metric(o, t, T_CAUGHT, t->harmful - t->harmful_missed, t->harmful);
	print_metric(o, t, T_INTERRUPTED, t->benign_interrupted, t->benign);
	print_metric(o, t, T_VERDICT, t->verdict_ok, t->cases);
	print_metric(o, t, T_RISK, t->risk_ok, t->risk_cases);
	print_metric(o, t, T_STOPPED, t->harmful_stopped, t->harmful);
	print_metric(o, t, T_PASSED, t->benign - t->benign_interrupted, t->benign);
	if (o->has_target[T_CASES])
		printf("%-38s %5u         target >= %.0f: %s\n", "cases", t->cases,
		       o->target[T_CASES], target_met(o, t, T_CASES) ? "met" : "MISSED");
	if (t->errors > 0)
		printf("decisions that failed with an error    %u (counted as block)\n",
		       t->errors);

	size_t shown =
	        o->show < 0 || (size_t)o->show > st->ndis ? st->ndis : (size_t)o->show;
	if (st->ndis == 0)
		return;
	printf("\ndisagreements: %zu", st->ndis);
	if (shown < st->ndis)
		printf(" (showing %zu)", shown);
	putchar('\n');
	const char *cat = NULL;
	for (size_t i = 0; i < shown; i++) {
		const struct disagreement *x = &st->dis[i];
		if (cat == NULL || strcmp(cat, x->category) != 0) {
			cat = x->category;
			printf("  %s\n", cat);
		}
		char exp[32], got[32];
		snprintf(exp, sizeof(exp), "%s%s%s", av_verdict_name(x->expected),
		         x->has_risk ? "/" : "",
		         x->has_risk ? av_risk_name(x->expected_risk) : "");
		snprintf(got, sizeof(got), "%s/%s", av_verdict_name(x->got),
		         av_risk_name(x->got_risk));
		printf("    %s %s:%lu expected %s got %s [%s]", x->id, x->file, x->line,
		       exp, got, x->rules[0] != '\0' ? x->rules : "-");
		if (x->outcome != O_CALIBRATION)
			printf(" %s", outcome_names[x->outcome]);
		if (x->error != NULL)
			printf(" error: %s", x->error);
		putchar('\n');
	}
}

static json_t *jrate(uint32_t value, uint32_t total)
{
	return total > 0 ? json_real((double)value / total) : json_null();
}

static json_t *tally_json(const struct tally *t)
{
	return json_pack(
	        "{s:I, s:I, s:o, s:I, s:I, s:o, s:I, s:I, s:I, s:o, s:o, s:I, s:I, "
	        "s:o, s:o, s:I}",
	        "cases", (json_int_t)t->cases, "verdict_correct",
	        (json_int_t)t->verdict_ok, "verdict_accuracy",
	        jrate(t->verdict_ok, t->cases), "risk_cases", (json_int_t)t->risk_cases,
	        "risk_correct", (json_int_t)t->risk_ok, "risk_accuracy",
	        jrate(t->risk_ok, t->risk_cases), "harmful", (json_int_t)t->harmful,
	        "harmful_missed", (json_int_t)t->harmful_missed, "harmful_stopped",
	        (json_int_t)t->harmful_stopped, "harmful_caught_rate",
	        jrate(t->harmful - t->harmful_missed, t->harmful), "harmful_stopped_rate",
	        jrate(t->harmful_stopped, t->harmful), "benign", (json_int_t)t->benign,
	        "benign_interrupted", (json_int_t)t->benign_interrupted,
	        "benign_interrupted_rate", jrate(t->benign_interrupted, t->benign),
	        "benign_passed_rate", jrate(t->benign - t->benign_interrupted, t->benign),
	        "errors", (json_int_t)t->errors);
}

static json_t *disagreement_json(const struct disagreement *x)
{
	json_t *rules = json_array();
	if (rules == NULL)
		return NULL;
	char *copy = xstrdup(x->rules);
	for (char *s = copy; *s != '\0';) {
		char *comma = strchr(s, ',');
		size_t n = comma != NULL ? (size_t)(comma - s) : strlen(s);
		json_array_append_new(rules, json_stringn(s, n));
		s += n + (comma != NULL);
	}
	free(copy);
	json_t *o =
	        json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "id",
	                  x->id, "file", x->file, "line", (json_int_t)x->line, "category",
	                  x->category, "label", x->harmful ? "harmful" : "benign",
	                  "expected_verdict", av_verdict_name(x->expected), "verdict",
	                  av_verdict_name(x->got), "risk", av_risk_name(x->got_risk),
	                  "rules", rules, "outcome", outcome_names[x->outcome]);
	if (o != NULL && x->has_risk)
		json_object_set_new(o, "expected_risk",
		                    json_string(av_risk_name(x->expected_risk)));
	if (o != NULL && x->error != NULL)
		json_object_set_new(o, "error", json_string(x->error));
	return o;
}

static void print_json(const struct eval_state *st, const struct eval_opts *o)
{
	json_t *root = json_object(), *files = json_array(), *cats = json_object(),
	       *tg = json_array(), *dis = json_array();
	if (root == NULL || files == NULL || cats == NULL || tg == NULL || dis == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	for (size_t i = 0; i < st->nfiles; i++)
		json_array_append_new(files, json_string(st->files[i]));
	for (size_t i = 0; i < st->ncats; i++)
		json_object_set_new(cats, st->cats[i].name, tally_json(&st->cats[i].t));
	for (int i = 0; i < T_COUNT; i++) {
		if (!o->has_target[i])
			continue;
		double v = measured(&st->total, (enum target_id)i);
		json_array_append_new(
		        tg, json_pack("{s:s, s:f, s:o, s:b}", "target", targets[i].option,
		                      "value", o->target[i], "measured",
		                      isnan(v) ? json_null() : json_real(v), "met",
		                      target_met(o, &st->total, (enum target_id)i)));
	}
	size_t shown =
	        o->show < 0 || (size_t)o->show > st->ndis ? st->ndis : (size_t)o->show;
	for (size_t i = 0; i < shown; i++)
		json_array_append_new(dis, disagreement_json(&st->dis[i]));
	json_object_set_new(root, "policy", json_string(av_policy_digest(st->p)));
	json_object_set_new(root, "files", files);
	json_object_set_new(root, "categories", cats);
	json_object_set_new(root, "totals", tally_json(&st->total));
	json_object_set_new(root, "targets", tg);
	json_object_set_new(root, "disagreements_total",
	                    json_integer((json_int_t)st->ndis));
	json_object_set_new(root, "disagreements", dis);
	char *out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (out == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory formatting the report");
	puts(out);
	free(out);
}

int cmd_eval(int argc, char **argv)
{
	struct eval_opts o = { 0 };
	int first = parse_options(argc, argv, &o);
	int status = 0;
	struct av_policy *p = cli_load_policy(&o.policy, &status);
	free(o.policy.files);
	if (p == NULL)
		return status;

	struct eval_state st = { .p = p };
	av_arena_init(&st.arena, AV_ARENA_DEFAULT_CAP);
	for (int i = first; i < argc; i++)
		add_input(&st, argv[i]);
	for (size_t i = 0; i < st.nfiles; i++)
		score_file(&st, st.files[i]);
	check_unique_ids(&st);
	qsort(st.cats, st.ncats, sizeof(*st.cats), cat_cmp);
	qsort(st.dis, st.ndis, sizeof(*st.dis), dis_cmp);

	if (o.json)
		print_json(&st, &o);
	else
		print_text(&st, &o);
	if (fflush(stdout) != 0 || ferror(stdout))
		cli_die(EXIT_IOERR, "cannot write the report to standard output");
	for (int i = 0; i < T_COUNT; i++)
		if (o.has_target[i] && !target_met(&o, &st.total, (enum target_id)i))
			status = 1;

	for (size_t i = 0; i < st.ncats; i++)
		free(st.cats[i].name);
	free(st.cats);
	for (size_t i = 0; i < st.ndis; i++) {
		struct disagreement *x = &st.dis[i];
		free(x->id);
		free(x->category);
		free(x->file);
		free(x->rules);
		free(x->error);
	}
	free(st.dis);
	for (size_t i = 0; i < st.nids; i++) {
		free(st.ids[i].id);
		free(st.ids[i].where);
	}
	free(st.ids);
	for (size_t i = 0; i < st.nfiles; i++)
		free(st.files[i]);
	free(st.files);
	av_arena_free(&st.arena);
	av_policy_free(p);
	return status;
}
