/* report.c - `agentvisor report`: records what happened when an action ran
 * (exit status, output digest, paths written) as a result record in the
 * audit log, linked to the decision by the action's id. docs/PROTOCOL.md
 * ("Result report") defines the JSON; docs/CLI.md the options and exit
 * statuses. The output itself is never stored: with --output only its
 * SHA-256 and length are. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentvisor/audit.h"
#include "agentvisor/session.h"
#include "agentvisor/sys.h"
#include "cli/cli.h"

static const char report_usage[] =
        "usage: agentvisor report [--state DIR] [--file FILE] [--output FILE]\n"
        "                         [--fsync MODE]\n"
        "\n"
        "Records an action's execution result (JSON, docs/PROTOCOL.md \"Result\n"
        "report\") in the audit log, linked to its decision by the action id,\n"
        "and applies it to the action's session (the paths it wrote carry the\n"
        "labels of the data it read; docs/POLICY.md \"Sessions\").\n"
        "\n"
        "  --file FILE      the result report (default: standard input; '-' too)\n"
        "  --output FILE    the action's output: its SHA-256 and length are\n"
        "                   recorded (the output itself never is); a reported\n"
        "                   output_digest or output_bytes must then agree\n"
        "  --state DIR      state directory holding the audit log (default\n"
        "                   $AGENTVISOR_STATE, else $XDG_STATE_HOME/agentvisor)\n"
        "  --fsync MODE     audit durability: always, batch (default) or never\n"
        "  -h, --help       this text\n"
        "\n"
        "Prints {\"id\":...,\"seq\":N} (the record's sequence number) on success.\n"
        "Exit status: 0 recorded, 64 usage error, 65 malformed report (the\n"
        "message names the field), 66 the report or output file cannot be read,\n"
        "74 the record could not be written to the audit log.\n";

struct report_opts {
	const char *file, *output, *state, *fsync;
};

/* Hashes the file at path with SHA-256, streaming (any size). */
static int digest_file(const char *path, unsigned char out[32], int64_t *bytes)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	unsigned char buf[1 << 16];
	int64_t total = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
		total += n;
	}
	close(fd);
	crypto_hash_sha256_final(&st, out);
	*bytes = total;
	return 0;
}

static void parse_options(int argc, char **argv, struct report_opts *o)
{
	enum { OPT_FILE = 256, OPT_OUTPUT, OPT_STATE, OPT_FSYNC };
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, OPT_FILE },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "fsync", required_argument, NULL, OPT_FSYNC },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FILE:
			o->file = optarg;
			break;
		case OPT_OUTPUT:
			o->output = optarg;
			break;
		case OPT_STATE:
			o->state = cli_absolute_arg("--state", optarg);
			break;
		case OPT_FSYNC:
			o->fsync = optarg;
			break;
		case 'h':
			fputs(report_usage, stdout);
			exit(0);
		default:
			fputs(report_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind != argc)
		cli_die(EXIT_USAGE,
		        "report takes no operands (see agentvisor report --help)");
}

/* With --output: the digest and length of the real output replace what was
 * reported, and must agree with it when both are given. */
static int apply_output(const char *path, struct av_result *r)
{
	unsigned char h[32];
	int64_t bytes;
	if (sodium_init() < 0)
		cli_die(EXIT_SOFTWARE, "libsodium failed to start");
	if (digest_file(path, h, &bytes) < 0) {
		fprintf(stderr, "agentvisor: %s: cannot read the output: %s\n", path,
		        strerror(errno));
		return EXIT_NOINPUT;
	}
	if (r->has_output_digest && memcmp(h, r->output_sha256, 32) != 0) {
		fprintf(stderr,
		        "agentvisor: output_digest: the reported digest does not match "
		        "the SHA-256 of %s\n",
		        path);
		return EXIT_DATAERR;
	}
	if (r->output_bytes >= 0 && r->output_bytes != bytes) {
		fprintf(stderr,
		        "agentvisor: output_bytes: %" PRId64
		        " reported, but %s holds %" PRId64 " bytes\n",
		        r->output_bytes, path, bytes);
		return EXIT_DATAERR;
	}
	memcpy(r->output_sha256, h, 32);
	r->has_output_digest = true;
	r->digest_from_output = true;
	r->output_bytes = bytes;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	parse_options(argc, argv, &o);
	struct av_error err;
	char *text = NULL;
	size_t len;
	if (av_read_file(o.file != NULL ? o.file : "-", AV_RESULT_MAX_BYTES, &text, &len,
	                 &err) < 0)
		return err.code == AV_E_LIMIT ? (cli_report(&err), EXIT_DATAERR)
		                              : cli_report(&err);
	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	struct av_result r;
	int status = 0;
	if (av_result_decode(text, len, &arena, &r, &err) < 0) {
		cli_report(&err);
		status = EXIT_DATAERR;
		goto out;
	}
	if (o.output != NULL && (status = apply_output(o.output, &r)) != 0)
		goto out;

	struct av_audit_opts ao;
	char dir[4096];
	struct av_audit_writer *w = NULL;
	uint64_t seq = 0;
	if (av_audit_opts_default(&ao, &err) < 0) {
		status = cli_report(&err) == EXIT_NOINPUT ? EXIT_IOERR : EXIT_USAGE;
		goto out;
	}
	if (o.fsync != NULL && av_audit_fsync_parse(o.fsync, &ao.fsync) < 0)
		cli_die(EXIT_USAGE, "--fsync must be always, batch or never");
	cli_state_dir(o.state, dir, sizeof(dir));
	if (av_audit_open(dir, &ao, &w, &err) < 0 ||
	    av_audit_append_result(w, &r, &seq, &err) < 0) {
		cli_report(&err);
		av_audit_close(w, &err);
		status = EXIT_IOERR;
		goto out;
	}
	if (av_audit_close(w, &err) < 0) {
		cli_report(&err);
		status = EXIT_IOERR;
		goto out;
	}
	/* Then the session of the action learns what really happened: the
	 * files it wrote carry the labels of the data it moved (docs/POLICY.md,
	 * "Sessions"). A session store that fails is an I/O error: the caller
	 * must know the session did not learn it. */
	struct av_session_opts so;
	struct av_session_store *ss = NULL;
	int applied = -1; /* 1 applied, 0 no session knows the action */
	if (av_session_opts_default(&so, &err) == 0 &&
	    av_session_store_open(dir, &so, &ss, &err) == 0)
		applied = av_session_report(ss, &r, av_session_now_ms(), &err);
	av_session_store_close(ss);
	if (applied < 0) {
		cli_report(&err);
		status = EXIT_IOERR;
	}
	/* The id is echoed only when it needs no JSON escaping; the sequence
	 * number always is. */
	bool plain = true;
	for (const char *p = r.id; *p != '\0'; p++)
		plain &= (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\' &&
		         (unsigned char)*p < 0x80;
	if (plain)
		printf("{\"id\":\"%s\",\"seq\":%" PRIu64 "}\n", r.id, seq);
	else
		printf("{\"seq\":%" PRIu64 "}\n", seq);
	if (fflush(stdout) != 0)
		status = EXIT_IOERR;
out:
	free(text);
	av_arena_free(&arena);
	return status;
}
