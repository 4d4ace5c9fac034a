/* sh_parser.h - parser state shared by the grammar rules (sh_parse.c) and the
 * word reader (sh_word.c). Private to src/shell.
 *
 * Errors never unwind: a rule that fails calls sh_fail() (the first error
 * wins), sets p->failed and returns NULL or false; every caller checks. */
#ifndef AV_SH_PARSER_H
#define AV_SH_PARSER_H

#include "shell/sh_ast.h"

/* A here-document waiting for its body: bodies are read after the next
 * newline token, in the order the redirections appeared. */
struct sh_heredoc {
	struct av_sh_node *redir;
	const char *delim; /* after quote removal */
	size_t delim_len;
	struct sh_heredoc *next;
};

struct sh_parser {
	const char *s; /* the buffer being read: the input, or a rewritten copy */
	size_t len;    /* end of the range being read (narrowed for $((...)) ) */
	size_t pos;
	size_t base;       /* offset in the input that s[0] stands for */
	bool copy;         /* s is a rewritten copy: offsets are approximate */
	const char *top_s; /* the whole text being parsed, after joining lines */
	size_t top_len;
	const char *orig; /* the input, for line:column */
	size_t orig_len;
	/* Where line continuations were removed before parsing (offsets in
	 * the parsed text), to map offsets back to the input. */
	const uint32_t *removed;
	uint32_t nremoved;
	struct av_arena *arena;
	struct av_sh_limits lim;
	uint32_t depth;
	uint32_t nodes;
	/* Bytes the look-ahead scans ((( versus ( (, extglob groups,
	 * subscripts) may still read: a multiple of the input length, so
	 * hostile nesting cannot make the parse quadratic. */
	size_t scan_budget;
	uint32_t heredocs;
	struct sh_heredoc *hd_head, *hd_tail; /* pending here-documents */
	struct av_sh_error *err;
	bool failed;
};

/* Word-reading modes: which characters end a word and which are special. */
enum sh_wmode {
	WM_NORMAL = 0, /* a shell word: ends at a blank or metacharacter */
	WM_REGEX,      /* right side of =~: ( ) | literal, blanks inside ( ) */
	WM_DQ,         /* inside "...": ends at " */
	WM_HEREDOC,    /* an unquoted here-document body: ends at the range end */
	WM_ARITH,      /* arithmetic text: ends at the range end */
	WM_OPERAND,    /* a ${x...} operand outside double quotes: ends at } */
	WM_OPERAND_DQ, /* a ${x...} operand inside double quotes */
	WM_SUBSCRIPT,  /* inside [...] of a name: ends at the matching ] */
};

/* Extra stop characters and switches for sh_read_parts(). */
#define SH_W_STOP_COLON 0x01 /* ${x:off:len} offset */
#define SH_W_STOP_SLASH 0x02 /* ${x/pat/rep} pattern */
#define SH_W_STOP_SEMI  0x04 /* for ((a; b; c)) */
#define SH_W_ASSIGN     0x08 /* assignment value: ~ after = and : */
#define SH_W_GLOB       0x10 /* mark glob characters even inside WM_OPERAND_DQ */

/* ---- shared helpers (sh_parse.c) ---- */
struct av_sh_node *sh_node(struct sh_parser *p, enum av_sh_kind kind, size_t at);
void sh_add(struct av_sh_node *parent, struct av_sh_node **tail, struct av_sh_node *kid);
void sh_finish(struct sh_parser *p, struct av_sh_node *n);
/* Fails with "<what> at line L, column C: <detail>" (the first error wins). */
void *sh_fail(struct sh_parser *p, enum av_sh_errcode code, size_t at, const char *what,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Fails with "unexpected `<token at p->pos>' ...: expected <expected>";
 * expected may be NULL. */
void *sh_unexpected(struct sh_parser *p, const char *expected);
/* Fails at the end of input: "expected <closer> to close <what> at ...". */
void *sh_incomplete(struct sh_parser *p, const char *closer, const char *what,
                    size_t opened_at);
bool sh_enter(struct sh_parser *p);
void sh_leave(struct sh_parser *p);
char sh_peek(const struct sh_parser *p, size_t k);
bool sh_is_meta(char c);
bool sh_is_blank(char c);
bool sh_is_name0(char c);
bool sh_is_name(char c);
/* Skips blanks, line continuations and a comment; stops at a newline. */
void sh_skip_ws(struct sh_parser *p);
/* Consumes a newline token and reads any pending here-document bodies. */
bool sh_eat_newline(struct sh_parser *p);
/* A compound list up to a closing word, ), ;; or the end: LIST. */
struct av_sh_node *sh_parse_list(struct sh_parser *p);
/* Parses a whole buffer (a backquote body rewritten) as a LIST, with its
 * own here-document list; the caller saved and restores the buffer. */
struct av_sh_node *sh_parse_sub(struct sh_parser *p, const char *buf, size_t len,
                                size_t base);

/* ---- words (sh_word.c) ---- */
/* Maps an offset in the parsed text to the input. */
size_t sh_orig_offset(const struct sh_parser *p, size_t off);

/* Reads one word in mode at p->pos; returns NULL (no error) when a word
 * cannot start here. */
struct av_sh_node *sh_read_word(struct sh_parser *p, enum sh_wmode mode, unsigned wflags);
/* Appends parts to word until the mode's end; false on error. */
bool sh_read_parts(struct sh_parser *p, struct av_sh_node *word, enum sh_wmode mode,
                   unsigned wflags);
/* Finds the `))' closing an arithmetic text that starts at from (just after
 * `((`); returns true and its position, or false if the text is not
 * arithmetic (then `((` is two subshell parentheses). */
bool sh_scan_arith(struct sh_parser *p, size_t from, size_t *close);
/* Charges n bytes of look-ahead; false (and a limit error) when the budget
 * is spent. */
bool sh_charge_scan(struct sh_parser *p, size_t n);
/* Reads the bodies of all pending here-documents from p->pos. */
bool sh_read_heredocs(struct sh_parser *p);
/* Reads the here-document delimiter word at p->pos into r. */
bool sh_read_heredoc_delim(struct sh_parser *p, struct av_sh_node *r);
/* True when the assignment-word syntax NAME[...]= or NAME+= starts here. */
bool sh_at_assignment(struct sh_parser *p);
/* Reads NAME[sub]=value / NAME+=(...) at p->pos. */
struct av_sh_node *sh_read_assignment(struct sh_parser *p);

#endif
