/* audit_cmd.c - `agentvisor audit`: verify the log, read it back (show,
 * export), re-decide it under another policy (replay), and produce and
 * check Merkle proofs. docs/AUDIT.md describes the log; docs/CLI.md the
 * options and exit statuses. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentvisor/audit.h"
#include "agentvisor/decide.h"
#include "agentvisor/sys.h"
#include "cli/cli.h"

static const char audit_usage[] =
        "usage: agentvisor audit verify [--state DIR] [--pubkey FILE] [--anchor FILE]\n"
        "                               [--require-sealed] [--json]\n"
        "       agentvisor audit show [--state DIR] [--session S] [--principal P]\n"
        "                             [--verdict V] [--rule R] [--type T]\n"
        "                             [--since TIME] [--until TIME] [--json]\n"
        "       agentvisor audit export [--state DIR] [same filters as show]\n"
        "       agentvisor audit replay --policy FILE [--no-default-policy] [--state "
        "DIR]\n"
        "       agentvisor audit prove [--state DIR] --seq N\n"
        "       agentvisor audit prove [--state DIR] --from SIZE1 --to SIZE2\n"
        "       agentvisor audit check-proof --pubkey FILE PROOF.json\n"
        "       agentvisor audit pubkey [--state DIR]\n"
        "       agentvisor audit checkpoint [--state DIR]\n"
        "\n"
        "TIME is Unix seconds or YYYY-MM-DDTHH:MM:SSZ (UTC).\n"
        "verify exits 0 when everything verifies, 1 when the log was modified, 2\n"
        "when the only fault is a torn record at the tail (a crash), 66 when there\n"
        "is no log. check-proof exits 0 when the proof holds, 1 when not.\n";

struct audit_opts {
	const char *state;
	const char *pubkey;
	const char *anchor;
	const char *session, *principal, *rule, *type;
	bool have_verdict;
	enum av_verdict verdict;
	uint64_t since_ns, until_ns;
	bool json, require_sealed;
	bool have_seq, have_from, have_to;
	uint64_t seq, from, to;
	struct cli_policy_opts policy;
};

static uint64_t parse_u64(const char *s, const char *opt)
{
	char *end;
	if (s[0] < '0' || s[0] > '9')
		cli_die(EXIT_USAGE, "%s needs a number, not '%s'", opt, s);
	unsigned long long v = strtoull(s, &end, 10);
	if (*end != '\0')
		cli_die(EXIT_USAGE, "%s needs a number, not '%s'", opt, s);
	return v;
}

static uint64_t parse_time(const char *s, const char *opt)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end != NULL && (strcmp(end, "Z") == 0 || *end == '\0'))
		return (uint64_t)timegm(&tm) * 1000000000u;
	return parse_u64(s, opt) * 1000000000u;
}

static void parse_options(int argc, char **argv, struct audit_opts *o)
{
	enum {
		OPT_STATE = 256,
		OPT_PUBKEY,
		OPT_ANCHOR,
		OPT_SESSION,
		OPT_PRINCIPAL,
		OPT_VERDICT,
		OPT_RULE,
		OPT_TYPE,
		OPT_SINCE,
		OPT_UNTIL,
		OPT_JSON,
		OPT_SEALED,
		OPT_SEQ,
		OPT_FROM,
		OPT_TO,
		OPT_POLICY,
		OPT_NO_DEFAULT,
	};
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, OPT_STATE },
		{ "pubkey", required_argument, NULL, OPT_PUBKEY },
		{ "anchor", required_argument, NULL, OPT_ANCHOR },
		{ "session", required_argument, NULL, OPT_SESSION },
		{ "principal", required_argument, NULL, OPT_PRINCIPAL },
		{ "verdict", required_argument, NULL, OPT_VERDICT },
		{ "rule", required_argument, NULL, OPT_RULE },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "require-sealed", no_argument, NULL, OPT_SEALED },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STATE:
			o->state = cli_absolute_arg("--state", optarg);
			break;
		case OPT_PUBKEY:
			o->pubkey = optarg;
			break;
		case OPT_ANCHOR:
			o->anchor = optarg;
			break;
		case OPT_SESSION:
			o->session = optarg;
			break;
		case OPT_PRINCIPAL:
			o->principal = optarg;
			break;
		case OPT_VERDICT:
			if (av_verdict_parse(optarg, strlen(optarg), &o->verdict) < 0)
				cli_die(EXIT_USAGE,
				        "--verdict must be allow, warn, review or block");
			o->have_verdict = true;
			break;
		case OPT_RULE:
			o->rule = optarg;
			break;
		case OPT_TYPE:
			o->type = optarg;
			break;
		case OPT_SINCE:
			o->since_ns = parse_time(optarg, "--since");
			break;
		case OPT_UNTIL:
			o->until_ns = parse_time(optarg, "--until");
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_SEALED:
			o->require_sealed = true;
			break;
		case OPT_SEQ:
			o->seq = parse_u64(optarg, "--seq");
			o->have_seq = true;
			break;
		case OPT_FROM:
			o->from = parse_u64(optarg, "--from");
			o->have_from = true;
			break;
		case OPT_TO:
			o->to = parse_u64(optarg, "--to");
			o->have_to = true;
			break;
		case OPT_POLICY:
			cli_policy_add_file(&o->policy, optarg);
			break;
		case OPT_NO_DEFAULT:
			o->policy.no_default = true;
			break;
		case 'h':
			fputs(audit_usage, stdout);
			exit(0);
		default:
			fputs(audit_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
}

static void out_line(const char *s)
{
	if (puts(s) == EOF)
		cli_die(EXIT_IOERR, "cannot write to standard output");
}

static void finish_output(void)
{
	if (fflush(stdout) != 0)
		cli_die(EXIT_IOERR, "cannot write to standard output");
}

/* ---- verify ------------------------------------------------------------ */

static int audit_verify(const struct audit_opts *o, const char *state)
{
	unsigned char pk[32];
	const unsigned char *pkp = NULL;
	struct av_error err;
	char *text = NULL, *anchor = NULL;
	size_t len, alen = 0;
	if (o->pubkey != NULL) {
		if (av_read_file(o->pubkey, 4096, &text, &len, &err) < 0 ||
		    av_audit_pubkey_parse(text, len, pk, &err) < 0) {
			free(text);
			return cli_report(&err);
		}
		free(text);
		pkp = pk;
	}
	if (o->anchor != NULL && av_read_file(o->anchor, 65536, &anchor, &alen, &err) < 0)
		return cli_report(&err);
	struct av_audit_verify_result r;
	int rc = av_audit_verify(state, pkp, anchor, alen, &r, &err);
	free(anchor);
	if (rc < 0)
		return cli_report(&err);
	bool unsealed_bad = o->require_sealed && r.unsealed > 0 && r.fault == AV_AUDIT_OK;
	int status = r.fault == AV_AUDIT_OK          ? (unsealed_bad ? 1 : 0)
	             : r.fault == AV_AUDIT_TORN_TAIL ? 2
	                                             : 1;
	if (o->json) {
		static const char *const faults[] = { "ok", "torn-tail", "bad" };
		json_t *j = json_pack(
		        "{s:s, s:I, s:I, s:I, s:I, s:I}", "result",
		        unsealed_bad ? "unsealed" : faults[r.fault], "records",
		        (json_int_t)r.records, "segments", (json_int_t)r.segments,
		        "checkpoints", (json_int_t)r.checkpoints, "sealed_size",
		        (json_int_t)r.sealed_size, "unsealed", (json_int_t)r.unsealed);
		if (j != NULL && r.fault != AV_AUDIT_OK)
			json_object_set_new(j, "first_bad",
			                    json_pack("{s:s, s:I, s:I, s:s}", "segment",
			                              r.bad_segment, "offset",
			                              (json_int_t)r.bad_offset, "seq",
			                              (json_int_t)r.bad_seq, "reason",
			                              r.reason));
		char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (s == NULL)
			cli_die(EXIT_SOFTWARE, "out of memory");
		out_line(s);
		free(s);
	} else if (r.fault == AV_AUDIT_OK) {
		printf("%s: %" PRIu64 " records in %" PRIu64 " segments; %" PRIu64
		       " checkpoints verified; the last covers %" PRIu64 " records",
		       unsealed_bad ? "UNSEALED" : "ok", r.records, r.segments,
		       r.checkpoints, r.sealed_size);
		if (r.unsealed > 0)
			printf(" (%" PRIu64 " after it are chained but not yet signed)",
			       r.unsealed);
		printf("\n");
	} else {
		printf("%s: %s%s%s offset %" PRIu64 " (sequence %" PRIu64 "): %s\n",
		       r.fault == AV_AUDIT_TORN_TAIL ? "TORN TAIL" : "BAD", r.bad_segment,
		       r.bad_segment[0] ? "" : "log", r.bad_segment[0] ? "," : "",
		       r.bad_offset, r.bad_seq, r.reason);
		printf("verified before it: %" PRIu64 " records, %" PRIu64
		       " checkpoints\n",
		       r.records, r.checkpoints);
	}
	finish_output();
	return status;
}

/* ---- show / export ----------------------------------------------------- */

static void av_hex_cli(const unsigned char h[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[64] = '\0';
}

static bool str_eq(json_t *v, const char *want)
{
	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

static bool matches(const struct audit_opts *o, const struct av_audit_record *rec,
                    json_t *p)
{
	if (o->type != NULL && strcmp(o->type, av_audit_type_name(rec->type)) != 0)
		return false;
	if (o->since_ns != 0 && rec->time_ns < o->since_ns)
		return false;
	if (o->until_ns != 0 && rec->time_ns > o->until_ns)
		return false;
	bool needs_decision = o->session || o->principal || o->have_verdict || o->rule;
	if (!needs_decision)
		return true;
	/* A result carries its own session and principal; the verdict and
	 * rules are its decision's (show prints it under that decision). */
	bool result_ok = rec->type == AV_REC_RESULT && !o->have_verdict && !o->rule;
	if ((rec->type != AV_REC_DECISION && !result_ok) || p == NULL)
		return false;
	if (o->session && !str_eq(json_object_get(p, "session"), o->session))
		return false;
	if (o->principal && !str_eq(json_object_get(p, "principal"), o->principal))
		return false;
	json_t *d = json_object_get(p, "decision");
	if (o->have_verdict &&
	    !str_eq(json_object_get(d, "verdict"), av_verdict_name(o->verdict)))
		return false;
	if (o->rule != NULL) {
		json_t *fs = json_object_get(d, "findings"), *f;
		size_t i;
		bool found = false;
		json_array_foreach(fs, i, f) found |=
		        str_eq(json_object_get(f, "rule"), o->rule);
		if (!found)
			return false;
	}
	return true;
}

static void show_text(const struct av_audit_record *rec, json_t *p)
{
	char t[64];
	time_t secs = (time_t)(rec->time_ns / 1000000000u);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%" PRIu64 " %s %s", rec->seq, t, av_audit_type_name(rec->type));
	if (rec->type == AV_REC_DECISION && p != NULL) {
		json_t *d = json_object_get(p, "decision");
		const char *v = json_string_value(json_object_get(d, "verdict"));
		const char *pr = json_string_value(json_object_get(p, "principal"));
		const char *se = json_string_value(json_object_get(p, "session"));
		printf(" %s principal=%s session=%s", v ? v : "?", pr ? pr : "-",
		       se ? se : "-");
		json_t *in = json_object_get(json_object_get(p, "action"), "input");
		const char *cmd = json_string_value(json_object_get(in, "command"));
		const char *op = json_string_value(json_object_get(in, "op"));
		const char *path = json_string_value(json_object_get(in, "path"));
		if (cmd != NULL)
			printf(" command=%.200s", cmd);
		else if (op != NULL)
			printf(" file.%s %.200s", op, path ? path : "");
		json_t *fs = json_object_get(d, "findings"), *f;
		size_t i;
		json_array_foreach(fs, i, f)
		{
			const char *r = json_string_value(json_object_get(f, "rule"));
			printf("%s%s", i == 0 ? " rules=" : ",", r ? r : "?");
		}
		json_t *e = json_object_get(d, "error");
		if (e != NULL)
			printf(" error=%s",
			       json_string_value(json_object_get(e, "code")) ?: "?");
	} else if (p != NULL) {
		const char *note = json_string_value(json_object_get(p, "note"));
		if (note != NULL)
			printf(" %s", note);
		json_t *size = json_object_get(p, "size");
		if (rec->type == AV_REC_CHECKPOINT && json_is_integer(size))
			printf(" tree_size=%" JSON_INTEGER_FORMAT " root=%s",
			       json_integer_value(size),
			       json_string_value(json_object_get(p, "root")) ?: "?");
	}
	printf("\n");
}

/* One line for a result record: under its decision (indented) or alone. */
static void show_result(const struct av_audit_record *rec, json_t *p, bool nested,
                        json_int_t decision)
{
	char t[64];
	time_t secs = (time_t)(rec->time_ns / 1000000000u);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s%" PRIu64 " %s result", nested ? "    -> " : "", rec->seq, t);
	if (!nested) {
		const char *id = json_string_value(json_object_get(p, "id"));
		printf(" id=%.200s", id ? id : "?");
		if (decision >= 0)
			printf(" decision=%" JSON_INTEGER_FORMAT, decision);
		else
			printf(" (no earlier decision with this id)");
	}
	json_t *ex = json_object_get(p, "exit");
	if (json_is_integer(ex))
		printf(" exit=%" JSON_INTEGER_FORMAT, json_integer_value(ex));
	const char *dg = json_string_value(json_object_get(p, "output_digest"));
	json_t *ob = json_object_get(p, "output_bytes");
	if (dg != NULL)
		printf(" output=%.19s...", dg);
	if (json_is_integer(ob))
		printf(" output_bytes=%" JSON_INTEGER_FORMAT, json_integer_value(ob));
	json_t *pw = json_object_get(p, "paths_written"), *v;
	size_t i;
	json_array_foreach(pw, i, v)
	{
		if (i == 8) {
			printf(",... (%zu paths)", json_array_size(pw));
			break;
		}
		printf("%s%.200s", i == 0 ? " wrote=" : ",", json_string_value(v) ?: "?");
	}
	const char *e = json_string_value(json_object_get(p, "error"));
	if (e != NULL)
		printf(" error=%.200s", e);
	json_t *du = json_object_get(p, "duration_ms");
	if (json_is_integer(du))
		printf(" duration_ms=%" JSON_INTEGER_FORMAT, json_integer_value(du));
	printf("\n");
}

static void export_line(const struct av_audit_record *rec, json_t *p)
{
	char hash[65], prev[65];
	av_hex_cli(rec->hash, hash);
	av_hex_cli(rec->prev, prev);
	json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:I, s:s, s:s, s:O}", "seq",
	                      (json_int_t)rec->seq, "type", av_audit_type_name(rec->type),
	                      "time_ns", (json_int_t)rec->time_ns, "segment",
	                      rec->segment, "offset", (json_int_t)rec->offset, "hash",
	                      hash, "prev", prev, "record", p != NULL ? p : json_null());
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (s == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	out_line(s);
	free(s);
}

/* Reads the whole log once, calling fn for each record with its parsed
 * payload (NULL when not JSON). Returns 0, or 1 after reporting a read
 * error. */
static int for_each_record(const char *state,
                           void (*fn)(void *ctx, const struct av_audit_record *rec,
                                      json_t *p),
                           void *ctx, bool (*want)(const struct av_audit_record *rec))
{
	struct av_audit_reader *r;
	struct av_error err;
	if (av_audit_reader_open(state, &r, &err) < 0)
		exit(cli_report(&err));
	struct av_audit_record rec;
	int rc;
	while ((rc = av_audit_reader_next(r, &rec, &err)) == 1) {
		if (want != NULL && !want(&rec))
			continue;
		json_t *p = json_loadb(rec.payload, rec.payload_len, 0, NULL);
		fn(ctx, &rec, p);
		json_decref(p);
	}
	av_audit_reader_free(r);
	if (rc < 0) {
		finish_output();
		cli_report(&err);
		return 1;
	}
	return 0;
}

/* How show puts results under their decisions. A result is linked by id to
 * the most recent earlier decision record with that id. Pass 1 collects the
 * ids that have results (usually few), pass 2 links each result to its
 * decision, pass 3 prints; memory is proportional to the results, not the
 * log. */
struct result_links {
	json_t *ids;      /* id -> true: ids some result names */
	json_t *last;     /* id -> seq of the latest decision so far */
	json_t *under;    /* decision seq (text) -> [result seq, ...] */
	json_t *attached; /* result seq (text) -> its decision's seq */
	json_t *printed;  /* decision seq (text) -> true, once shown */
	const struct audit_opts *o;
};

static bool is_result(const struct av_audit_record *rec)
{
	return rec->type == AV_REC_RESULT;
}

static bool is_decision_or_result(const struct av_audit_record *rec)
{
	return rec->type == AV_REC_RESULT || rec->type == AV_REC_DECISION;
}

static void collect_ids(void *ctx, const struct av_audit_record *rec, json_t *p)
{
	struct result_links *l = ctx;
	const char *id = json_string_value(json_object_get(p, "id"));
	(void)rec;
	if (id != NULL)
		json_object_set_new(l->ids, id, json_true());
}

static void link_results(void *ctx, const struct av_audit_record *rec, json_t *p)
{
	struct result_links *l = ctx;
	const char *id = json_string_value(json_object_get(p, "id"));
	if (id == NULL || json_object_get(l->ids, id) == NULL)
		return;
	if (rec->type == AV_REC_DECISION) {
		json_object_set_new(l->last, id, json_integer((json_int_t)rec->seq));
		return;
	}
	json_t *d = json_object_get(l->last, id);
	if (d == NULL)
		return;
	char key[32];
	snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT, json_integer_value(d));
	json_t *arr = json_object_get(l->under, key);
	if (arr == NULL) {
		arr = json_array();
		json_object_set_new(l->under, key, arr);
	}
	json_array_append_new(arr, json_integer((json_int_t)rec->seq));
	snprintf(key, sizeof(key), "%" PRIu64, rec->seq);
	json_object_set_new(l->attached, key, json_integer(json_integer_value(d)));
}

/* Pass 3 needs the results' records when their decision is printed, which
 * is before the results are read: keep the printed lines instead. */
struct printer {
	struct result_links *l;
	json_t *pending; /* result seq (text) -> its payload, for nested lines */
};

static void keep_results(void *ctx, const struct av_audit_record *rec, json_t *p)
{
	struct printer *pr = ctx;
	char key[32];
	snprintf(key, sizeof(key), "%" PRIu64, rec->seq);
	if (p != NULL && json_object_get(pr->l->attached, key) != NULL) {
		json_t *o = json_pack("{s:I, s:I, s:O}", "seq", (json_int_t)rec->seq,
		                      "time_ns", (json_int_t)rec->time_ns, "p", p);
		json_object_set_new(pr->pending, key, o);
	}
}

static void print_record(void *ctx, const struct av_audit_record *rec, json_t *p)
{
	struct printer *pr = ctx;
	const struct audit_opts *o = pr->l->o;
	char key[32];
	snprintf(key, sizeof(key), "%" PRIu64, rec->seq);
	json_t *dec = json_object_get(pr->l->attached, key);
	if (rec->type == AV_REC_RESULT && dec != NULL) {
		char dk[32];
		snprintf(dk, sizeof(dk), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(dec));
		if (json_object_get(pr->l->printed, dk) != NULL)
			return; /* printed under its decision */
	}
	if (!matches(o, rec, p))
		return;
	if (rec->type == AV_REC_RESULT) {
		show_result(rec, p, false, dec != NULL ? json_integer_value(dec) : -1);
		return;
	}
	show_text(rec, p);
	if (rec->type == AV_REC_DECISION)
		json_object_set_new(pr->l->printed, key, json_true());
	json_t *arr = json_object_get(pr->l->under, key), *v;
	size_t i;
	json_array_foreach(arr, i, v)
	{
		char rk[32];
		snprintf(rk, sizeof(rk), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		json_t *kept = json_object_get(pr->pending, rk);
		if (kept == NULL)
			continue;
		struct av_audit_record r = {
			.type = AV_REC_RESULT,
			.seq = (uint64_t)json_integer_value(json_object_get(kept, "seq")),
			.time_ns = (uint64_t)json_integer_value(
			        json_object_get(kept, "time_ns")),
		};
		show_result(&r, json_object_get(kept, "p"), true, -1);
	}
}

static void print_export(void *ctx, const struct av_audit_record *rec, json_t *p)
{
	const struct audit_opts *o = ctx;
	if (matches(o, rec, p))
		export_line(rec, p);
}

static int audit_read(const struct audit_opts *o, const char *state, bool export)
{
	if (export || o->json) {
		int rc = for_each_record(state, print_export, (void *)o, NULL);
		finish_output();
		return rc;
	}
	struct result_links l = { .ids = json_object(),
		                  .last = json_object(),
		                  .under = json_object(),
		                  .attached = json_object(),
		                  .printed = json_object(),
		                  .o = o };
	struct printer pr = { .l = &l, .pending = json_object() };
	if (l.ids == NULL || l.last == NULL || l.under == NULL || l.attached == NULL ||
	    l.printed == NULL || pr.pending == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	int rc = for_each_record(state, collect_ids, &l, is_result);
	if (rc == 0 && json_object_size(l.ids) > 0)
		rc = for_each_record(state, link_results, &l, is_decision_or_result);
	if (rc == 0 && json_object_size(l.attached) > 0)
		rc = for_each_record(state, keep_results, &pr, is_result);
	if (rc == 0)
		rc = for_each_record(state, print_record, &pr, NULL);
	json_decref(l.ids);
	json_decref(l.last);
	json_decref(l.under);
	json_decref(l.attached);
	json_decref(l.printed);
	json_decref(pr.pending);
	finish_output();
	return rc;
}

/* ---- replay ------------------------------------------------------------ */

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int audit_replay(const struct audit_opts *o, const char *state)
{
	if (o->policy.nfiles == 0)
		cli_die(EXIT_USAGE,
		        "replay needs --policy FILE (the policy to re-decide under)");
	int status = 0;
	struct av_policy *pol = cli_load_policy(&o->policy, &status);
	if (pol == NULL)
		return status;
	struct av_audit_reader *r;
	struct av_error err;
	if (av_audit_reader_open(state, &r, &err) < 0) {
		av_policy_free(pol);
		return cli_report(&err);
	}
	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	struct av_audit_record rec;
	unsigned long decisions = 0, changed = 0, skipped = 0;
	int rc;
	while ((rc = av_audit_reader_next(r, &rec, &err)) == 1) {
		if (rec.type != AV_REC_DECISION)
			continue;
		json_t *p = json_loadb(rec.payload, rec.payload_len, 0, NULL);
		json_t *aj = json_object_get(p, "action");
		const char *was = jstr(json_object_get(p, "decision"), "verdict");
		char *text = json_is_object(aj) ? json_dumps(aj, JSON_COMPACT) : NULL;
		struct av_action a;
		struct av_decision d;
		if (text == NULL || was == NULL ||
		    av_action_decode(text, strlen(text), &arena, &a, &err) < 0) {
			skipped++; /* recorded as undecodable: nothing to re-decide */
			goto next;
		}
		/* The context the original decision used, not today's. */
		json_t *cx = json_object_get(p, "context");
		struct av_context ctx = {
			.cwd = jstr(cx, "cwd"),
			.workspace = jstr(cx, "workspace"),
			.home = jstr(cx, "home"),
			.user = jstr(cx, "user"),
		};
		av_action_fill_context(&a, &ctx);
		av_decide(pol, &a, &arena, &d);
		decisions++;
		if (strcmp(was, av_verdict_name(d.verdict)) != 0) {
			changed++;
			json_t *rules = json_array();
			for (uint32_t i = 0; i < d.findings.count; i++)
				json_array_append_new(
				        rules, json_string(d.findings.items[i].rule));
			json_t *out =
			        json_pack("{s:I, s:O, s:s, s:s, s:o, s:s}", "seq",
			                  (json_int_t)rec.seq, "id",
			                  json_object_get(p, "id") ?: json_null(), "was",
			                  was, "now", av_verdict_name(d.verdict), "rules",
			                  rules, "policy", av_policy_digest(pol));
			char *s = out != NULL ? json_dumps(out, JSON_COMPACT) : NULL;
			json_decref(out);
			if (s == NULL)
				cli_die(EXIT_SOFTWARE, "out of memory");
			out_line(s);
			free(s);
		}
	next:
		free(text);
		json_decref(p);
		av_arena_reset(&arena);
	}
	finish_output();
	fprintf(stderr,
	        "agentvisor: replayed %lu decisions, %lu changed verdict, %lu skipped "
	        "(actions that never decoded)\n",
	        decisions, changed, skipped);
	av_arena_free(&arena);
	av_audit_reader_free(r);
	av_policy_free(pol);
	if (rc < 0) {
		cli_report(&err);
		return 1;
	}
	return 0;
}

/* ---- proofs, keys ------------------------------------------------------ */

static int audit_prove(const struct audit_opts *o, const char *state)
{
	char *json = NULL;
	struct av_error err;
	int rc;
	if (o->have_seq && !o->have_from && !o->have_to)
		rc = av_audit_prove_inclusion(state, o->seq, &json, &err);
	else if (!o->have_seq && o->have_from && o->have_to)
		rc = av_audit_prove_consistency(state, o->from, o->to, &json, &err);
	else
		cli_die(EXIT_USAGE, "prove needs --seq N, or --from SIZE1 --to SIZE2");
	if (rc < 0)
		return cli_report(&err);
	out_line(json);
	free(json);
	finish_output();
	return 0;
}

static int audit_check_proof(const struct audit_opts *o, int argc, char **argv)
{
	if (o->pubkey == NULL || optind + 1 != argc)
		cli_die(EXIT_USAGE, "check-proof needs --pubkey FILE and one PROOF.json");
	struct av_error err;
	char *text = NULL, *proof = NULL;
	size_t len, plen;
	unsigned char pk[32];
	if (av_read_file(o->pubkey, 4096, &text, &len, &err) < 0 ||
	    av_audit_pubkey_parse(text, len, pk, &err) < 0 ||
	    av_read_file(argv[optind], (size_t)64 << 20, &proof, &plen, &err) < 0) {
		free(text);
		return cli_report(&err);
	}
	free(text);
	int rc = av_audit_check_proof(proof, plen, pk, &err);
	free(proof);
	if (rc < 0) {
		printf("FAIL: %s%s%s\n", err.where, err.where[0] ? ": " : "",
		       err.message);
		finish_output();
		return 1;
	}
	out_line("ok: the proof verifies with this public key");
	finish_output();
	return 0;
}

static int audit_pubkey(const char *state)
{
	char path[4200], *text;
	size_t len;
	struct av_error err;
	snprintf(path, sizeof(path), "%s/audit.pub", state);
	if (av_read_file(path, 4096, &text, &len, &err) < 0)
		return cli_report(&err);
	fwrite(text, 1, len, stdout);
	free(text);
	finish_output();
	return 0;
}

/* Seals the log now and prints the newest checkpoint: keep it somewhere the
 * agent cannot write, and pass it to verify --anchor later. */
static int audit_checkpoint(const char *state)
{
	struct av_audit_opts ao;
	struct av_audit_writer *w;
	struct av_error err;
	if (av_audit_opts_default(&ao, &err) < 0 ||
	    av_audit_open(state, &ao, &w, &err) < 0 || av_audit_close(w, &err) < 0)
		return cli_report(&err);
	struct av_audit_reader *r;
	if (av_audit_reader_open(state, &r, &err) < 0)
		return cli_report(&err);
	struct av_audit_record rec;
	char *last = NULL;
	int rc;
	while ((rc = av_audit_reader_next(r, &rec, &err)) == 1)
		if (rec.type == AV_REC_CHECKPOINT) {
			free(last);
			last = strndup(rec.payload, rec.payload_len);
		}
	av_audit_reader_free(r);
	if (rc < 0 || last == NULL) {
		free(last);
		return rc < 0 ? cli_report(&err) : EXIT_SOFTWARE;
	}
	out_line(last);
	free(last);
	finish_output();
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	if (argc < 2) {
		fputs(audit_usage, stderr);
		return EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		fputs(audit_usage, stdout);
		return 0;
	}
	struct audit_opts o = { 0 };
	optind = 1;
	parse_options(argc - 1, argv + 1, &o);
	int rest = argc - 1 - optind;
	char state[4096];
	int status;
	if (strcmp(sub, "check-proof") == 0) {
		status = audit_check_proof(&o, argc - 1, argv + 1);
		free(o.policy.files);
		return status;
	}
	if (rest != 0)
		cli_die(EXIT_USAGE,
		        "audit %s takes no operands (see agentvisor audit --help)", sub);
	cli_state_dir(o.state, state, sizeof(state));
	if (strcmp(sub, "verify") == 0)
		status = audit_verify(&o, state);
	else if (strcmp(sub, "show") == 0)
		status = audit_read(&o, state, false);
	else if (strcmp(sub, "export") == 0)
		status = audit_read(&o, state, true);
	else if (strcmp(sub, "replay") == 0)
		status = audit_replay(&o, state);
	else if (strcmp(sub, "prove") == 0)
		status = audit_prove(&o, state);
	else if (strcmp(sub, "pubkey") == 0)
		status = audit_pubkey(state);
	else if (strcmp(sub, "checkpoint") == 0)
		status = audit_checkpoint(state);
	else {
		fprintf(stderr, "agentvisor: unknown audit command '%s'\n\n%s", sub,
		        audit_usage);
		status = EXIT_USAGE;
	}
	free(o.policy.files);
	return status;
}
