/* test_audit.c - the audit log: Merkle proofs against RFC 9162, redaction,
 * and the tamper cases of issue 6, each of which audit verify must detect
 * and locate: one changed byte anywhere, a deleted record, two reordered,
 * truncation, two logs spliced, a checkpoint re-signed with another key, a
 * rollback to an older checkpoint, a replaced segment; plus torn-tail
 * recovery, adoption of records written after a crash, and key checks. */
#include <fcntl.h>
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
#include <sodium.h>

#include "agentvisor/audit.h"
#include "agentvisor/sys.h"
#include "audit/audit_internal.h"

/* ---- helpers ----------------------------------------------------------- */

static void make_tmp(char *dir, size_t cap)
{
	snprintf(dir, cap, "/tmp/av-test-audit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	strncat(dir, "/state", cap - strlen(dir) - 1);
}

static void rm_tree(const char *state)
{
	char cmd[4300];
	/* state is "/tmp/av-test-audit-XXXXXX/state": remove its parent. */
	char parent[4096];
	snprintf(parent, sizeof(parent), "%s", state);
	char *slash = strrchr(parent, '/');
	*slash = '\0';
	assert_int_equal(strncmp(parent, "/tmp/av-test-audit-", 19), 0);
	snprintf(cmd, sizeof(cmd), "%s/audit", state);
	/* only our own files: segments, head, lock, keys */
	const char *names[] = { "head", "lock" };
	for (size_t i = 0; i < 2; i++) {
		char p[4400];
		snprintf(p, sizeof(p), "%s/%s", cmd, names[i]);
		unlink(p);
	}
	for (int s = 1; s < 100; s++) {
		char p[4400];
		snprintf(p, sizeof(p), "%s/" AV_SEG_NAME_FMT, cmd, (unsigned long long)s);
		unlink(p);
	}
	rmdir(cmd);
	char p[4400];
	snprintf(p, sizeof(p), "%s/audit.key", state);
	unlink(p);
	snprintf(p, sizeof(p), "%s/audit.pub", state);
	unlink(p);
	rmdir(state);
	rmdir(parent);
}

static struct av_audit_opts opts(uint64_t segment_bytes, uint32_t every)
{
	struct av_audit_opts o;
	struct av_error err;
	assert_int_equal(av_audit_opts_default(&o, &err), 0);
	o.fsync = AV_FSYNC_NEVER;
	o.segment_bytes = segment_bytes;
	o.checkpoint_every = every;
	return o;
}

/* Writes n decision-like records and closes (seals) the log. */
static void write_log(const char *state, int n, uint64_t segment_bytes, uint32_t every)
{
	struct av_audit_opts o = opts(segment_bytes, every);
	struct av_audit_writer *w;
	struct av_error err;
	assert_int_equal(av_audit_open(state, &o, &w, &err), 0);
	for (int i = 0; i < n; i++) {
		char p[128];
		int len = snprintf(p, sizeof(p),
		                   "{\"i\":%d,\"pad\":\"abcdefghijklmnop\"}", i);
		assert_int_equal(
		        av_audit_append(w, AV_REC_DECISION, p, (size_t)len, NULL, &err),
		        0);
	}
	assert_int_equal(av_audit_close(w, &err), 0);
}

static void seg_file(const char *state, int segno, char *out, size_t cap)
{
	snprintf(out, cap, "%s/audit/" AV_SEG_NAME_FMT, state, (unsigned long long)segno);
}

static char *slurp(const char *path, size_t *len)
{
	char *buf;
	struct av_error err;
	assert_int_equal(av_read_file(path, (size_t)1 << 30, &buf, len, &err), 0);
	return buf;
}

static void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static struct av_audit_verify_result verify(const char *state)
{
	struct av_audit_verify_result r;
	struct av_error err;
	assert_int_equal(av_audit_verify(state, NULL, NULL, 0, &r, &err), 0);
	return r;
}

/* Record start offsets in a segment buffer. */
static size_t record_offsets(const unsigned char *b, size_t len, size_t *offs, size_t max)
{
	size_t n = 0, off = AV_SEG_HEADER;
	while (off < len && n < max) {
		struct av_audit_record rec;
		size_t fl;
		char why[200];
		assert_int_equal(
		        av_frame_decode(b + off, len - off, &rec, &fl, why, sizeof(why)),
		        AV_FRAME_COMPLETE);
		offs[n++] = off;
		off += fl;
	}
	return n;
}

/* Re-chains every record from offset `from` on, as an attacker who knows
 * the format would after editing: recomputes each prev and hash. */
static void rechain(unsigned char *b, size_t len)
{
	unsigned char prev[32];
	memset(prev, 0, 32);
	size_t off = AV_SEG_HEADER;
	while (off + AV_FRAME_OVERHEAD <= len) {
		uint32_t pl = av_get_u32(b + off + 24);
		size_t fl = AV_FRAME_OVERHEAD + pl;
		memcpy(b + off + 32, prev, 32);
		crypto_generichash(b + off + AV_FRAME_HEADER + pl, 32, b + off,
		                   AV_FRAME_HEADER + pl, NULL, 0);
		memcpy(prev, b + off + AV_FRAME_HEADER + pl, 32);
		off += fl;
	}
}

/* ---- Merkle proofs ----------------------------------------------------- */

static void test_merkle_proofs(void **state)
{
	(void)state;
	unsigned char leaves[70][32], roots[71][32];
	struct av_merkle m;
	av_merkle_init(&m);
	for (int i = 0; i < 70; i++) {
		unsigned char rh[32];
		memset(rh, i, 32);
		av_merkle_leaf_hash(rh, 32, leaves[i]);
		av_merkle_push(&m, rh);
		av_merkle_tree_hash((const unsigned char(*)[32])leaves, (uint64_t)i + 1,
		                    roots[i + 1]);
		unsigned char fr[32];
		av_merkle_root(&m, fr);
		assert_memory_equal(fr, roots[i + 1], 32); /* frontier == recursion */
	}
	for (uint64_t n = 1; n <= 70; n++) {
		for (uint64_t i = 0; i < n; i++) {
			unsigned char path[64][32];
			int np;
			assert_int_equal(av_merkle_inclusion_path(
			                         (const unsigned char(*)[32])leaves, n, i,
			                         path, &np),
			                 0);
			assert_true(av_merkle_verify_inclusion(
			        i, n, leaves[i], (const unsigned char(*)[32])path, np,
			        roots[n]));
			if (np > 0) {
				path[0][0] ^= 1;
				assert_false(av_merkle_verify_inclusion(
				        i, n, leaves[i], (const unsigned char(*)[32])path,
				        np, roots[n]));
			}
			if (n > 1)
				assert_false(av_merkle_verify_inclusion(
				        (i + 1) % n, n, leaves[i],
				        (const unsigned char(*)[32])path, np, roots[n]));
		}
		for (uint64_t k = 1; k <= n; k++) {
			unsigned char path[64][32];
			int np;
			assert_int_equal(av_merkle_consistency_path(
			                         (const unsigned char(*)[32])leaves, k, n,
			                         path, &np),
			                 0);
			assert_true(av_merkle_verify_consistency(
			        k, n, roots[k], roots[n],
			        (const unsigned char(*)[32])path, np));
			if (k < n) {
				assert_false(av_merkle_verify_consistency(
				        k, n, roots[k == 1 ? 2 : k - 1], roots[n],
				        (const unsigned char(*)[32])path, np));
			}
		}
	}
}

/* RFC 6962 test vector: the root of the empty tree. */
static void test_merkle_empty(void **state)
{
	(void)state;
	struct av_merkle m;
	av_merkle_init(&m);
	unsigned char r[32];
	char hex[65];
	av_merkle_root(&m, r);
	av_hex(r, 32, hex);
	assert_string_equal(
	        hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* ---- redaction --------------------------------------------------------- */

static void expect_redacted(const char *in, const char *want)
{
	size_t n;
	unsigned count;
	char *out = av_redact_json(in, strlen(in), &n, &count);
	assert_non_null(out);
	if (strcmp(out, want) != 0)
		fail_msg("redact(%s)\n  got  %s\n  want %s", in, out, want);
	free(out);
}

static void test_redact(void **state)
{
	(void)state;
	expect_redacted("{\"c\":\"aws s3 ls AKIAIOSFODNN7EXAMPLE\"}",
	                "{\"c\":\"aws s3 ls [REDACTED:aws-access-key]\"}");
	expect_redacted(
	        "{\"c\":\"git clone https://ghp_0123456789abcdefghijABCDEFGHIJ@x\"}",
	        "{\"c\":\"git clone https://[REDACTED:github-token]@x\"}");
	expect_redacted("{\"c\":\"export SLACK=xoxb-1234567890-abcdefghij\"}",
	                "{\"c\":\"export SLACK=[REDACTED:slack-token]\"}");
	expect_redacted("{\"c\":\"OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx\"}",
	                "{\"c\":\"OPENAI_API_KEY=[REDACTED:api-key]\"}");
	expect_redacted("{\"c\":\"MY_TOKEN=q8Zr2LpX7vNw4KtY9sBd\"}",
	                "{\"c\":\"MY_TOKEN=[REDACTED:secret]\"}");
	expect_redacted("{\"c\":\"DB_PASSWORD=hunter22 ./run\"}",
	                "{\"c\":\"DB_PASSWORD=[REDACTED:password] ./run\"}");
	expect_redacted(
	        "{\"c\":\"echo \\\"-----BEGIN RSA PRIVATE KEY-----\\nMIIEabc\\n-----END "
	        "RSA PRIVATE KEY-----\\\" > k\"}",
	        "{\"c\":\"echo \\\"[REDACTED:private-key]\\\" > k\"}");
	/* A key block without an END line: redacted to the end of the string. */
	expect_redacted(
	        "{\"c\":\"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNza\",\"d\":1}",
	        "{\"c\":\"[REDACTED:private-key]\",\"d\":1}");
	/* JSON keys with secret names: the value string only. */
	expect_redacted("{\"api_key\":\"Zx81kQp3Lm0Vb7Ns2Rt5\",\"n\":1}",
	                "{\"api_key\":\"[REDACTED:secret]\",\"n\":1}");
	/* Not secrets: ordinary words and paths, numbers outside strings. */
	expect_redacted("{\"c\":\"git status\",\"token_count\":12345678901234567890}",
	                "{\"c\":\"git status\",\"token_count\":12345678901234567890}");
	expect_redacted("{\"c\":\"KEY_FILE=/etc/ssl/private/server.pem\"}",
	                "{\"c\":\"KEY_FILE=/etc/ssl/private/server.pem\"}");
	expect_redacted("{\"c\":\"sort --key=2 file\"}", "{\"c\":\"sort --key=2 file\"}");
}

/* The prefilter must never hide a secret the patterns would find: every
 * kind, in upper, lower and mixed case where the pattern ignores case, is
 * flagged and redacted; ordinary records are not flagged. */
static void test_redact_prefilter(void **state)
{
	(void)state;
	static const char *const secret[] = {
		"{\"c\":\"AKIAIOSFODNN7EXAMPLE\"}",
		"{\"c\":\"ASIAIOSFODNN7EXAMPLE\"}",
		"{\"c\":\"gho_0123456789abcdefghijABCDEFGHIJ\"}",
		"{\"c\":\"github_pat_0123456789abcdefghijABCDEFGHIJ\"}",
		"{\"c\":\"xoxp-1234567890-abcdefghij\"}",
		"{\"c\":\"sk-ant-abcdefghijklmnopqrstuvwx\"}",
		"{\"c\":\"AIzaSyA0123456789abcdefghijklmnopqrstuv\"}",
		"{\"c\":\"eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2Q\"}",
		"{\"c\":\"Authorization: BEARER abcdefghijklmnop0123\"}",
		"{\"c\":\"PassWord=hunter22\"}",
		"{\"c\":\"DB_PWD: hunter22\"}",
		"{\"c\":\"Api_KEY=Zx81kQp3Lm0Vb7Ns2Rt5\"}",
		"{\"c\":\"CREDENTIAL=Zx81kQp3Lm0Vb7Ns2Rt5\"}",
		"{\"c\":\"x-Auth: Zx81kQp3Lm0Vb7Ns2Rt5\"}",
		"{\"c\":\"-----BEGIN EC PRIVATE KEY-----\\nMHc\"}",
	};
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		assert_true(av_redact_needed(secret[i], strlen(secret[i])));
		size_t n;
		unsigned count;
		char *out = av_redact_json(secret[i], strlen(secret[i]), &n, &count);
		assert_non_null(out);
		if (count != 1 || strstr(out, "[REDACTED:") == NULL)
			fail_msg("not redacted: %s -> %s", secret[i], out);
		free(out);
	}
	static const char plain[] =
	        "{\"v\":1,\"id\":\"7\",\"action\":{\"kind\":\"shell\",\"input\":{"
	        "\"command\":\"git diff --stat\"}},\"decision\":{\"verdict\":\"allow\","
	        "\"findings\":[],\"commands\":[{\"argv\":[\"git\",\"diff\"]}]}}";
	assert_false(av_redact_needed(plain, strlen(plain)));
}

/* Result reports: strict decoding, and a result record that verifies. */
static void expect_result_error(const char *json, const char *where)
{
	struct av_arena a;
	struct av_result r;
	struct av_error err;
	av_arena_init(&a, AV_ARENA_DEFAULT_CAP);
	if (av_result_decode(json, strlen(json), &a, &r, &err) == 0)
		fail_msg("accepted: %s", json);
	if (strcmp(err.where, where) != 0)
		fail_msg("%s: where \"%s\", wanted \"%s\" (%s)", json, err.where, where,
		         err.message);
	av_arena_free(&a);
}

static void test_result(void **state)
{
	(void)state;
	expect_result_error("{\"id\":\"a\",\"exit\":0,\"stdout\":\"x\"}", "stdout");
	expect_result_error("{\"exit\":0}", "id");
	expect_result_error("{\"id\":\"\",\"exit\":0}", "id");
	expect_result_error("{\"id\":\"a\"}", "exit");
	expect_result_error("{\"id\":\"a\",\"exit\":true}", "exit");
	expect_result_error("{\"id\":\"a\",\"exit\":4294967296}", "exit");
	expect_result_error("{\"id\":\"a\",\"exit\":0,\"duration_ms\":-3}",
	                    "duration_ms");
	expect_result_error("{\"id\":\"a\",\"exit\":0,\"output_digest\":\"sha256:AB\"}",
	                    "output_digest");
	expect_result_error("{\"id\":\"a\",\"exit\":0,\"paths_written\":[\"\"]}",
	                    "paths_written[0]");
	expect_result_error("{\"id\":\"a\",\"exit\":0,\"id\":\"b\"}", "byte 23");

	struct av_arena a;
	struct av_result r;
	struct av_error err;
	av_arena_init(&a, AV_ARENA_DEFAULT_CAP);
	const char *ok =
	        "{\"id\":\"a-1\",\"session\":\"s\",\"exit\":-9,"
	        "\"output_digest\":\"sha256:"
	        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
	        "\"output_bytes\":0,\"paths_written\":[\"/w/a\",\"/w/b\"],"
	        "\"error\":\"killed\",\"duration_ms\":12}";
	assert_int_equal(av_result_decode(ok, strlen(ok), &a, &r, &err), 0);
	assert_string_equal(r.id, "a-1");
	assert_int_equal(r.exit_status, -9);
	assert_true(r.has_output_digest);
	assert_int_equal(r.output_sha256[0], 0xe3);
	assert_int_equal(r.npaths, 2);
	assert_string_equal(r.paths_written[1], "/w/b");
	assert_int_equal(r.duration_ms, 12);

	char st[4096];
	make_tmp(st, sizeof(st));
	struct av_audit_opts o;
	struct av_audit_writer *w;
	assert_int_equal(av_audit_opts_default(&o, &err), 0);
	assert_int_equal(av_audit_open(st, &o, &w, &err), 0);
	uint64_t seq;
	assert_int_equal(av_audit_append_result(w, &r, &seq, &err), 0);
	assert_int_equal(av_audit_close(w, &err), 0);
	struct av_audit_verify_result vr = verify(st);
	assert_int_equal(vr.fault, AV_AUDIT_OK);
	struct av_audit_reader *rd;
	struct av_audit_record rec;
	assert_int_equal(av_audit_reader_open(st, &rd, &err), 0);
	bool found = false;
	while (av_audit_reader_next(rd, &rec, &err) == 1)
		if (rec.seq == seq) {
			found = true;
			assert_int_equal(rec.type, AV_REC_RESULT);
			assert_non_null(memmem(
			        rec.payload, rec.payload_len,
			        "\"exit\":-9,\"output_digest\":\"sha256:e3b0", 37));
			assert_non_null(memmem(rec.payload, rec.payload_len,
			                       "\"output_digest_from\":\"report\"", 29));
		}
	assert_true(found);
	av_audit_reader_free(rd);
	av_arena_free(&a);
	rm_tree(st);
}

/* ---- round trip and tamper cases --------------------------------------- */

static void test_roundtrip(void **state)
{
	(void)state;
	char st[4096];
	make_tmp(st, sizeof(st));
	write_log(st, 50, AV_AUDIT_SEGMENT_DEFAULT, 8);
	struct av_audit_verify_result r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_OK);
	/* 1 note + 50 records + a checkpoint after each 8 + one at close */
	assert_true(r.records >= 51 + 6);
	assert_int_equal(r.unsealed, 0);
	/* a second writer continues the same chain */
	write_log(st, 5, AV_AUDIT_SEGMENT_DEFAULT, 8);
	r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_OK);
	/* key and directory modes */
	struct stat sb;
	char p[4300];
	snprintf(p, sizeof(p), "%s/audit.key", st);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(st, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	rm_tree(st);
}

static void test_every_byte(void **state)
{
	(void)state;
	char st[4096], seg[4400];
	make_tmp(st, sizeof(st));
	write_log(st, 12, AV_AUDIT_SEGMENT_DEFAULT, 4);
	seg_file(st, 1, seg, sizeof(seg));
	size_t len;
	unsigned char *orig = (unsigned char *)slurp(seg, &len);
	size_t offs[256];
	size_t n = record_offsets(orig, len, offs, 256);
	for (size_t i = 0; i < len; i++) {
		orig[i] ^= 0x20;
		spit(seg, orig, len);
		struct av_audit_verify_result r = verify(st);
		orig[i] ^= 0x20;
		if (r.fault == AV_AUDIT_OK)
			fail_msg("a change at byte %zu was not detected", i);
		/* The fault is located at the record holding the byte (or the
		 * segment header). */
		size_t want = 0;
		for (size_t k = 0; k < n; k++)
			if (offs[k] <= i)
				want = offs[k];
		if (i < AV_SEG_HEADER)
			want = 0;
		if (r.bad_offset != want)
			fail_msg("byte %zu: fault reported at offset %llu, expected %zu "
			         "(%s)",
			         i, (unsigned long long)r.bad_offset, want, r.reason);
		assert_string_equal(r.bad_segment, "seg-00000001.log");
	}
	spit(seg, orig, len);
	assert_int_equal(verify(st).fault, AV_AUDIT_OK);
	free(orig);
	rm_tree(st);
}

static void test_delete_reorder_truncate(void **state)
{
	(void)state;
	char st[4096], seg[4400];
	make_tmp(st, sizeof(st));
	write_log(st, 10, AV_AUDIT_SEGMENT_DEFAULT, 100);
	seg_file(st, 1, seg, sizeof(seg));
	size_t len;
	unsigned char *orig = (unsigned char *)slurp(seg, &len);
	unsigned char *b = malloc(len);
	size_t offs[64];
	size_t n = record_offsets(orig, len, offs, 64);
	assert_true(n >= 11);

	/* delete record 3 */
	size_t l3 = offs[4] - offs[3];
	memcpy(b, orig, offs[3]);
	memcpy(b + offs[3], orig + offs[4], len - offs[4]);
	spit(seg, b, len - l3);
	struct av_audit_verify_result r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_int_equal(r.bad_offset, offs[3]);
	assert_int_equal(r.bad_seq, 3);

	/* reorder records 3 and 4 */
	size_t l4 = offs[5] - offs[4];
	memcpy(b, orig, len);
	memcpy(b + offs[3], orig + offs[4], l4);
	memcpy(b + offs[3] + l4, orig + offs[3], l3);
	spit(seg, b, len);
	r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_int_equal(r.bad_offset, offs[3]);

	/* truncate inside the last record: a torn tail */
	spit(seg, orig, len - 7);
	r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_TORN_TAIL);
	assert_int_equal(r.bad_offset, offs[n - 1]);

	/* truncate at a record boundary before the final checkpoint: the
	 * chain is intact, but the tail is no longer sealed */
	spit(seg, orig, offs[n - 1]);
	r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_OK);
	assert_true(r.unsealed > 0);

	/* ... and against an anchor kept elsewhere it is a fault */
	spit(seg, orig, len);
	struct av_audit_record last;
	size_t fl;
	char why[200];
	assert_int_equal(av_frame_decode(orig + offs[n - 1], len - offs[n - 1], &last,
	                                 &fl, why, sizeof(why)),
	                 AV_FRAME_COMPLETE);
	assert_int_equal(last.type, AV_REC_CHECKPOINT);
	spit(seg, orig, offs[n - 1]);
	struct av_error err;
	assert_int_equal(
	        av_audit_verify(st, NULL, last.payload, last.payload_len, &r, &err), 0);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_non_null(strstr(r.reason, "truncated or rolled back"));
	spit(seg, orig, len);
	assert_int_equal(
	        av_audit_verify(st, NULL, last.payload, last.payload_len, &r, &err), 0);
	assert_int_equal(r.fault, AV_AUDIT_OK);

	/* an edit re-chained by someone who knows the format is caught by
	 * the next checkpoint's root */
	memcpy(b, orig, len);
	b[offs[2] + AV_FRAME_HEADER + 5] ^= 1; /* inside record 2's payload */
	rechain(b, len);
	spit(seg, b, len);
	r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_int_equal(r.bad_offset, offs[n - 1]); /* the checkpoint */
	assert_non_null(strstr(r.reason, "root"));

	free(b);
	free(orig);
	rm_tree(st);
}

static void test_splice_and_replace(void **state)
{
	(void)state;
	char a[4096], b[4096], sa[4400], sb[4400];
	make_tmp(a, sizeof(a));
	make_tmp(b, sizeof(b));
	write_log(a, 40, 1024, 10);
	write_log(b, 40, 1024, 10);
	assert_int_equal(verify(a).fault, AV_AUDIT_OK);
	assert_true(verify(a).segments >= 3);

	/* splice: log B's records appended after log A's last segment */
	seg_file(a, 1, sa, sizeof(sa));
	seg_file(b, 2, sb, sizeof(sb));
	size_t la, lb;
	char *da = slurp(sa, &la), *db = slurp(sb, &lb);
	char *both = malloc(la + lb);
	memcpy(both, da, la);
	memcpy(both + la, db + AV_SEG_HEADER, lb - AV_SEG_HEADER);
	spit(sa, both, la + lb - AV_SEG_HEADER);
	struct av_audit_verify_result r = verify(a);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_int_equal(r.bad_offset, la);
	spit(sa, da, la);
	assert_int_equal(verify(a).fault, AV_AUDIT_OK);

	/* replace segment 2 of A with segment 2 of B */
	char sa2[4400];
	seg_file(a, 2, sa2, sizeof(sa2));
	size_t la2;
	char *da2 = slurp(sa2, &la2);
	spit(sa2, db, lb);
	r = verify(a);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_string_equal(r.bad_segment, "seg-00000002.log");
	spit(sa2, da2, la2);

	/* remove segment 2 altogether */
	unlink(sa2);
	r = verify(a);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_non_null(strstr(r.reason, "segment 2 is missing"));
	spit(sa2, da2, la2);
	assert_int_equal(verify(a).fault, AV_AUDIT_OK);

	free(both);
	free(da);
	free(db);
	free(da2);
	rm_tree(a);
	rm_tree(b);
}

/* Finds the offset of the index-th checkpoint record (0-based). */
static size_t nth_checkpoint(const unsigned char *buf, size_t len, int index)
{
	size_t offs[512];
	size_t n = record_offsets(buf, len, offs, 512);
	for (size_t k = 0; k < n; k++)
		if (buf[offs[k] + 4] == AV_REC_CHECKPOINT && index-- == 0)
			return offs[k];
	fail_msg("no such checkpoint");
	return 0;
}

static void test_resign_and_rollback(void **state)
{
	(void)state;
	char st[4096], seg[4400];
	make_tmp(st, sizeof(st));
	write_log(st, 30, AV_AUDIT_SEGMENT_DEFAULT, 10);
	seg_file(st, 1, seg, sizeof(seg));
	size_t len;
	unsigned char *orig = (unsigned char *)slurp(seg, &len);
	unsigned char *b = malloc(len + 4096);

	/* re-sign the second checkpoint with another key, same length, and
	 * re-chain everything after it */
	size_t off = nth_checkpoint(orig, len, 1);
	uint32_t pl = av_get_u32(orig + off + 24);
	struct av_checkpoint c;
	char why[200];
	assert_int_equal(av_checkpoint_parse((const char *)orig + off + AV_FRAME_HEADER,
	                                     pl, &c, why, sizeof(why)),
	                 0);
	unsigned char pk[32], sk[64];
	crypto_sign_keypair(pk, sk);
	av_key_id(pk, c.key_id);
	char msg[256], json[512];
	size_t ml = av_checkpoint_message(&c, msg, sizeof(msg));
	crypto_sign_detached(c.sig, NULL, (unsigned char *)msg, ml, sk);
	size_t jl = av_checkpoint_json(&c, json, sizeof(json));
	assert_int_equal(jl, pl);
	memcpy(b, orig, len);
	memcpy(b + off + AV_FRAME_HEADER, json, jl);
	rechain(b, len);
	spit(seg, b, len);
	struct av_audit_verify_result r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_int_equal(r.bad_offset, off);
	assert_non_null(strstr(r.reason, "signature"));
	/* the same with the other key given as the trusted one also fails at
	 * the first (genuine) checkpoint */
	struct av_error err;
	assert_int_equal(av_audit_verify(st, pk, NULL, 0, &r, &err), 0);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_int_equal(r.bad_offset, nth_checkpoint(orig, len, 0));

	/* roll back: the latest checkpoint replaced by a copy of an older
	 * one (same length), chain recomputed */
	size_t old = nth_checkpoint(orig, len, 0), last = nth_checkpoint(orig, len, 3);
	memcpy(b, orig, len);
	assert_int_equal(av_get_u32(orig + old + 24), av_get_u32(orig + last + 24));
	memcpy(b + last + AV_FRAME_HEADER, orig + old + AV_FRAME_HEADER,
	       av_get_u32(orig + old + 24));
	rechain(b, len);
	spit(seg, b, len);
	r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_BAD);
	assert_int_equal(r.bad_offset, last);

	spit(seg, orig, len);
	assert_int_equal(verify(st).fault, AV_AUDIT_OK);
	free(b);
	free(orig);
	rm_tree(st);
}

/* ---- crash recovery ---------------------------------------------------- */

static int count_notes(const char *state, const char *needle)
{
	struct av_audit_reader *r;
	struct av_error err;
	assert_int_equal(av_audit_reader_open(state, &r, &err), 0);
	struct av_audit_record rec;
	int n = 0;
	while (av_audit_reader_next(r, &rec, &err) == 1)
		if (rec.type == AV_REC_NOTE &&
		    memmem(rec.payload, rec.payload_len, needle, strlen(needle)) != NULL)
			n++;
	av_audit_reader_free(r);
	return n;
}

static void test_torn_tail_recovery(void **state)
{
	(void)state;
	char st[4096], seg[4400];
	make_tmp(st, sizeof(st));
	write_log(st, 5, AV_AUDIT_SEGMENT_DEFAULT, 100);
	seg_file(st, 1, seg, sizeof(seg));
	size_t len;
	unsigned char *orig = (unsigned char *)slurp(seg, &len);
	/* a crash in the middle of an append: the first 80 bytes of a frame */
	unsigned char *b = malloc(len + 80);
	memcpy(b, orig, len);
	memcpy(b + len, orig + AV_SEG_HEADER, 80);
	spit(seg, b, len + 80);
	struct av_audit_verify_result r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_TORN_TAIL);
	assert_int_equal(r.bad_offset, len);
	/* the next writer truncates it, after a note naming the offset */
	write_log(st, 1, AV_AUDIT_SEGMENT_DEFAULT, 100);
	assert_int_equal(verify(st).fault, AV_AUDIT_OK);
	char needle[64];
	snprintf(needle, sizeof(needle), "recovered torn tail at offset %zu", len);
	assert_int_equal(count_notes(st, needle), 1);
	free(b);
	free(orig);
	rm_tree(st);
}

static void test_adopt_after_crash(void **state)
{
	(void)state;
	char st[4096], head[4400];
	make_tmp(st, sizeof(st));
	write_log(st, 3, AV_AUDIT_SEGMENT_DEFAULT, 100);
	snprintf(head, sizeof(head), "%s/audit/head", st);
	size_t hl;
	char *old = slurp(head, &hl);
	write_log(st, 4, AV_AUDIT_SEGMENT_DEFAULT, 100);
	uint64_t before = verify(st).records;
	/* a writer died after its appends but before head was updated */
	spit(head, old, hl);
	write_log(st, 1, AV_AUDIT_SEGMENT_DEFAULT, 100);
	struct av_audit_verify_result r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_OK);
	assert_int_equal(r.records, before + 2); /* nothing lost: +1 record +1 seal */
	/* a damaged head is rebuilt from the records, with a note */
	spit(head, "garbage", 7);
	write_log(st, 1, AV_AUDIT_SEGMENT_DEFAULT, 100);
	assert_int_equal(verify(st).fault, AV_AUDIT_OK);
	assert_int_equal(count_notes(st, "head file was missing or damaged"), 1);
	free(old);
	rm_tree(st);
}

static void test_key_permissions(void **state)
{
	(void)state;
	char st[4096], key[4400];
	make_tmp(st, sizeof(st));
	write_log(st, 1, AV_AUDIT_SEGMENT_DEFAULT, 100);
	snprintf(key, sizeof(key), "%s/audit.key", st);
	assert_int_equal(chmod(key, 0644), 0);
	struct av_audit_opts o = opts(AV_AUDIT_SEGMENT_DEFAULT, 100);
	struct av_audit_writer *w;
	struct av_error err;
	assert_int_equal(av_audit_open(st, &o, &w, &err), -1);
	assert_int_equal(err.code, AV_E_IO);
	assert_non_null(strstr(err.message, "refusing the signing key"));
	assert_int_equal(chmod(key, 0600), 0);
	assert_int_equal(av_audit_open(st, &o, &w, &err), 0);
	assert_int_equal(av_audit_close(w, &err), 0);
	rm_tree(st);
}

/* Oversized lengths are rejected without reading or allocating. */
/* Batch flushes on the syncer thread (the daemon's mode), across segment
 * rotations and with a second writer interleaved: the log is whole and
 * verifies, and close joins the thread after its last flush. */
static void test_background_sync(void **state)
{
	(void)state;
	char st[4096];
	make_tmp(st, sizeof(st));
	struct av_audit_opts o = opts(4096, 64);
	o.fsync = AV_FSYNC_BATCH;
	o.batch_records = 3;
	o.sync_thread = true;
	struct av_audit_writer *w;
	struct av_error err;
	assert_int_equal(av_audit_open(st, &o, &w, &err), 0);
	for (int i = 0; i < 400; i++) {
		char p[128];
		int len = snprintf(p, sizeof(p),
		                   "{\"i\":%d,\"pad\":\"abcdefghijklmnop\"}", i);
		assert_int_equal(
		        av_audit_append(w, AV_REC_DECISION, p, (size_t)len, NULL, &err),
		        0);
		if (i % 50 == 0)
			assert_int_equal(av_audit_sync(w, &err), 0);
		if (i == 200) /* another process's writer appends in between */
			write_log(st, 5, 4096, 64);
	}
	assert_int_equal(av_audit_close(w, &err), 0);
	struct av_audit_verify_result r = verify(st);
	assert_int_equal(r.fault, AV_AUDIT_OK);
	assert_true(r.records >= 405);
	assert_true(r.segments > 3); /* it rotated while the syncer ran */
	assert_int_equal(r.unsealed, 0);
	rm_tree(st);
}

/* Seeking lands on the record asked for, across many segments, and a
 * seek past the end reads nothing; what follows is what a linear read
 * gives. */
static void test_reader_seek(void **state)
{
	(void)state;
	char st[4096];
	make_tmp(st, sizeof(st));
	write_log(st, 300, 4096, 1000); /* about 40 records per segment */
	struct av_error err;
	struct av_audit_reader *r;
	struct av_audit_record rec;
	uint64_t total = 0;
	assert_int_equal(av_audit_reader_open(st, &r, &err), 0);
	while (av_audit_reader_next(r, &rec, &err) == 1)
		total++;
	av_audit_reader_free(r);
	assert_true(total > 300);
	static const uint64_t seqs[] = { 0, 1, 39, 40, 41, 150, 299 };
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		assert_int_equal(av_audit_reader_open(st, &r, &err), 0);
		assert_int_equal(av_audit_reader_seek(r, seqs[i], &err), 0);
		uint64_t want = seqs[i];
		while (av_audit_reader_next(r, &rec, &err) == 1)
			assert_int_equal(rec.seq, want++);
		assert_int_equal(want, total);
		av_audit_reader_free(r);
	}
	assert_int_equal(av_audit_reader_open(st, &r, &err), 0);
	assert_int_equal(av_audit_reader_seek(r, total + 5, &err), 0);
	assert_int_equal(av_audit_reader_next(r, &rec, &err), 0);
	/* a used reader cannot seek */
	assert_int_equal(av_audit_reader_seek(r, 0, &err), -1);
	av_audit_reader_free(r);
	rm_tree(st);
}

static void test_frame_bounds(void **state)
{
	(void)state;
	unsigned char f[AV_FRAME_HEADER];
	memset(f, 0, sizeof(f));
	memcpy(f, AV_FRAME_MAGIC, 4);
	f[4] = AV_REC_NOTE;
	f[5] = AV_FRAME_VERSION;
	av_put_u32(f + 24, 0xffffffffu);
	struct av_audit_record rec;
	size_t fl;
	char why[200];
	assert_int_equal(av_frame_decode(f, sizeof(f), &rec, &fl, why, sizeof(why)),
	                 AV_FRAME_INVALID);
	assert_non_null(strstr(why, "out of range"));
	assert_int_equal(av_frame_decode(f, 10, &rec, &fl, why, sizeof(why)),
	                 AV_FRAME_TORN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merkle_proofs),
		cmocka_unit_test(test_merkle_empty),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_redact_prefilter),
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_delete_reorder_truncate),
		cmocka_unit_test(test_splice_and_replace),
		cmocka_unit_test(test_resign_and_rollback),
		cmocka_unit_test(test_torn_tail_recovery),
		cmocka_unit_test(test_adopt_after_crash),
		cmocka_unit_test(test_key_permissions),
		cmocka_unit_test(test_frame_bounds),
		cmocka_unit_test(test_background_sync),
		cmocka_unit_test(test_reader_seek),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
