/* review.c - `agentvisor review list|show|approve|deny`: answers the
 * daemon's review queue over its Unix socket (agentvisor/client.h).
 * The daemon records every answer in the audit log with this process's
 * peer credentials. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/client.h"
#include "agentvisor/daemon.h"
#include "cli/cli.h"

#define EXIT_UNAVAILABLE 69 /* the daemon cannot be reached (EX_UNAVAILABLE) */
#define REVIEW_REPLY_MAX ((size_t)16 << 20)

static const char review_usage[] =
        "usage: agentvisor review list [--json] [--socket PATH]\n"
        "       agentvisor review show ID [--socket PATH]\n"
        "       agentvisor review approve ID [--reason TEXT] [--socket PATH]\n"
        "       agentvisor review deny ID [--reason TEXT] [--socket PATH]\n"
        "\n"
        "Lists and answers the pending reviews of a running `agentvisor serve`.\n"
        "An approved action gets allow, a denied one block; both are recorded in\n"
        "the audit log with who answered.\n"
        "\n"
        "  --reason TEXT   why (recorded; at most 1024 bytes)\n"
        "  --json          list: print the daemon's JSON\n"
        "  --socket PATH   the daemon's socket (default $AGENTVISOR_SOCKET, else\n"
        "                  $XDG_RUNTIME_DIR/agentvisor/agentvisor.sock)\n"
        "  -h, --help      this text\n"
        "\n"
        "Exit status: 0 done, 1 the review is not pending any more (already\n"
        "answered or expired), 64 usage error, 65 the daemon refused the request\n"
        "(the message names the field), 66 no such review, 69 the daemon cannot be\n"
        "reached, 70 internal error.\n";

/* One request to the daemon; returns the HTTP status and the body (new,
 * free with free()), or dies with 69 when the daemon cannot be reached. */
static long request(const char *sock, const char *method, const char *path,
                    const char *body, char **out)
{
	struct av_client_response r;
	char why[256];
	enum av_client_status st =
	        av_client_request(sock, method, path, body, body ? strlen(body) : 0,
	                          30000, REVIEW_REPLY_MAX, &r, why, sizeof(why));
	if (st != AV_CLIENT_OK)
		cli_die(EXIT_UNAVAILABLE, "cannot reach the daemon at %s: %s", sock, why);
	*out = r.body;
	return r.status;
}

/* Prints the daemon's error object and returns the exit status for it. */
static int report_error(long status, const char *body)
{
	json_t *o = json_loads(body, 0, NULL);
	json_t *e = json_object_get(o, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *where = json_string_value(json_object_get(e, "where"));
	if (msg != NULL && where != NULL && where[0] != '\0')
		fprintf(stderr, "agentvisor: %s: %s\n", where, msg);
	else if (msg != NULL)
		fprintf(stderr, "agentvisor: %s\n", msg);
	else
		fprintf(stderr, "agentvisor: the daemon answered HTTP %ld\n", status);
	json_decref(o);
	return status == 404 ? EXIT_NOINPUT : status == 409 ? 1 : EXIT_DATAERR;
}

static int list(const char *sock, bool as_json)
{
	char *body;
	long st = request(sock, "GET", "/v1/reviews", NULL, &body);
	if (st != 200) {
		int rc = report_error(st, body);
		free(body);
		return rc;
	}
	if (as_json) {
		fputs(body, stdout);
		free(body);
		return 0;
	}
	json_t *o = json_loads(body, 0, NULL);
	free(body);
	json_t *rs = json_object_get(o, "reviews"), *r;
	size_t i;
	if (json_array_size(rs) == 0)
		puts("no pending reviews");
	json_array_foreach(rs, i, r)
	{
		json_t *a = json_object_get(r, "action");
		json_t *in = json_object_get(a, "input");
		const char *kind = json_string_value(json_object_get(a, "kind"));
		const char *cmd = json_string_value(json_object_get(in, "command"));
		const char *op = json_string_value(json_object_get(in, "op"));
		const char *path = json_string_value(json_object_get(in, "path"));
		printf("%s  %3llds left  %s: %s%s%s\n",
		       json_string_value(json_object_get(r, "id")),
		       (long long)json_integer_value(json_object_get(r, "expires_in_s")),
		       kind ? kind : "?",
		       cmd  ? cmd
		       : op ? op
		            : "?",
		       cmd ? "" : " ",
		       cmd    ? ""
		       : path ? path
		              : "");
		json_t *fs = json_object_get(json_object_get(r, "verdict"), "findings"),
		       *f;
		size_t j;
		json_array_foreach(fs, j, f)
		        printf("    %s (%s): %s\n",
		               json_string_value(json_object_get(f, "rule")),
		               json_string_value(json_object_get(f, "verdict")),
		               json_string_value(json_object_get(f, "reason")));
	}
	json_decref(o);
	return fflush(stdout) == 0 ? 0 : EXIT_IOERR;
}

/* Review ids are "r-" + hex; anything else is refused before it reaches a
 * URL. */
static void check_id(const char *id)
{
	size_t n = strlen(id);
	if (n < 3 || n > 40 || strncmp(id, "r-", 2) != 0 ||
	    strspn(id + 2, "0123456789abcdef") != n - 2)
		cli_die(EXIT_USAGE, "%s is not a review id (r-HEX, from review list)",
		        id);
}

static int show(const char *sock, const char *id)
{
	char path[128], *body;
	snprintf(path, sizeof(path), "/v1/reviews/%s", id);
	long st = request(sock, "GET", path, NULL, &body);
	int rc = 0;
	if (st != 200) {
		rc = report_error(st, body);
	} else {
		json_t *o = json_loads(body, 0, NULL);
		printf("%s  %s\n", id, json_string_value(json_object_get(o, "status")));
		const char *ex = json_string_value(json_object_get(o, "explanation"));
		if (ex != NULL)
			fputs(ex, stdout);
		json_decref(o);
	}
	free(body);
	return rc;
}

static int answer(const char *sock, const char *id, const char *decision,
                  const char *reason)
{
	json_t *o = json_pack("{s:s}", "decision", decision);
	if (reason != NULL)
		json_object_set_new(o, "reason", json_string(reason));
	char *req = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (req == NULL)
		cli_die(EXIT_USAGE, "the reason must be UTF-8 text");
	char path[128], *body;
	snprintf(path, sizeof(path), "/v1/reviews/%s", id);
	long st = request(sock, "POST", path, req, &body);
	free(req);
	int rc = 0;
	if (st != 200) {
		rc = report_error(st, body);
	} else {
		json_t *r = json_loads(body, 0, NULL);
		const char *v = json_string_value(
		        json_object_get(json_object_get(r, "final"), "verdict"));
		printf("%s %s: the action is now %s\n", id,
		       json_string_value(json_object_get(r, "status")), v ? v : "?");
		json_decref(r);
	}
	free(body);
	return rc;
}

int cmd_review(int argc, char **argv)
{
	enum { OPT_SOCKET = 256, OPT_REASON, OPT_JSON };
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock_opt = NULL, *reason = NULL;
	bool as_json = false;
	int c;
	/* Options may come before or after the subcommand and id. */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			sock_opt = cli_absolute_arg("--socket", optarg);
			break;
		case OPT_REASON:
			reason = optarg;
			break;
		case OPT_JSON:
			as_json = true;
			break;
		case 'h':
			fputs(review_usage, stdout);
			exit(0);
		default:
			fputs(review_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
	int n = argc - optind;
	const char *sub = n > 0 ? argv[optind] : NULL;
	static const struct {
		const char *name;
		int operands;
		const char *decision; /* approve/deny */
	} subs[] = {
		{ "list", 0, NULL },
		{ "show", 1, NULL },
		{ "approve", 1, "approve" },
		{ "deny", 1, "deny" },
	};
	size_t k = 0;
	while (sub != NULL && k < sizeof(subs) / sizeof(subs[0]) &&
	       strcmp(sub, subs[k].name) != 0)
		k++;
	if (sub == NULL || k == sizeof(subs) / sizeof(subs[0]) ||
	    n - 1 != subs[k].operands) {
		fputs(review_usage, stderr);
		return EXIT_USAGE;
	}
	if (reason != NULL && subs[k].decision == NULL)
		cli_die(EXIT_USAGE, "--reason is for approve and deny");
	char sock[4096];
	struct av_error err;
	if (av_daemon_socket_path(sock_opt, sock, sizeof(sock), &err) < 0)
		return cli_report(&err), EXIT_USAGE;
	int rc;
	if (subs[k].operands == 0) {
		rc = list(sock, as_json);
	} else {
		check_id(argv[optind + 1]);
		rc = subs[k].decision == NULL
		             ? show(sock, argv[optind + 1])
		             : answer(sock, argv[optind + 1], subs[k].decision, reason);
	}
	return rc;
}
