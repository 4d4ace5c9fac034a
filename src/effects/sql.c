/* sql.c - a small SQL lexer and a statement classifier over its tokens.
 *
 * Why a lexer and not patterns: the words that matter (DROP, WHERE, ;) can
 * sit inside strings, quoted identifiers and comments, and dialects
 * disagree about where those end. A backslash escapes a quote in MySQL but
 * not in Postgres, so `'a\'; DROP TABLE t; --'` is one string to MySQL and
 * a DROP to Postgres; `--x` is a comment in Postgres and minus-minus in
 * MySQL; MySQL runs the inside of its "executable comments" (a comment
 * opened with slash, star, bang); Postgres nests comments
 * and has $tag$ strings. The lexer reads one mode at a time
 * (enum av_sql_mode) and the caller reads text of unknown dialect in both,
 * so a statement hidden from one reading is seen by the other.
 *
 * Everything is bounded: the text (AV_SQL_MAX_TEXT), the statements
 * (AV_SQL_MAX_STATEMENTS) and the tokens kept per statement (MAX_TOKENS;
 * the rest of a longer statement is still scanned for its end). */
#include "sql.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 4096
#define MAX_DML    16 /* DELETE/UPDATE occurrences checked per statement */

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Identifiers may hold any UTF-8 letter: bytes >= 0x80 count as word. */
static bool is_word0(unsigned char c)
{
	return is_alpha(c) || c == '_' || c >= 0x80;
}

static bool is_word(unsigned char c)
{
	return is_word0(c) || is_digit(c) || c == '$';
}

void av_sql_lexer_init(struct av_sql_lexer *lx, const char *src, size_t len,
                       enum av_sql_mode mode)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = len;
	lx->mode = mode;
}

static unsigned char at(const struct av_sql_lexer *lx, size_t i)
{
	return i < lx->len ? (unsigned char)lx->src[i] : 0;
}

/* Skips blanks and comments; false at the end of the text. */
static bool skip_blank(struct av_sql_lexer *lx)
{
	while (lx->pos < lx->len) {
		unsigned char c = at(lx, lx->pos), d = at(lx, lx->pos + 1);
		if (is_space(c)) {
			lx->pos++;
		} else if (c == '-' && d == '-' &&
		           (lx->mode != AV_SQL_MYSQL || lx->pos + 2 >= lx->len ||
		            is_space(at(lx, lx->pos + 2)) || at(lx, lx->pos + 2) < 32)) {
			/* MySQL needs a blank after "--": 1--1 is arithmetic. */
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
				lx->pos++;
		} else if (c == '#' && lx->mode == AV_SQL_MYSQL) {
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
				lx->pos++;
		} else if (c == '*' && d == '/' && lx->in_exec_comment) {
			lx->in_exec_comment =
			        false; /* the end of an executable comment */
			lx->pos += 2;
		} else if (c == '/' && d == '*') {
			if (lx->mode == AV_SQL_MYSQL && at(lx, lx->pos + 2) == '!') {
				/* Executable comment: MySQL runs what is inside,
				 * after an optional version number. */
				lx->pos += 3;
				while (is_digit(at(lx, lx->pos)))
					lx->pos++;
				lx->in_exec_comment = true;
				continue;
			}
			int depth = 1;
			lx->pos += 2;
			while (lx->pos < lx->len && depth > 0) {
				unsigned char e = at(lx, lx->pos),
				              f = at(lx, lx->pos + 1);
				if (e == '*' && f == '/') {
					depth--;
					lx->pos += 2;
				} else if (e == '/' && f == '*' &&
				           lx->mode == AV_SQL_STANDARD) {
					depth++; /* Postgres nests comments */
					lx->pos += 2;
				} else {
					lx->pos++;
				}
			}
		} else {
			return true;
		}
	}
	return false;
}

/* Scans a quoted run starting at lx->pos (the opening quote q). Doubled
 * quotes stay inside; backslash escapes when bs. */
static void scan_quoted(struct av_sql_lexer *lx, struct av_sql_tok *t, char q, bool bs)
{
	lx->pos++;
	while (lx->pos < lx->len) {
		char c = lx->src[lx->pos];
		if (bs && c == '\\') {
			lx->pos += 2;
			continue;
		}
		if (c == q) {
			if (at(lx, lx->pos + 1) == (unsigned char)q) {
				lx->pos += 2;
				continue;
			}
			lx->pos++;
			return;
		}
		lx->pos++;
	}
	if (lx->pos > lx->len)
		lx->pos = lx->len;
	t->unterminated = true;
}

/* $tag$ ... $tag$ (Postgres). Returns false when lx->pos does not start
 * a dollar quote. */
static bool scan_dollar(struct av_sql_lexer *lx, struct av_sql_tok *t)
{
	size_t p = lx->pos + 1;
	if (at(lx, p) != '$' && !(is_alpha(at(lx, p)) || at(lx, p) == '_'))
		return false;
	while (p < lx->len &&
	       (is_alpha(at(lx, p)) || is_digit(at(lx, p)) || at(lx, p) == '_'))
		p++;
	if (at(lx, p) != '$')
		return false;
	size_t taglen = p + 1 - lx->pos;
	const char *tag = lx->src + lx->pos;
	p++;
	while (p + taglen <= lx->len) {
		if (lx->src[p] == '$' && memcmp(lx->src + p, tag, taglen) == 0) {
			lx->pos = p + taglen;
			return true;
		}
		p++;
	}
	lx->pos = lx->len;
	t->unterminated = true;
	return true;
}

void av_sql_next(struct av_sql_lexer *lx, struct av_sql_tok *t)
{
	memset(t, 0, sizeof(*t));
	if (!skip_blank(lx)) {
		t->kind = AV_SQL_T_END;
		t->off = lx->len;
		t->s = lx->src + lx->len;
		return;
	}
	size_t start = lx->pos;
	unsigned char c = at(lx, start), d = at(lx, start + 1);
	bool mysql = lx->mode == AV_SQL_MYSQL;
	if (c == '\'') {
		t->kind = AV_SQL_T_STRING;
		scan_quoted(lx, t, '\'', mysql);
	} else if ((c == 'E' || c == 'e') && d == '\'' && !mysql) {
		t->kind = AV_SQL_T_STRING; /* E'...' takes backslash escapes */
		lx->pos++;
		scan_quoted(lx, t, '\'', true);
	} else if ((c == 'N' || c == 'n' || c == 'X' || c == 'x' || c == 'B' ||
	            c == 'b') &&
	           d == '\'') {
		t->kind = AV_SQL_T_STRING; /* N'...', X'...', B'...' */
		lx->pos++;
		scan_quoted(lx, t, '\'', mysql);
	} else if (c == '"') {
		/* An identifier in standard SQL, a string in MySQL. */
		t->kind = mysql ? AV_SQL_T_STRING : AV_SQL_T_IDENT;
		scan_quoted(lx, t, '"', mysql);
	} else if (c == '`') {
		t->kind = AV_SQL_T_IDENT;
		scan_quoted(lx, t, '`', false);
	} else if (c == '$' && is_digit(d)) {
		t->kind = AV_SQL_T_PARAM;
		lx->pos++;
		while (is_digit(at(lx, lx->pos)))
			lx->pos++;
	} else if (c == '$' && !mysql && scan_dollar(lx, t)) {
		t->kind = AV_SQL_T_STRING;
	} else if (is_digit(c) || (c == '.' && is_digit(d))) {
		t->kind = AV_SQL_T_NUMBER;
		lx->pos++;
		while (lx->pos < lx->len) {
			unsigned char e = at(lx, lx->pos);
			if (is_digit(e) || is_alpha(e) || e == '.' || e == '_')
				lx->pos++;
			else if ((e == '+' || e == '-') && (at(lx, lx->pos - 1) == 'e' ||
			                                    at(lx, lx->pos - 1) == 'E'))
				lx->pos++;
			else
				break;
		}
	} else if (c == '?' || (c == ':' && is_word0(d)) ||
	           (c == '@' && (is_word0(d) || d == '@'))) {
		t->kind = AV_SQL_T_PARAM;
		lx->pos++;
		while (lx->pos < lx->len &&
		       (is_word(at(lx, lx->pos)) || at(lx, lx->pos) == '@'))
			lx->pos++;
	} else if (is_word0(c)) {
		t->kind = AV_SQL_T_WORD;
		while (lx->pos < lx->len && is_word(at(lx, lx->pos)))
			lx->pos++;
	} else if (c == ';') {
		t->kind = AV_SQL_T_SEMI;
		lx->pos++;
	} else {
		t->kind = AV_SQL_T_PUNCT;
		lx->pos++;
	}
	t->off = start;
	t->s = lx->src + start;
	t->n = lx->pos - start;
}

char *av_sql_tok_text(const struct av_sql_lexer *lx, const struct av_sql_tok *t,
                      struct av_arena *arena)
{
	const char *s = t->s;
	size_t n = t->n;
	if (t->kind != AV_SQL_T_STRING && t->kind != AV_SQL_T_IDENT)
		return av_arena_strndup(arena, s, n);
	bool bs = lx->mode == AV_SQL_MYSQL;
	if (n > 0 && s[0] != '\'' && s[0] != '"' && s[0] != '`' && s[0] != '$') {
		bs = bs || s[0] == 'E' || s[0] == 'e'; /* prefix letter */
		s++;
		n--;
	}
	if (n > 0 && s[0] == '$') { /* $tag$...$tag$ */
		size_t tl = 1;
		while (tl < n && s[tl] != '$')
			tl++;
		tl++;
		if (n >= 2 * tl && !t->unterminated)
			return av_arena_strndup(arena, s + tl, n - 2 * tl);
		return av_arena_strndup(arena, s + (tl < n ? tl : n),
		                        tl < n ? n - tl : 0);
	}
	if (n == 0)
		return av_arena_strdup(arena, "");
	char q = s[0];
	size_t end = t->unterminated ? n : n - 1;
	char *out = av_arena_alloc(arena, n + 1);
	if (out == NULL)
		return NULL;
	size_t o = 0;
	for (size_t i = 1; i < end; i++) {
		if (bs && s[i] == '\\' && i + 1 < end) {
			char e = s[++i];
			out[o++] = e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '0' : e;
			continue;
		}
		if (s[i] == q && i + 1 < end && s[i + 1] == q)
			i++;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/* ---- classification ---------------------------------------------------- */

struct stmt_toks {
	struct av_sql_tok *t;
	uint32_t n;
	bool clipped; /* the statement had more than MAX_TOKENS tokens */
	const struct av_sql_lexer *lx;
	struct av_arena *arena;
};

static bool kw(const struct av_sql_tok *t, const char *word)
{
	size_t n = strlen(word);
	return t->kind == AV_SQL_T_WORD && t->n == n && strncasecmp(t->s, word, n) == 0;
}

static bool punct(const struct av_sql_tok *t, char c)
{
	return t->kind == AV_SQL_T_PUNCT && t->s[0] == c;
}

static const struct av_sql_tok *tok(const struct stmt_toks *st, uint32_t i)
{
	static const struct av_sql_tok end = { .kind = AV_SQL_T_END, .s = "" };
	return i < st->n ? &st->t[i] : &end;
}

/* Statement verbs and their class before refinement. */
static const struct {
	const char *verb;
	enum av_sql_class cls;
} verbs[] = {
	{ "SELECT", AV_SQL_READ },
	{ "SHOW", AV_SQL_READ },
	{ "DESCRIBE", AV_SQL_READ },
	{ "DESC", AV_SQL_READ },
	{ "VALUES", AV_SQL_READ },
	{ "TABLE", AV_SQL_READ },
	{ "PRAGMA", AV_SQL_READ },
	{ "EXPLAIN", AV_SQL_READ },
	{ "FETCH", AV_SQL_READ },
	{ "WITH", AV_SQL_READ },
	{ "BEGIN", AV_SQL_TRANSACTION },
	{ "START", AV_SQL_TRANSACTION },
	{ "COMMIT", AV_SQL_TRANSACTION },
	{ "ROLLBACK", AV_SQL_TRANSACTION },
	{ "END", AV_SQL_TRANSACTION },
	{ "SAVEPOINT", AV_SQL_TRANSACTION },
	{ "RELEASE", AV_SQL_TRANSACTION },
	{ "ABORT", AV_SQL_TRANSACTION },
	{ "SET", AV_SQL_SESSION },
	{ "USE", AV_SQL_SESSION },
	{ "RESET", AV_SQL_SESSION },
	{ "VACUUM", AV_SQL_SESSION },
	{ "ANALYZE", AV_SQL_SESSION },
	{ "ANALYSE", AV_SQL_SESSION },
	{ "REINDEX", AV_SQL_SESSION },
	{ "OPTIMIZE", AV_SQL_SESSION },
	{ "CHECKPOINT", AV_SQL_SESSION },
	{ "CLUSTER", AV_SQL_SESSION },
	{ "LOCK", AV_SQL_SESSION },
	{ "UNLOCK", AV_SQL_SESSION },
	{ "LISTEN", AV_SQL_SESSION },
	{ "NOTIFY", AV_SQL_SESSION },
	{ "UNLISTEN", AV_SQL_SESSION },
	{ "DISCARD", AV_SQL_SESSION },
	{ "DEALLOCATE", AV_SQL_SESSION },
	{ "PREPARE", AV_SQL_SESSION },
	{ "DECLARE", AV_SQL_SESSION },
	{ "CLOSE", AV_SQL_SESSION },
	{ "INSERT", AV_SQL_WRITE },
	{ "REPLACE", AV_SQL_WRITE },
	{ "UPSERT", AV_SQL_WRITE },
	{ "MERGE", AV_SQL_WRITE },
	{ "UPDATE", AV_SQL_WRITE },
	{ "DELETE", AV_SQL_WRITE },
	{ "COPY", AV_SQL_WRITE },
	{ "LOAD", AV_SQL_WRITE },
	{ "REFRESH", AV_SQL_WRITE },
	{ "CREATE", AV_SQL_DDL },
	{ "ALTER", AV_SQL_DDL },
	{ "COMMENT", AV_SQL_DDL },
	{ "RENAME", AV_SQL_DDL },
	{ "DROP", AV_SQL_DESTRUCTIVE },
	{ "TRUNCATE", AV_SQL_DESTRUCTIVE },
	{ "GRANT", AV_SQL_PRIVILEGE },
	{ "REVOKE", AV_SQL_PRIVILEGE },
};

/* DROP <object>: what goes with it. Objects not listed hold no rows (an
 * index, a view, a function) and are plain DDL. */
static const struct {
	const char *object;
	enum av_sql_class cls;
	bool whole;
} drops[] = {
	{ "TABLE", AV_SQL_DESTRUCTIVE, true },
	{ "DATABASE", AV_SQL_DESTRUCTIVE, true },
	{ "SCHEMA", AV_SQL_DESTRUCTIVE, true },
	{ "KEYSPACE", AV_SQL_DESTRUCTIVE, true },
	{ "COLLECTION", AV_SQL_DESTRUCTIVE, true },
	{ "TABLESPACE", AV_SQL_DESTRUCTIVE, true },
	{ "OWNED", AV_SQL_DESTRUCTIVE, true },
	{ "TEMPORARY", AV_SQL_DESTRUCTIVE, true },
	{ "TEMP", AV_SQL_DESTRUCTIVE, true },
	{ "USER", AV_SQL_PRIVILEGE, false },
	{ "ROLE", AV_SQL_PRIVILEGE, false },
	{ "LOGIN", AV_SQL_PRIVILEGE, false },
};

/* Objects whose CREATE/ALTER is about who may do what. */
static const char *const principals[] = { "USER", "ROLE", "LOGIN", "GROUP" };

/* Columns that decide who someone is or what they may do: an UPDATE that
 * sets one changes privileges (a password reset, a role), whatever the
 * table is called. */
static const char *const auth_columns[] = {
	"password",
	"passwd",
	"password_hash",
	"hashed_password",
	"encrypted_password",
	"pwd_hash",
	"pass_hash",
	"api_key",
	"apikey",
	"secret",
	"token",
	"auth_token",
	"access_token",
	"role",
	"roles",
	"is_admin",
	"is_superuser",
	"is_staff",
	"admin",
	"superuser",
	"permissions",
	"mfa_secret",
	"otp_secret",
	"totp_secret",
};

/* Functions that read or write server files, and the commands that run a
 * shell on the database server. */
static const char *const file_readers[] = { "pg_read_file", "pg_read_binary_file",
	                                    "load_file", "lo_import", "readfile" };
static const char *const shell_runners[] = { "xp_cmdshell", "sys_exec", "sys_eval" };

static bool in_words(const struct av_sql_tok *t, const char *const *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (kw(t, w[i]))
			return true;
	return false;
}

/* The tokens from i joined by single spaces, at most max tokens and about
 * 160 bytes. */
static const char *joined(const struct stmt_toks *st, uint32_t i, uint32_t max)
{
	char buf[192];
	size_t o = 0;
	for (uint32_t k = i; k < st->n && k < i + max && o < 160; k++) {
		const struct av_sql_tok *t = &st->t[k];
		bool glue = o > 0 && !(punct(t, '.') || punct(t, ',') || punct(t, ')') ||
		                       (k > 0 && (punct(&st->t[k - 1], '.') ||
		                                  punct(&st->t[k - 1], '('))));
		if (glue)
			buf[o++] = ' ';
		size_t n = t->n < 160 - o + 8 ? t->n : 160 - o + 8;
		if (o + n >= sizeof(buf))
			n = sizeof(buf) - o - 1;
		memcpy(buf + o, t->s, n);
		o += n;
	}
	buf[o] = '\0';
	for (size_t k = 0; k < o; k++)
		if (buf[k] == '\n' || buf[k] == '\r' || buf[k] == '\t')
			buf[k] = ' ';
	return av_arena_strndup(st->arena, buf, o);
}

/* A dotted name (schema.table, `db`.`t`) starting at i; *next is set past
 * it. NULL when there is none. */
static const char *name_at(const struct stmt_toks *st, uint32_t i, uint32_t *next)
{
	while (kw(tok(st, i), "IF") || kw(tok(st, i), "NOT") ||
	       kw(tok(st, i), "EXISTS") || kw(tok(st, i), "ONLY") ||
	       kw(tok(st, i), "TABLE") || kw(tok(st, i), "FROM"))
		i++;
	uint32_t k = i;
	while (tok(st, k)->kind == AV_SQL_T_WORD || tok(st, k)->kind == AV_SQL_T_IDENT ||
	       tok(st, k)->kind == AV_SQL_T_STRING) {
		if (!punct(tok(st, k + 1), '.'))
			break;
		k += 2;
	}
	if (!(tok(st, k)->kind == AV_SQL_T_WORD || tok(st, k)->kind == AV_SQL_T_IDENT))
		return NULL;
	*next = k + 1;
	return joined(st, i, k + 1 - i);
}

static bool ends_condition(const struct av_sql_tok *t)
{
	static const char *const stops[] = { "ORDER",  "LIMIT",  "RETURNING", "GROUP",
		                             "OFFSET", "OPTION", "FETCH" };
	return t->kind == AV_SQL_T_END || t->kind == AV_SQL_T_SEMI || punct(t, ')') ||
	       kw(t, "OR") || in_words(t, stops, sizeof(stops) / sizeof(stops[0]));
}

static bool same_literal(const struct av_sql_tok *a, const struct av_sql_tok *b)
{
	return (a->kind == AV_SQL_T_NUMBER || a->kind == AV_SQL_T_STRING) &&
	       a->kind == b->kind && a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/* A condition starting at i that holds for every row: TRUE, a non-zero
 * number, or a literal compared equal to itself (1=1, 'a'='a'). */
static bool always_true(const struct stmt_toks *st, uint32_t i)
{
	const struct av_sql_tok *a = tok(st, i);
	if ((kw(a, "TRUE") ||
	     (a->kind == AV_SQL_T_NUMBER && !(a->n == 1 && a->s[0] == '0'))) &&
	    ends_condition(tok(st, i + 1)))
		return true;
	return same_literal(a, tok(st, i + 2)) && punct(tok(st, i + 1), '=') &&
	       ends_condition(tok(st, i + 3));
}

/* Does the DELETE/UPDATE at index k (paren depth d) have a WHERE that
 * limits it? Scans to the end of its parenthesised scope. A WHERE whose
 * condition (or any OR branch at its level) is always true limits nothing. */
static bool dml_bounded(const struct stmt_toks *st, uint32_t k, int d)
{
	int depth = d;
	bool where = false;
	for (uint32_t i = k + 1; i < st->n; i++) {
		const struct av_sql_tok *t = &st->t[i];
		if (punct(t, '(')) {
			depth++;
		} else if (punct(t, ')')) {
			if (--depth < d)
				break;
		} else if (depth == d && kw(t, "WHERE")) {
			if (always_true(st, i + 1))
				return false;
			where = true;
		} else if (depth == d && where && kw(t, "OR") && always_true(st, i + 1)) {
			return false;
		}
	}
	/* A clipped statement may have its WHERE beyond what was kept: only
	 * a WHERE actually seen counts. */
	return where;
}

/* Refines stmt for DELETE/UPDATE anywhere in the statement (data-modifying
 * CTEs, the main statement). A DML word counts only where a statement can
 * start: first, or after '(' (ON DELETE CASCADE, FOR UPDATE, DO UPDATE are
 * not statements). */
static void check_dml(const struct stmt_toks *st, uint32_t start, struct av_sql_stmt *s)
{
	int depth = 0;
	uint32_t seen = 0;
	for (uint32_t i = 0; i < st->n && seen < MAX_DML; i++) {
		const struct av_sql_tok *t = &st->t[i];
		if (punct(t, '(')) {
			depth++;
			continue;
		}
		if (punct(t, ')')) {
			depth--;
			continue;
		}
		bool del = kw(t, "DELETE"), upd = kw(t, "UPDATE");
		if (!del && !upd)
			continue;
		if (!(i == start || (i > 0 && punct(&st->t[i - 1], '('))))
			continue;
		seen++;
		if (dml_bounded(st, i, depth))
			continue;
		uint32_t next = 0;
		const char *obj = name_at(st, i + 1, &next);
		s->cls = AV_SQL_DESTRUCTIVE;
		s->whole = true;
		s->unbounded = true;
		s->object = obj;
		s->summary = av_arena_printf(
		        st->arena, "%s %s%s without WHERE (every row)",
		        del ? "DELETE" : "UPDATE", del ? "FROM " : "", obj ? obj : "?");
		return;
	}
}

/* The first string token after index i within a few tokens ('(' and ','
 * skipped), as text; NULL when there is none. */
static const char *string_after(const struct stmt_toks *st, uint32_t i,
                                uint32_t skip_args)
{
	for (uint32_t k = i + 1; k < st->n && k < i + 4 + 2 * skip_args; k++) {
		const struct av_sql_tok *t = &st->t[k];
		if (t->kind == AV_SQL_T_STRING) {
			if (skip_args > 0) {
				skip_args--;
				continue;
			}
			return av_sql_tok_text(st->lx, t, st->arena);
		}
		if (!(punct(t, '(') || punct(t, ',') || t->kind == AV_SQL_T_WORD ||
		      t->kind == AV_SQL_T_NUMBER || t->kind == AV_SQL_T_PARAM))
			return NULL;
	}
	return NULL;
}

/* Files and shell commands reached from inside SQL, anywhere in it. */
static void check_escapes(const struct stmt_toks *st, struct av_sql_stmt *s)
{
	for (uint32_t i = 0; i < st->n; i++) {
		const struct av_sql_tok *t = &st->t[i];
		if (t->kind != AV_SQL_T_WORD)
			continue;
		if (kw(t, "PROGRAM") && s->program == NULL) {
			s->program = string_after(st, i, 0);
		} else if (in_words(t, shell_runners,
		                    sizeof(shell_runners) / sizeof(shell_runners[0])) &&
		           s->program == NULL) {
			s->program = string_after(st, i, 0);
		} else if (in_words(t, file_readers,
		                    sizeof(file_readers) / sizeof(file_readers[0])) &&
		           punct(tok(st, i + 1), '(') && s->file_read == NULL) {
			s->file_read = string_after(st, i, 0);
		} else if (kw(t, "lo_export") && s->file_write == NULL) {
			s->file_write = string_after(st, i, 0);
		} else if ((kw(t, "OUTFILE") || kw(t, "DUMPFILE")) &&
		           kw(tok(st, i - 1), "INTO") && s->file_write == NULL) {
			s->file_write = string_after(st, i, 0);
		}
	}
}

/* UPDATE t SET col = ...: the first column of auth_columns it sets, as
 * written, or NULL. Only columns at the top level before WHERE count. */
static const struct av_sql_tok *sets_auth_column(const struct stmt_toks *st, uint32_t i)
{
	int depth = 0;
	bool in_set = false;
	for (uint32_t k = i + 1; k < st->n; k++) {
		const struct av_sql_tok *t = &st->t[k];
		depth += punct(t, '(') ? 1 : punct(t, ')') ? -1 : 0;
		if (depth != 0)
			continue;
		if (kw(t, "SET"))
			in_set = true;
		else if (kw(t, "WHERE") || kw(t, "FROM") || kw(t, "RETURNING"))
			break;
		else if (in_set && punct(tok(st, k + 1), '=') &&
		         (t->kind == AV_SQL_T_WORD || t->kind == AV_SQL_T_IDENT)) {
			char *name = av_sql_tok_text(st->lx, t, st->arena);
			for (size_t c = 0;
			     name && c < sizeof(auth_columns) / sizeof(auth_columns[0]);
			     c++)
				if (strcasecmp(name, auth_columns[c]) == 0)
					return t;
		}
	}
	return NULL;
}

/* COPY table FROM 'file' / TO 'file' / ... PROGRAM 'cmd'. */
static void classify_copy(const struct stmt_toks *st, uint32_t i, struct av_sql_stmt *s)
{
	int depth = 0;
	for (uint32_t k = i + 1; k < st->n; k++) {
		const struct av_sql_tok *t = &st->t[k];
		depth += punct(t, '(') ? 1 : punct(t, ')') ? -1 : 0;
		if (depth != 0)
			continue;
		bool from = kw(t, "FROM"), to = kw(t, "TO");
		if (!from && !to)
			continue;
		s->cls = from ? AV_SQL_WRITE : AV_SQL_READ;
		const struct av_sql_tok *n = tok(st, k + 1);
		if (n->kind == AV_SQL_T_STRING) {
			char *f = av_sql_tok_text(st->lx, n, st->arena);
			if (from)
				s->file_read = f;
			else
				s->file_write = f;
		}
		return;
	}
}

static void classify(const struct stmt_toks *st, struct av_sql_stmt *s)
{
	uint32_t i = 0;
	while (punct(tok(st, i), '('))
		i++;
	const struct av_sql_tok *v = tok(st, i);
	s->off = v->off;
	s->cls = AV_SQL_OTHER;
	if (st->n == 0) {
		s->cls = AV_SQL_NONE;
		return;
	}
	/* WITH ... AS (...) <verb>, EXPLAIN ANALYZE <verb> (which runs it):
	 * the verb that decides is further on, at the top level. */
	bool explain_runs = false;
	if (kw(v, "EXPLAIN"))
		for (uint32_t k = i + 1; k < st->n && k < i + 8; k++)
			explain_runs = explain_runs || kw(&st->t[k], "ANALYZE") ||
			               kw(&st->t[k], "ANALYSE");
	if (kw(v, "WITH") || explain_runs) {
		int depth = 0;
		for (uint32_t k = i + 1; k < st->n; k++) {
			const struct av_sql_tok *t = &st->t[k];
			depth += punct(t, '(') ? 1 : punct(t, ')') ? -1 : 0;
			if (depth == 0 &&
			    (kw(t, "SELECT") || kw(t, "INSERT") || kw(t, "UPDATE") ||
			     kw(t, "DELETE") || kw(t, "MERGE"))) {
				i = k;
				v = t;
				break;
			}
		}
	}
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (kw(v, verbs[k].verb)) {
			s->cls = verbs[k].cls;
			break;
		}
	const struct av_sql_tok *o = tok(st, i + 1);
	uint32_t next = 0;
	if (kw(v, "DROP")) {
		s->cls = AV_SQL_DDL;
		uint32_t k = i + 1;
		/* DROP MATERIALIZED VIEW, DROP FOREIGN TABLE: the last word
		 * before the name decides. */
		while (kw(tok(st, k), "FOREIGN") || kw(tok(st, k), "EXTERNAL") ||
		       kw(tok(st, k), "VIRTUAL"))
			k++;
		for (size_t d = 0; d < sizeof(drops) / sizeof(drops[0]); d++)
			if (kw(tok(st, k), drops[d].object)) {
				s->cls = drops[d].cls;
				s->whole = drops[d].whole;
			}
		if (kw(tok(st, k), "TEMPORARY") || kw(tok(st, k), "TEMP"))
			k++; /* DROP TEMPORARY TABLE */
		s->object = name_at(st, k + 1, &next);
		s->summary = joined(st, i, 3);
		if (s->object)
			s->summary = av_arena_printf(st->arena, "DROP %.*s %s",
			                             (int)tok(st, k)->n, tok(st, k)->s,
			                             s->object);
	} else if (kw(v, "TRUNCATE")) {
		s->whole = true;
		s->object = name_at(st, i + 1, &next);
		s->summary = av_arena_printf(st->arena, "TRUNCATE %s",
		                             s->object ? s->object : "?");
	} else if (kw(v, "CREATE") || kw(v, "ALTER")) {
		uint32_t k = i + 1;
		while (kw(tok(st, k), "OR") || kw(tok(st, k), "REPLACE"))
			k++;
		if (in_words(tok(st, k), principals,
		             sizeof(principals) / sizeof(principals[0])))
			s->cls = AV_SQL_PRIVILEGE;
		if (kw(v, "ALTER") && kw(o, "SYSTEM"))
			s->cls = AV_SQL_OTHER;
		if (kw(v, "ALTER") && s->cls == AV_SQL_DDL) {
			/* ALTER TABLE t DROP COLUMN c loses the column's data. */
			for (uint32_t k2 = i + 2; k2 < st->n; k2++)
				if (kw(&st->t[k2], "DROP") &&
				    !(kw(tok(st, k2 + 1), "CONSTRAINT") ||
				      kw(tok(st, k2 + 1), "INDEX") ||
				      kw(tok(st, k2 + 1), "DEFAULT") ||
				      kw(tok(st, k2 + 1), "NOT") ||
				      kw(tok(st, k2 + 1), "KEY") ||
				      kw(tok(st, k2 + 1), "FOREIGN") ||
				      kw(tok(st, k2 + 1), "PRIMARY") ||
				      kw(tok(st, k2 + 1), "TRIGGER") ||
				      kw(tok(st, k2 + 1), "IDENTITY") ||
				      kw(tok(st, k2 + 1), "EXPRESSION"))) {
					s->cls = AV_SQL_DESTRUCTIVE;
					s->object = name_at(st, i + 2, &next);
					s->summary = av_arena_printf(
					        st->arena, "ALTER %.*s %s ... DROP %.*s",
					        (int)o->n, o->s,
					        s->object ? s->object : "?",
					        (int)tok(st, k2 + 1)->n,
					        tok(st, k2 + 1)->s);
					break;
				}
		}
	} else if (kw(v, "COPY")) {
		classify_copy(st, i, s);
	} else if (kw(v, "UPDATE")) {
		const struct av_sql_tok *col = sets_auth_column(st, i);
		if (col != NULL) {
			const char *obj = name_at(st, i + 1, &next);
			s->cls = AV_SQL_PRIVILEGE;
			s->object = obj;
			s->summary = av_arena_printf(
			        st->arena, "UPDATE %s SET %.*s (credentials or roles)",
			        obj ? obj : "?", (int)col->n, col->s);
		}
	} else if (kw(v, "START") && !kw(o, "TRANSACTION")) {
		s->cls = AV_SQL_OTHER;
	}
	check_dml(st, i, s);
	check_escapes(st, s);
	if (s->summary == NULL)
		s->summary = joined(st, i, s->cls == AV_SQL_PRIVILEGE ? 24 : 4);
}

int av_sql_analyze(const char *text, size_t len, enum av_sql_mode mode,
                   struct av_arena *arena, struct av_sql_result *out)
{
	memset(out, 0, sizeof(*out));
	if (len > AV_SQL_MAX_TEXT) {
		len = AV_SQL_MAX_TEXT;
		out->truncated = true;
	}
	struct av_sql_lexer lx;
	av_sql_lexer_init(&lx, text, len, mode);
	struct stmt_toks st = { .lx = &lx, .arena = arena };
	/* The token buffer grows by doubling up to MAX_TOKENS: most SQL is a
	 * few dozen tokens, and arena memory is zeroed when handed out. */
	uint32_t tcap = 64;
	st.t = av_arena_alloc(arena, tcap * sizeof(*st.t));
	uint32_t cap = 8;
	out->stmts = av_arena_alloc(arena, cap * sizeof(*out->stmts));
	if (st.t == NULL || out->stmts == NULL)
		return -1;
	/* Transactions: DML between BEGIN and a ROLLBACK is undone, so a
	 * DELETE tried inside BEGIN ... ROLLBACK (the SafeFix) destroys
	 * nothing. DDL is not spared: MySQL commits it implicitly. */
	int tx_start = -1; /* index of the statement after BEGIN, or -1 */
	for (;;) {
		struct av_sql_tok t;
		st.n = 0;
		st.clipped = false;
		for (;;) {
			av_sql_next(&lx, &t);
			if (t.kind == AV_SQL_T_END || t.kind == AV_SQL_T_SEMI)
				break;
			if (st.n == tcap && tcap < MAX_TOKENS) {
				struct av_sql_tok *g =
				        av_arena_alloc(arena, 2 * tcap * sizeof(*st.t));
				if (g == NULL)
					return -1;
				memcpy(g, st.t, tcap * sizeof(*g));
				st.t = g;
				tcap *= 2;
			}
			if (st.n < tcap)
				st.t[st.n++] = t;
			else
				st.clipped = true;
		}
		if (st.n > 0) {
			if (out->n == AV_SQL_MAX_STATEMENTS) {
				out->truncated = true;
				break;
			}
			if (out->n == cap) {
				struct av_sql_stmt *g = av_arena_alloc(
				        arena, 2 * cap * sizeof(*out->stmts));
				if (g == NULL)
					return -1;
				memcpy(g, out->stmts, cap * sizeof(*g));
				out->stmts = g;
				cap *= 2;
			}
			struct av_sql_stmt *s = &out->stmts[out->n];
			memset(s, 0, sizeof(*s));
			classify(&st, s);
			if (s->summary == NULL)
				return -1;
			const struct av_sql_tok *v0 = tok(&st, 0);
			if (kw(v0, "BEGIN") ||
			    (kw(v0, "START") && kw(tok(&st, 1), "TRANSACTION"))) {
				tx_start = (int)out->n + 1;
			} else if ((kw(v0, "ROLLBACK") || kw(v0, "ABORT")) &&
			           !kw(tok(&st, 1), "TO") && !kw(tok(&st, 2), "TO")) {
				for (int k = tx_start; k >= 0 && k < (int)out->n; k++) {
					struct av_sql_stmt *p = &out->stmts[k];
					if (p->unbounded || p->cls == AV_SQL_WRITE)
						p->rolled_back = true;
				}
				tx_start = -1;
			} else if (kw(v0, "COMMIT") || kw(v0, "END")) {
				tx_start = -1;
			}
			out->n++;
		}
		if (t.kind == AV_SQL_T_END)
			break;
	}
	return 0;
}
