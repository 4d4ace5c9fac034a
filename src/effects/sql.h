/* sql.h - a small SQL lexer and statement classifier, tolerant of dialects
 * (src/effects/sql.c). It never matches patterns on raw text: the text is
 * cut into tokens (words, quoted identifiers, strings, numbers,
 * punctuation) with comments and every quoting form removed, and each
 * statement is classified from its tokens. Private to the library; the
 * fuzz target fuzz/fuzz_sql.c drives it directly. */
#ifndef AV_SQL_H
#define AV_SQL_H

#include "agentvisor/effects.h"

#define AV_SQL_MAX_STATEMENTS 256
#define AV_SQL_MAX_TEXT       ((size_t)1 << 20)

/* How quotes and comments are read. The two modes differ exactly where
 * dialects disagree in ways that hide statements: backslash escapes in
 * strings, '#' and "--x" comments, MySQL's executable comments, Postgres
 * dollar quoting and nested comments. */
enum av_sql_mode {
	AV_SQL_STANDARD = 0, /* Postgres, SQLite, SQL Server, Oracle, ... */
	AV_SQL_MYSQL,        /* MySQL, MariaDB */
};

enum av_sql_tok_kind {
	AV_SQL_T_END = 0, /* no more tokens */
	AV_SQL_T_WORD,    /* keyword or bare identifier */
	AV_SQL_T_IDENT,   /* "quoted", `quoted` identifier (text without quotes) */
	AV_SQL_T_STRING,  /* '...', E'...', $tag$...$tag$ (text without quotes) */
	AV_SQL_T_NUMBER,
	AV_SQL_T_PARAM, /* $1, ?, :name, @var */
	AV_SQL_T_PUNCT, /* one character: ( ) , . = < > + - * / ... */
	AV_SQL_T_SEMI,  /* ; */
};

struct av_sql_tok {
	enum av_sql_tok_kind kind;
	const char *s; /* into the source: the token's text as written */
	size_t n;
	size_t off;        /* byte offset in the source */
	bool unterminated; /* a string, identifier or comment ran to the end */
};

struct av_sql_lexer {
	const char *src;
	size_t len, pos;
	enum av_sql_mode mode;
	bool in_exec_comment; /* inside MySQL's executable comment */
};

void av_sql_lexer_init(struct av_sql_lexer *lx, const char *src, size_t len,
                       enum av_sql_mode mode);
/* The next token; AV_SQL_T_END at the end. Comments and blanks are
 * skipped. Always advances, never reads past src[len). Pure. */
void av_sql_next(struct av_sql_lexer *lx, struct av_sql_tok *t);

/* The unquoted text of a string or identifier token, into ARENA
 * (doubled quotes undone; backslash escapes in MySQL mode and E''). */
char *av_sql_tok_text(const struct av_sql_lexer *lx, const struct av_sql_tok *t,
                      struct av_arena *arena);

/* One classified statement. Strings from the arena. */
struct av_sql_stmt {
	enum av_sql_class cls;
	const char *summary;    /* "DELETE FROM users without WHERE", "DROP TABLE t" */
	const char *object;     /* the table, database or schema named, or NULL */
	bool whole;             /* a whole table, database or schema goes */
	bool unbounded;         /* DELETE/UPDATE with no WHERE (or WHERE 1=1) */
	bool rolled_back;       /* DML inside a transaction the text rolls back */
	const char *program;    /* COPY ... PROGRAM, xp_cmdshell: a shell command line */
	const char *file_read;  /* pg_read_file, LOAD_FILE, COPY FROM 'file' */
	const char *file_write; /* INTO OUTFILE, COPY TO 'file', lo_export */
	size_t off;             /* byte offset of the statement */
};

struct av_sql_result {
	struct av_sql_stmt *stmts;
	uint32_t n;
	bool truncated; /* more than AV_SQL_MAX_STATEMENTS */
};

/* Classifies every statement of text[0..len) (borrowed) read in MODE.
 * Returns 0 with *out filled from ARENA, or -1 on arena exhaustion. Text
 * over AV_SQL_MAX_TEXT is read up to the limit and marked truncated.
 * Pure. */
int av_sql_analyze(const char *text, size_t len, enum av_sql_mode mode,
                   struct av_arena *arena, struct av_sql_result *out);

#endif
