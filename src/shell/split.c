/* split.c - the v0 shell analyzer: from shell text to the simple commands
 * that would run (shell.h). One pass over the text, no AST: lists and
 * pipelines are split as they are met, words are expanded and quote-removed
 * into the arena, compound-command keywords are stepped over so that the
 * commands inside them are seen, and wrappers (sudo, env, sh -c, eval, ...)
 * are unwrapped into extra commands. The full parser and static evaluator
 * replace this file behind the same interface.
 *
 * The goal is never to hide a command that would run: where the analysis
 * cannot follow (an unknown variable or a command substitution as a command
 * name, a script piped into a shell), the command is marked opaque instead.
 * Recursion happens only one level per nested text (command substitution,
 * sh -c, eval, base64) and is bounded by AV_SHELL_MAX_DEPTH; everything else
 * is iterative. */
#include "agentvisor/shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agentvisor/effects.h"
#include "sh_unwrap.h"
#include "shell_internal.h"

/* Total bytes that variable expansion and re-analysed text may add. Keeps
 * "a=$a$a" doubling tricks and eval loops linear in the input. */
#define SH_EXPANSION_BUDGET ((size_t)16 << 20)
#define SH_MAX_VARS         1024
#define SH_MAX_HEREDOCS     256

struct sh_vec {
	const char **items;
	uint32_t count;
	uint32_t cap;
};

struct sh_var {
	const char *name;
	const char *value; /* NULL: assigned, but the value is unknown */
};

/* A here-document whose body is read at the next newline. */
struct sh_heredoc {
	int32_t cmd; /* -2: the command being built; -1: dropped */
	uint32_t redir;
	const char *delim;
	bool strip_tabs;
	bool expand;
};

struct sh {
	struct av_arena *arena;
	const struct av_context *ctx;
	struct av_shell_result *out;
	uint32_t cmd_cap;
	struct sh_var *vars;
	uint32_t nvars, vars_cap;
	struct sh_heredoc *hds;
	uint32_t nhds, hds_cap, hd_base;
	/* Assignments of the command being built, visible to later assignments
	 * of the same command (`a=1 b=$a`) but not to its words. */
	const struct av_assign *overlay;
	uint32_t noverlay;
	uint32_t next_pipeline;
	size_t budget;
	bool nomem;
	bool stop;
	/* Functions defined in the text, with where their body is, and where
	 * each later command was read (for fork-bomb detection). */
#define SH_MAX_FUNCS 16
	struct {
		const char *name;
		const char *src;
		size_t start, end;
	} funcs[SH_MAX_FUNCS];
	uint32_t nfuncs;
	const char **cmd_src; /* AV_SHELL_MAX_COMMANDS entries once a function exists */
	size_t *cmd_pos;
};

struct sh_src {
	const char *s;
	size_t len;
	size_t pos;
};

/* Where the commands of one parse go: their depth, the wrapper that runs
 * them and the provenance they carry. */
struct sh_frame {
	uint32_t depth;
	int32_t parent;
	const char *prov;
};

struct sh_pipe {
	uint32_t id;
	uint32_t first;
	uint16_t index;
	bool active;
};

struct sh_list {
	uint32_t paren;
	uint32_t case_depth;
	bool case_pattern;
};

/* Builds the fields of one word in the arena. */
struct sh_word {
	char *buf;
	size_t len, cap;
	bool started; /* a field is in progress, even if empty ("") */
	bool split;   /* unquoted expansions are split into fields */
	struct sh_vec *fields;
};

static void parse_list(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                       bool term_paren);

/* ---- small helpers ------------------------------------------------------ */

static void set_truncated(struct sh *st, const char *why)
{
	if (!st->out->truncated)
		st->out->truncated = why;
}

static void out_of_memory(struct sh *st)
{
	st->nomem = true;
	st->stop = true;
}

/* Charges n bytes of derived text to the expansion budget. */
static bool charge(struct sh *st, size_t n)
{
	if (n > st->budget) {
		set_truncated(st, "expansion budget");
		st->stop = true;
		return false;
	}
	st->budget -= n;
	return true;
}

static void *vec_push(struct sh *st, void **items, uint32_t *count, uint32_t *cap,
                      size_t size, uint32_t max)
{
	void *slot = av_arena_push(st->arena, items, count, cap, size, max);
	if (!slot && *count < max)
		out_of_memory(st);
	return slot;
}

static void strvec_push(struct sh *st, struct sh_vec *v, const char *s, uint32_t max,
                        const char *limit)
{
	const char **slot = vec_push(st, (void **)&v->items, &v->count, &v->cap,
	                             sizeof(*v->items), max);
	if (slot)
		*slot = s;
	else if (!st->nomem)
		set_truncated(st, limit);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Characters that end an unquoted word. */
static bool is_meta(char c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\n':
	case ';':
	case '&':
	case '|':
	case '<':
	case '>':
	case '(':
	case ')':
		return true;
	default:
		return false;
	}
}

static bool is_name0(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name(char c)
{
	return is_name0(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char peek(const struct sh_src *p, size_t off)
{
	return p->pos + off < p->len ? p->s[p->pos + off] : '\0';
}

static void skip_blanks(struct sh_src *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (is_blank(c))
			p->pos++;
		else if (c == '\\' && peek(p, 1) == '\n')
			p->pos += 2;
		else
			break;
	}
}

static void skip_comment(struct sh_src *p)
{
	const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
	p->pos = nl ? (size_t)(nl - p->s) : p->len;
}

/* Skips a quoted string starting at p->pos (at the quote), iteratively. */
static void skip_quoted(struct sh_src *p)
{
	char q = p->s[p->pos++];
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c == q) {
			p->pos++;
			return;
		}
		if (c == '\\' && q == '"')
			p->pos++;
		p->pos++;
	}
	if (p->pos > p->len)
		p->pos = p->len;
}

/* With p->pos just after an opening bracket, moves past its matching close,
 * counting nesting and skipping quotes. Iterative, for text too deep to
 * analyse. */
static void skip_balanced(struct sh_src *p, char open, char close)
{
	uint32_t depth = 1;
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c == '\\') {
			p->pos += 2;
			continue;
		}
		if (c == '\'' || c == '"') {
			skip_quoted(p);
			continue;
		}
		p->pos++;
		if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			return;
		}
	}
	if (p->pos > p->len)
		p->pos = p->len;
}

/* Length of a run of plain characters (no quoting, no expansion) at p->pos
 * that forms a whole word, or 0. Used to recognise reserved words. */
static size_t plain_word_len(const struct sh_src *p)
{
	size_t i = p->pos;
	while (i < p->len && !is_meta(p->s[i])) {
		char c = p->s[i];
		if (c == '\'' || c == '"' || c == '\\' || c == '$' || c == '`')
			return 0;
		i++;
	}
	return i - p->pos;
}

static bool plain_is(const struct sh_src *p, const char *word)
{
	size_t n = plain_word_len(p);
	return n == strlen(word) && memcmp(p->s + p->pos, word, n) == 0;
}

/* ---- variables ---------------------------------------------------------- */

static void var_set(struct sh *st, const char *name, size_t n, const char *value)
{
	for (uint32_t i = st->nvars; i-- > 0;) {
		if (strncmp(st->vars[i].name, name, n) == 0 &&
		    st->vars[i].name[n] == '\0') {
			st->vars[i].value = value;
			return;
		}
	}
	struct sh_var *v = vec_push(st, (void **)&st->vars, &st->nvars, &st->vars_cap,
	                            sizeof(*v), SH_MAX_VARS);
	if (!v)
		return; /* too many variables: later lookups see them as unknown */
	v->name = av_arena_strndup(st->arena, name, n);
	v->value = value;
	if (!v->name)
		out_of_memory(st);
}

/* Returns true and sets *val when the variable's value is known here. */
static bool var_get(const struct sh *st, const char *name, size_t n, const char **val)
{
	for (uint32_t i = st->noverlay; i-- > 0;) {
		const char *an = st->overlay[i].name;
		if (strncmp(an, name, n) == 0 && an[n] == '\0') {
			*val = st->overlay[i].value;
			return *val != NULL;
		}
	}
	for (uint32_t i = st->nvars; i-- > 0;) {
		if (strncmp(st->vars[i].name, name, n) == 0 &&
		    st->vars[i].name[n] == '\0') {
			*val = st->vars[i].value;
			return *val != NULL;
		}
	}
	const struct av_context *ctx = st->ctx;
	const char *v = NULL;
	if (ctx && n == 4 && memcmp(name, "HOME", 4) == 0)
		v = ctx->home;
	else if (ctx && n == 3 && memcmp(name, "PWD", 3) == 0)
		v = ctx->cwd;
	else if (ctx && n == 4 && memcmp(name, "USER", 4) == 0)
		v = ctx->user;
	*val = v;
	return v != NULL;
}

/* A value still holding an unexpanded $ or ` is not known statically. */
static const char *known_or_null(const char *v)
{
	return (v && !strpbrk(v, "$`")) ? v : NULL;
}

/* ---- word building ------------------------------------------------------ */

static bool w_reserve(struct sh *st, struct sh_word *w, size_t extra)
{
	if (w->len + extra + 1 <= w->cap)
		return true;
	if (w->len + extra > AV_SHELL_MAX_WORD) {
		set_truncated(st, "AV_SHELL_MAX_WORD");
		return false;
	}
	size_t nc = w->cap ? w->cap * 2 : 32;
	while (nc < w->len + extra + 1)
		nc *= 2;
	char *nb = av_arena_alloc(st->arena, nc);
	if (!nb) {
		out_of_memory(st);
		return false;
	}
	if (w->len)
		memcpy(nb, w->buf, w->len);
	w->buf = nb;
	w->cap = nc;
	return true;
}

static void w_putc(struct sh *st, struct sh_word *w, char c)
{
	if (w_reserve(st, w, 1))
		w->buf[w->len++] = c;
	w->started = true;
}

static void w_putn(struct sh *st, struct sh_word *w, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (w_reserve(st, w, n)) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
	w->started = true;
}

/* Finishes the current field: NUL-terminates it in place and hands it out;
 * the rest of the buffer is reused for the next field. */
static void w_end_field(struct sh *st, struct sh_word *w)
{
	if (!w->started)
		return;
	w->started = false;
	if (!w_reserve(st, w, 0))
		return;
	w->buf[w->len] = '\0';
	strvec_push(st, w->fields, w->buf, AV_SHELL_MAX_ARGS, "AV_SHELL_MAX_ARGS");
	w->buf += w->len + 1;
	w->cap -= w->len + 1;
	w->len = 0;
}

/* Appends a known expansion; unquoted ones split on blanks and newlines. */
static void w_put_value(struct sh *st, struct sh_word *w, const char *v, bool quoted)
{
	size_t n = strlen(v);
	if (!charge(st, n))
		return;
	if (quoted || !w->split) {
		w_putn(st, w, v, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\n')
			w_end_field(st, w);
		else
			w_putc(st, w, v[i]);
	}
}

/* ---- nested analysis ---------------------------------------------------- */

/* Analyses text[0..len) (which must stay alive: it is usually in the arena)
 * as a list of commands at the given depth. Here-documents pending in the
 * enclosing text are hidden from it. */
static void analyse_text(struct sh *st, const char *text, size_t len, uint32_t depth,
                         int32_t parent, const char *prov)
{
	if (st->stop)
		return;
	if (depth > AV_SHELL_MAX_DEPTH) {
		set_truncated(st, "AV_SHELL_MAX_DEPTH");
		return;
	}
	if (!charge(st, len))
		return;
	struct sh_src sub = { .s = text, .len = len, .pos = 0 };
	struct sh_frame f = { .depth = depth, .parent = parent, .prov = prov };
	uint32_t saved_base = st->hd_base;
	st->hd_base = st->nhds;
	parse_list(st, &sub, &f, false);
	st->nhds = st->hd_base;
	st->hd_base = saved_base;
}

static const char *prov_at(struct sh *st, const char *what, uint32_t depth)
{
	const char *s = av_arena_printf(st->arena, "%s at depth %u", what, depth);
	if (!s)
		out_of_memory(st);
	return s;
}

/* With p->pos just after "$(" or "<(" / ">(": analyses the commands inside
 * as a command substitution and moves past the closing parenthesis. */
static void run_substitution(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                             const char *what)
{
	uint32_t depth = fr->depth + 1;
	if (depth > AV_SHELL_MAX_DEPTH || st->stop) {
		if (depth > AV_SHELL_MAX_DEPTH)
			set_truncated(st, "AV_SHELL_MAX_DEPTH");
		skip_balanced(p, '(', ')');
		return;
	}
	struct sh_frame f = { .depth = depth,
		              .parent = -1,
		              .prov = prov_at(st, what, depth) };
	uint32_t saved_base = st->hd_base;
	st->hd_base = st->nhds;
	parse_list(st, p, &f, true);
	st->nhds = st->hd_base;
	st->hd_base = saved_base;
}

/* ---- expansions --------------------------------------------------------- */

/* p->pos is at '`'. Un-escapes the body, analyses it and appends the raw
 * text (the value is only known at run time). */
static void expand_backtick(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                            struct sh_word *w, bool in_dq)
{
	size_t start = p->pos++;
	size_t end = p->pos;
	while (end < p->len && p->s[end] != '`')
		end += p->s[end] == '\\' ? 2 : 1;
	char *inner =
	        av_arena_alloc(st->arena, (end > p->len ? p->len : end) - p->pos + 1);
	size_t n = 0;
	if (!inner) {
		out_of_memory(st);
		p->pos = p->len;
		return;
	}
	while (p->pos < p->len && p->s[p->pos] != '`') {
		char c = p->s[p->pos];
		char nx = peek(p, 1);
		if (c == '\\' &&
		    (nx == '$' || nx == '`' || nx == '\\' || (in_dq && nx == '"'))) {
			inner[n++] = nx;
			p->pos += 2;
			continue;
		}
		inner[n++] = c;
		p->pos++;
	}
	if (p->pos < p->len)
		p->pos++;
	inner[n] = '\0';
	uint32_t depth = fr->depth + 1;
	if (depth > AV_SHELL_MAX_DEPTH)
		set_truncated(st, "AV_SHELL_MAX_DEPTH");
	else
		analyse_text(st, inner, n, depth, -1,
		             prov_at(st, "command substitution", depth));
	w_putn(st, w, p->s + start, p->pos - start);
}

/* p->pos is at '$'. Appends the expansion: the value when it is known, else
 * the raw text. quoted: inside "..." or a here-document (no splitting). */
static void expand_dollar(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                          struct sh_word *w, bool quoted)
{
	size_t start = p->pos;
	char n1 = peek(p, 1);
	if (n1 == '(') {
		if (peek(p, 2) == '(') { /* $(( arithmetic )) */
			p->pos += 2;
			skip_balanced(p, '(', ')');
		} else {
			p->pos += 2;
			run_substitution(st, p, fr, "command substitution");
		}
		w_putn(st, w, p->s + start, p->pos - start);
		return;
	}
	if (n1 == '{') {
		p->pos += 2;
		size_t inner = p->pos;
		skip_balanced(p, '{', '}');
		size_t end =
		        p->pos > inner && p->s[p->pos - 1] == '}' ? p->pos - 1 : p->pos;
		size_t nlen = 0;
		while (inner + nlen < end && is_name(p->s[inner + nlen]))
			nlen++;
		const char *v;
		if (nlen > 0 && inner + nlen == end && is_name0(p->s[inner]) &&
		    var_get(st, p->s + inner, nlen, &v)) {
			w_put_value(st, w, v, quoted);
			return;
		}
		w_putn(st, w, p->s + start, p->pos - start);
		return;
	}
	if (is_name0(n1)) {
		p->pos++;
		size_t name = p->pos;
		while (p->pos < p->len && is_name(p->s[p->pos]))
			p->pos++;
		const char *v;
		if (var_get(st, p->s + name, p->pos - name, &v))
			w_put_value(st, w, v, quoted);
		else
			w_putn(st, w, p->s + start, p->pos - start);
		return;
	}
	if (is_digit(n1) || (n1 && strchr("@*#?-$!", n1))) {
		p->pos += 2;
		w_putn(st, w, p->s + start, 2);
		return;
	}
	w_putc(st, w, '$');
	p->pos++;
}

/* ANSI-C quoting $'...': p->pos just after the opening quote. */
static void parse_ansi(struct sh *st, struct sh_src *p, struct sh_word *w)
{
	bool nul = false; /* bash ends the string at \0 */
	w->started = true;
	while (p->pos < p->len) {
		char c = p->s[p->pos++];
		if (c == '\'')
			return;
		if (c != '\\' || p->pos >= p->len) {
			if (!nul)
				w_putc(st, w, c);
			continue;
		}
		char e = p->s[p->pos++];
		unsigned long v = 0;
		int digits = 0;
		switch (e) {
		case 'a':
			v = 7;
			break;
		case 'b':
			v = 8;
			break;
		case 'e':
		case 'E':
			v = 27;
			break;
		case 'f':
			v = 12;
			break;
		case 'n':
			v = 10;
			break;
		case 'r':
			v = 13;
			break;
		case 't':
			v = 9;
			break;
		case 'v':
			v = 11;
			break;
		case 'c':
			if (p->pos < p->len)
				v = (unsigned long)(p->s[p->pos++] & 0x1f);
			break;
		case 'x':
		case 'u':
		case 'U': {
			int max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
			while (digits < max && p->pos < p->len) {
				char h = p->s[p->pos];
				int d = is_digit(h)              ? h - '0'
				        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
				        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
				                                 : -1;
				if (d < 0)
					break;
				v = v * 16 + (unsigned long)d;
				digits++;
				p->pos++;
			}
			if (digits == 0) {
				if (!nul) {
					w_putc(st, w, '\\');
					w_putc(st, w, e);
				}
				continue;
			}
			if (e != 'x' && v > 0x7f) { /* encode as UTF-8 */
				char u[4];
				size_t un;
				if (v > 0x10ffff)
					v = 0xfffd;
				if (v < 0x800) {
					u[0] = (char)(0xc0 | (v >> 6));
					u[1] = (char)(0x80 | (v & 0x3f));
					un = 2;
				} else if (v < 0x10000) {
					u[0] = (char)(0xe0 | (v >> 12));
					u[1] = (char)(0x80 | ((v >> 6) & 0x3f));
					u[2] = (char)(0x80 | (v & 0x3f));
					un = 3;
				} else {
					u[0] = (char)(0xf0 | (v >> 18));
					u[1] = (char)(0x80 | ((v >> 12) & 0x3f));
					u[2] = (char)(0x80 | ((v >> 6) & 0x3f));
					u[3] = (char)(0x80 | (v & 0x3f));
					un = 4;
				}
				if (!nul)
					w_putn(st, w, u, un);
				continue;
			}
			break;
		}
		default:
			if (e >= '0' && e <= '7') {
				v = (unsigned long)(e - '0');
				while (digits < 2 && p->pos < p->len &&
				       p->s[p->pos] >= '0' && p->s[p->pos] <= '7') {
					v = v * 8 + (unsigned long)(p->s[p->pos++] - '0');
					digits++;
				}
				v &= 0xff;
			} else if (e == '\\' || e == '\'' || e == '"' || e == '?') {
				v = (unsigned char)e;
			} else {
				if (!nul) {
					w_putc(st, w, '\\');
					w_putc(st, w, e);
				}
				continue;
			}
		}
		if (v == 0)
			nul = true;
		else if (!nul)
			w_putc(st, w, (char)v);
	}
}

/* Double quotes: p->pos just after the opening quote. In a here-document
 * body (heredoc = true) '"' is an ordinary character and the text runs to
 * the end of the source. */
static void parse_dq(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                     struct sh_word *w, bool heredoc)
{
	w->started = true;
	while (p->pos < p->len && !st->stop) {
		char c = p->s[p->pos];
		if (c == '"' && !heredoc) {
			p->pos++;
			return;
		}
		if (c == '\\') {
			char nx = peek(p, 1);
			if (nx == '$' || nx == '`' || nx == '\\' ||
			    (nx == '"' && !heredoc)) {
				w_putc(st, w, nx);
				p->pos += 2;
			} else if (nx == '\n') {
				p->pos += 2;
			} else {
				w_putc(st, w, '\\');
				p->pos++;
			}
			continue;
		}
		if (c == '$') {
			expand_dollar(st, p, fr, w, true);
			continue;
		}
		if (c == '`') {
			expand_backtick(st, p, fr, w, !heredoc);
			continue;
		}
		w_putc(st, w, c);
		p->pos++;
	}
	p->pos = p->len < p->pos ? p->len : p->pos;
}

/* Reads one word at p->pos into fields (expansion, quote removal and, when
 * split is set, field splitting of unquoted expansions). */
static void parse_word(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                       struct sh_vec *fields, bool split)
{
	struct sh_word w = { .split = split, .fields = fields };
	/* Tilde expansion: "~" or "~/..." at the start of a word. */
	if (peek(p, 0) == '~') {
		char nx = peek(p, 1);
		const char *home = st->ctx ? st->ctx->home : NULL;
		if (home && (nx == '/' || nx == '\0' || is_meta(nx))) {
			w_putn(st, &w, home, strlen(home));
			w.started = true;
			p->pos++;
		}
	}
	while (p->pos < p->len && !st->stop) {
		char c = p->s[p->pos];
		if (is_meta(c))
			break;
		switch (c) {
		case '\\':
			if (peek(p, 1) == '\n') {
				p->pos += 2;
			} else if (p->pos + 1 < p->len) {
				w_putc(st, &w, p->s[p->pos + 1]);
				p->pos += 2;
			} else {
				p->pos++;
			}
			break;
		case '\'': {
			p->pos++;
			const char *q = memchr(p->s + p->pos, '\'', p->len - p->pos);
			size_t end = q ? (size_t)(q - p->s) : p->len;
			w.started = true;
			w_putn(st, &w, p->s + p->pos, end - p->pos);
			p->pos = q ? end + 1 : end;
			break;
		}
		case '"':
			p->pos++;
			parse_dq(st, p, fr, &w, false);
			break;
		case '$':
			if (peek(p, 1) == '\'') {
				p->pos += 2;
				parse_ansi(st, p, &w);
			} else if (peek(p, 1) == '"') {
				p->pos += 2;
				parse_dq(st, p, fr, &w, false);
			} else {
				expand_dollar(st, p, fr, &w, false);
			}
			break;
		case '`':
			expand_backtick(st, p, fr, &w, false);
			break;
		default:
			w_putc(st, &w, c);
			p->pos++;
		}
	}
	w_end_field(st, &w);
}

/* Reads a word that must be one string (redirection target, assignment
 * value); "" when it expands to nothing. */
static const char *parse_word_single(struct sh *st, struct sh_src *p,
                                     const struct sh_frame *fr)
{
	struct sh_vec v = { 0 };
	parse_word(st, p, fr, &v, false);
	return v.count ? v.items[0] : "";
}

/* Brace expansion of the simple form pre{a,b,c}post with no quoting or
 * expansion inside: `{rm,-rf,/}` runs rm -rf /. Returns false (consuming
 * nothing) when the word is not of that form. */
static bool try_brace(struct sh *st, struct sh_src *p, struct sh_vec *argv)
{
	size_t n = plain_word_len(p);
	const char *s = p->s + p->pos;
	const char *open = n ? memchr(s, '{', n) : NULL;
	if (!open)
		return false;
	size_t o = (size_t)(open - s);
	const char *close = memchr(open, '}', n - o);
	if (!close || !memchr(open, ',', (size_t)(close - open)) ||
	    memchr(open + 1, '{', (size_t)(close - open - 1)) ||
	    memchr(close + 1, '{', n - (size_t)(close - s) - 1))
		return false;
	if (o > 0 && s[o - 1] == '$')
		return false;
	size_t c = (size_t)(close - s);
	const char *item = open + 1;
	for (;;) {
		const char *end = item;
		while (end < close && *end != ',')
			end++;
		size_t il = (size_t)(end - item);
		size_t total = o + il + (n - c - 1);
		char *f = av_arena_alloc(st->arena, total + 1);
		if (!f) {
			out_of_memory(st);
			return true;
		}
		memcpy(f, s, o);
		memcpy(f + o, item, il);
		memcpy(f + o + il, close + 1, n - c - 1);
		f[total] = '\0';
		if (total > 0)
			strvec_push(st, argv, f, AV_SHELL_MAX_ARGS, "AV_SHELL_MAX_ARGS");
		if (end >= close)
			break;
		item = end + 1;
	}
	p->pos += n;
	return true;
}

/* ---- here-documents ----------------------------------------------------- */

/* Reads a here-document delimiter with quote removal; *quoted when any part
 * was quoted (the body is then taken literally). */
static const char *read_delim(struct sh *st, struct sh_src *p, bool *quoted)
{
	struct sh_vec v = { 0 };
	struct sh_word w = { .fields = &v };
	*quoted = false;
	while (p->pos < p->len && !is_meta(p->s[p->pos])) {
		char c = p->s[p->pos];
		if (c == '\\' && p->pos + 1 < p->len) {
			*quoted = true;
			w_putc(st, &w, p->s[p->pos + 1]);
			p->pos += 2;
		} else if (c == '\'' || c == '"') {
			size_t q = p->pos;
			*quoted = true;
			skip_quoted(p);
			size_t end = p->pos > q + 1 && p->s[p->pos - 1] == c ? p->pos - 1
			                                                     : p->pos;
			w.started = true;
			w_putn(st, &w, p->s + q + 1, end - q - 1);
		} else {
			w_putc(st, &w, c);
			p->pos++;
		}
	}
	w_end_field(st, &w);
	return v.count ? v.items[0] : "";
}

/* Expands a here-document body as bash does for an unquoted delimiter:
 * parameters, command substitutions (which run and are analysed), and
 * backslash before $ ` \ newline. */
static const char *expand_body(struct sh *st, const char *body, size_t len,
                               const struct sh_frame *fr)
{
	struct sh_src sub = { .s = body, .len = len, .pos = 0 };
	struct sh_vec v = { 0 };
	struct sh_word w = { .fields = &v };
	parse_dq(st, &sub, fr, &w, true);
	w_end_field(st, &w);
	return v.count ? v.items[0] : "";
}

/* Called after a newline is consumed: reads the bodies of pending
 * here-documents from p and stores them as the targets of their redirects. */
static void read_heredocs(struct sh *st, struct sh_src *p, const struct sh_frame *fr)
{
	for (uint32_t h = st->hd_base; h < st->nhds && !st->stop; h++) {
		struct sh_heredoc hd = st->hds[h];
		size_t dl = strlen(hd.delim);
		size_t start = p->pos, end = p->len;
		while (p->pos < p->len) {
			size_t ls = p->pos;
			const char *nl = memchr(p->s + ls, '\n', p->len - ls);
			size_t le = nl ? (size_t)(nl - p->s) : p->len;
			size_t cs = ls;
			if (hd.strip_tabs)
				while (cs < le && p->s[cs] == '\t')
					cs++;
			p->pos = nl ? le + 1 : le;
			if (le - cs == dl && memcmp(p->s + cs, hd.delim, dl) == 0) {
				end = ls;
				break;
			}
		}
		/* Copy the body, without leading tabs for <<-. */
		char *body = av_arena_alloc(st->arena, end - start + 1);
		size_t n = 0;
		if (!body) {
			out_of_memory(st);
			return;
		}
		bool bol = true;
		for (size_t i = start; i < end; i++) {
			char c = p->s[i];
			if (hd.strip_tabs && bol && c == '\t')
				continue;
			bol = c == '\n';
			body[n++] = c;
		}
		body[n] = '\0';
		const char *target = hd.expand ? expand_body(st, body, n, fr) : body;
		if (hd.cmd >= 0 && (uint32_t)hd.cmd < st->out->ncmds &&
		    hd.redir < st->out->cmds[hd.cmd].nredirs)
			st->out->cmds[hd.cmd].redirs[hd.redir].target = target;
	}
	st->nhds = st->hd_base;
}

/* ---- commands ----------------------------------------------------------- */

static const char *argv0_opaque(struct sh *st, const char *a)
{
	const char *why = NULL;
	const char *lb = strchr(a, '[');
	if (strstr(a, "$(") || strchr(a, '`') || strstr(a, "<("))
		why = "the command name comes from a command substitution";
	else if (strchr(a, '$'))
		why = "the command name depends on a variable whose value is unknown "
		      "here";
	else if (strpbrk(a, "*?") || (lb && strchr(lb + 1, ']')))
		why = "the command name is a glob pattern";
	if (!why)
		return NULL;
	const char *s = av_arena_printf(st->arena, "%s (%.80s)", why, a);
	if (!s)
		out_of_memory(st);
	return s;
}

static void unwrap(struct sh *st, uint32_t idx);
static const char *literal_output(struct sh *st, int32_t j, int hops, const char **how);

/* Appends one command and unwraps it. Returns its index or -1. */
static int32_t add_cmd(struct sh *st, const struct av_command *proto)
{
	if (st->stop)
		return -1;
	if (st->out->ncmds >= AV_SHELL_MAX_COMMANDS) {
		set_truncated(st, "AV_SHELL_MAX_COMMANDS");
		st->stop = true;
		return -1;
	}
	struct av_command *c = vec_push(st, (void **)&st->out->cmds, &st->out->ncmds,
	                                &st->cmd_cap, sizeof(*c), AV_SHELL_MAX_COMMANDS);
	if (!c)
		return -1;
	*c = *proto;
	uint32_t idx = st->out->ncmds - 1;
	if (c->argc > 0)
		c->opaque = argv0_opaque(st, c->argv[0]);
	unwrap(st, idx);
	return (int32_t)idx;
}

/* Joins argv[from..argc) with single spaces, as eval and sudo -s do. */
static const char *join_args(struct sh *st, const char *const *argv, uint32_t from,
                             uint32_t argc, size_t *len_out)
{
	size_t n = 0;
	for (uint32_t i = from; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = av_arena_alloc(st->arena, n + 1);
	if (!s) {
		out_of_memory(st);
		*len_out = 0;
		return "";
	}
	size_t k = 0;
	for (uint32_t i = from; i < argc; i++) {
		size_t l = strlen(argv[i]);
		if (k)
			s[k++] = ' ';
		memcpy(s + k, argv[i], l);
		k += l;
	}
	s[k] = '\0';
	*len_out = k;
	return s;
}

/* ---- wrappers (src/shell/sh_unwrap.c) ------------------------------------ */

static bool is_assignment_word(const char *a, size_t *name_len)
{
	size_t n = 0;
	if (!is_name0(a[0]))
		return false;
	while (is_name(a[n]))
		n++;
	if (a[n] != '=')
		return false;
	*name_len = n;
	return true;
}

static void host_run_text(void *ctx, uint32_t idx, const char *text, size_t len,
                          const char *what)
{
	struct sh *st = ctx;
	uint32_t depth = st->out->cmds[idx].depth + 1;
	analyse_text(st, text, len, depth, (int32_t)idx, prov_at(st, what, depth));
}

static int32_t host_add_inner(void *ctx, uint32_t idx, const char **argv, uint32_t argc,
                              const struct av_assign *assigns, uint32_t nassigns,
                              const char *what, const char *opaque)
{
	struct sh *st = ctx;
	const struct av_command *c = &st->out->cmds[idx];
	struct av_command inner = {
		.argv = argv,
		.argc = argc,
		.redirs = c->redirs, /* shared: the same process's descriptors */
		.nredirs = c->nredirs,
		.assigns = (struct av_assign *)assigns,
		.nassigns = nassigns,
		.depth = c->depth + 1,
		.parent = (int32_t)idx,
		.pipeline = c->pipeline,
		.pipe_index = c->pipe_index,
		.pipe_len = c->pipe_len,
		.background = c->background,
	};
	if (inner.depth > AV_SHELL_MAX_DEPTH) {
		set_truncated(st, "AV_SHELL_MAX_DEPTH");
		return -1;
	}
	inner.provenance = prov_at(st, what, inner.depth);
	int32_t j = add_cmd(st, &inner);
	if (j >= 0 && opaque && !st->out->cmds[j].opaque)
		st->out->cmds[j].opaque = opaque;
	return j;
}

static const char *host_stdin_text(void *ctx, uint32_t idx, size_t *len)
{
	struct sh *st = ctx;
	if (st->out->cmds[idx].pipe_index == 0)
		return NULL;
	int32_t src = av_shell_pipe_source(st->out, idx);
	const char *how;
	const char *text = src >= 0 ? literal_output(st, src, 0, &how) : NULL;
	if (text)
		*len = strlen(text);
	return text;
}

static void host_fail(void *ctx, const char *limit)
{
	struct sh *st = ctx;
	if (limit)
		set_truncated(st, limit);
	else
		out_of_memory(st);
}

/* If command idx is a wrapper, appends the command(s) it runs. eval runs
 * in this shell; everything else is sh_unwrap's. */
static void unwrap(struct sh *st, uint32_t idx)
{
	const struct av_command *c = &st->out->cmds[idx];
	if (c->argc == 0 || st->stop)
		return;
	if (strcmp(av_shell_basename(c->argv[0]), "eval") == 0) {
		size_t len;
		const char *text = join_args(st, c->argv, 1, c->argc, &len);
		uint32_t depth = c->depth + 1;
		analyse_text(st, text, len, depth, (int32_t)idx,
		             prov_at(st, "evaluated by eval", depth));
		return;
	}
	const struct av_sh_unwrap_host host = {
		.ctx = st,
		.arena = st->arena,
		.result = st->out,
		.run_text = host_run_text,
		.add_inner = host_add_inner,
		.stdin_text = host_stdin_text,
		.fail = host_fail,
	};
	av_sh_unwrap(&host, idx);
}

/* ---- simple commands ---------------------------------------------------- */

struct sh_cmd_build {
	struct sh_vec argv;
	struct av_redir *redirs;
	uint32_t nredirs, redir_cap;
	struct av_assign *assigns;
	uint32_t nassigns, assign_cap;
};

/* True when a redirection operator starts at p->pos (optionally after an fd
 * number). Process substitution <( >( is not a redirection. */
static bool redir_here(const struct sh_src *p)
{
	size_t i = p->pos;
	while (i < p->len && is_digit(p->s[i]))
		i++;
	if (i >= p->len)
		return false;
	char c = p->s[i];
	char nx = i + 1 < p->len ? p->s[i + 1] : '\0';
	if (c == '<' || c == '>')
		return !(i == p->pos && nx == '(');
	return i == p->pos && c == '&' && nx == '>';
}

static void parse_redir(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                        struct sh_cmd_build *b)
{
	int fd = -2;
	if (is_digit(peek(p, 0))) {
		fd = 0;
		while (p->pos < p->len && is_digit(p->s[p->pos])) {
			if (fd < 100000)
				fd = fd * 10 + (p->s[p->pos] - '0');
			p->pos++;
		}
	}
	enum av_redir_op op;
	int dfd;
	char c = peek(p, 0), n1 = peek(p, 1), n2 = peek(p, 2);
	size_t oplen = 1;
	bool strip = false;
	if (c == '&') {
		op = AV_REDIR_OUT_ERR;
		dfd = -1;
		oplen = n2 == '>' ? 3 : 2;
	} else if (c == '<') {
		dfd = 0;
		if (n1 == '<' && n2 == '<') {
			op = AV_REDIR_HERESTRING;
			oplen = 3;
		} else if (n1 == '<') {
			op = AV_REDIR_HEREDOC;
			oplen = n2 == '-' ? 3 : 2;
			strip = n2 == '-';
		} else if (n1 == '&') {
			op = AV_REDIR_DUP_IN;
			oplen = 2;
		} else if (n1 == '>') {
			op = AV_REDIR_INOUT;
			oplen = 2;
		} else {
			op = AV_REDIR_IN;
		}
	} else {
		dfd = 1;
		if (n1 == '>') {
			op = AV_REDIR_APPEND;
			oplen = 2;
		} else if (n1 == '|') {
			op = AV_REDIR_CLOBBER;
			oplen = 2;
		} else if (n1 == '&') {
			op = AV_REDIR_DUP_OUT;
			oplen = 2;
		} else {
			op = AV_REDIR_OUT;
		}
	}
	p->pos += oplen;
	skip_blanks(p);
	struct av_redir *r = vec_push(st, (void **)&b->redirs, &b->nredirs, &b->redir_cap,
	                              sizeof(*r), AV_SHELL_MAX_ARGS);
	if (!r) {
		if (!st->nomem)
			set_truncated(st, "AV_SHELL_MAX_ARGS");
		parse_word_single(st, p, fr);
		return;
	}
	r->op = op;
	r->fd = fd == -2 ? dfd : fd;
	if (op == AV_REDIR_HEREDOC) {
		bool quoted;
		const char *delim = read_delim(st, p, &quoted);
		r->target = "";
		struct sh_heredoc *h =
		        vec_push(st, (void **)&st->hds, &st->nhds, &st->hds_cap,
		                 sizeof(*h), SH_MAX_HEREDOCS);
		if (h) {
			h->cmd = -2;
			h->redir = b->nredirs - 1;
			h->delim = delim;
			h->strip_tabs = strip;
			h->expand = !quoted;
		} else if (!st->nomem) {
			set_truncated(st, "here-documents");
		}
		return;
	}
	const char *t = parse_word_single(st, p, fr);
	r = &b->redirs[b->nredirs - 1];
	r->target = t;
	/* ">&word" with a non-numeric word and no fd is "&>word". */
	if (op == AV_REDIR_DUP_OUT && fd == -2 && t[0] && strcmp(t, "-") != 0 &&
	    strspn(t, "0123456789") != strlen(t)) {
		r->op = AV_REDIR_OUT_ERR;
		r->fd = -1;
	}
}

/* Length of NAME= / NAME+= at p->pos (unquoted), or 0. */
static size_t assignment_len(const struct sh_src *p)
{
	size_t i = p->pos;
	if (i >= p->len || !is_name0(p->s[i]))
		return 0;
	while (i < p->len && is_name(p->s[i]))
		i++;
	if (i < p->len && p->s[i] == '+')
		i++;
	if (i < p->len && p->s[i] == '=')
		return i + 1 - p->pos;
	return 0;
}

static void parse_assignment(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                             struct sh_cmd_build *b, size_t alen)
{
	size_t name = p->pos;
	size_t nlen = alen - 1;
	if (p->s[name + nlen - 1] == '+')
		nlen--;
	p->pos += alen;
	const char *value;
	if (peek(p, 0) == '(') { /* array: kept literally, value unknown */
		size_t s = p->pos++;
		skip_balanced(p, '(', ')');
		value = av_arena_strndup(st->arena, p->s + s, p->pos - s);
	} else {
		st->overlay = b->assigns;
		st->noverlay = b->nassigns;
		value = is_meta(peek(p, 0)) || p->pos >= p->len
		                ? ""
		                : parse_word_single(st, p, fr);
		st->overlay = NULL;
		st->noverlay = 0;
	}
	struct av_assign *a = vec_push(st, (void **)&b->assigns, &b->nassigns,
	                               &b->assign_cap, sizeof(*a), AV_SHELL_MAX_ARGS);
	if (!a)
		return;
	a->name = av_arena_strndup(st->arena, p->s + name, nlen);
	a->value = value;
	if (!a->name || !value)
		out_of_memory(st);
}

/* Builtins that change variables the analysis tracks. */
static void track_builtin_vars(struct sh *st, const char *const *argv, uint32_t argc)
{
	const char *n = argv[0];
	bool declare = strcmp(n, "export") == 0 || strcmp(n, "declare") == 0 ||
	               strcmp(n, "typeset") == 0 || strcmp(n, "local") == 0 ||
	               strcmp(n, "readonly") == 0;
	bool unset = strcmp(n, "unset") == 0;
	bool read = strcmp(n, "read") == 0;
	if (!declare && !unset && !read)
		return;
	for (uint32_t i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t nl;
		if (a[0] == '-') {
			/* read's options with an argument */
			if (read && a[1] && strchr("adinNptu", a[strlen(a) - 1]) &&
			    i + 1 < argc)
				i++;
			continue;
		}
		if (declare && is_assignment_word(a, &nl)) {
			var_set(st, a, nl, known_or_null(a + nl + 1));
		} else if (unset || read) {
			nl = 0;
			while (is_name(a[nl]))
				nl++;
			if (nl && a[nl] == '\0')
				var_set(st, a, nl, unset ? "" : NULL);
		}
	}
}

enum kw {
	KW_NONE = 0,
	KW_SKIP, /* if then else elif fi do done while until ! { } */
	KW_ESAC,
	KW_CASE,
	KW_FOR, /* for, select */
	KW_FUNCTION,
	KW_COND, /* [[ */
	KW_TIME,
	KW_COPROC,
};

static const struct {
	const char *name;
	enum kw kw;
} keywords[] = {
	{ "!", KW_SKIP },        { "[[", KW_COND },    { "case", KW_CASE },
	{ "coproc", KW_COPROC }, { "do", KW_SKIP },    { "done", KW_SKIP },
	{ "elif", KW_SKIP },     { "else", KW_SKIP },  { "esac", KW_ESAC },
	{ "fi", KW_SKIP },       { "for", KW_FOR },    { "function", KW_FUNCTION },
	{ "if", KW_SKIP },       { "select", KW_FOR }, { "then", KW_SKIP },
	{ "time", KW_TIME },     { "until", KW_SKIP }, { "while", KW_SKIP },
	{ "{", KW_SKIP },        { "}", KW_SKIP },
};

static enum kw keyword_at(const struct sh_src *p, size_t *n_out)
{
	size_t n = plain_word_len(p);
	*n_out = n;
	if (n == 0 || n > 8 || !strchr("!-[cdefistuw{}", p->s[p->pos]))
		return KW_NONE;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].name) == n &&
		    memcmp(keywords[i].name, p->s + p->pos, n) == 0)
			return keywords[i].kw;
	return KW_NONE;
}

/* Reads and forgets one word, still analysing substitutions inside it. */
static void discard_word(struct sh *st, struct sh_src *p, const struct sh_frame *fr)
{
	struct sh_vec v = { 0 };
	size_t before = p->pos;
	parse_word(st, p, fr, &v, false);
	if (p->pos == before && p->pos < p->len)
		p->pos++;
}

/* [[ ... ]]: operators are not redirections; words are still expanded so
 * that command substitutions inside are analysed. */
static void parse_cond(struct sh *st, struct sh_src *p, const struct sh_frame *fr)
{
	while (p->pos < p->len && !st->stop) {
		skip_blanks(p);
		if (p->pos >= p->len)
			break;
		char c = p->s[p->pos];
		if (plain_is(p, "]]")) {
			p->pos += 2;
			return;
		}
		if (c == '\n' || c == ';')
			return;
		if (is_meta(c)) {
			p->pos++;
			continue;
		}
		discard_word(st, p, fr);
	}
}

/* Records a function definition NAME() whose body starts at p->pos: its
 * extent is the balanced { ... } or ( ... ) that follows. */
static void note_function(struct sh *st, const struct sh_src *p, const char *name)
{
	if (st->nfuncs >= SH_MAX_FUNCS)
		return;
	struct sh_src q = *p;
	while (q.pos < q.len && (is_blank(q.s[q.pos]) || q.s[q.pos] == '\n'))
		q.pos++;
	char open = peek(&q, 0);
	if (open != '{' && open != '(')
		return;
	size_t start = q.pos++;
	skip_balanced(&q, open, open == '{' ? '}' : ')');
	if (!st->cmd_src) {
		st->cmd_src = av_arena_alloc(st->arena, sizeof(*st->cmd_src) *
		                                                AV_SHELL_MAX_COMMANDS);
		st->cmd_pos = av_arena_alloc(st->arena, sizeof(*st->cmd_pos) *
		                                                AV_SHELL_MAX_COMMANDS);
		if (!st->cmd_src || !st->cmd_pos) {
			st->cmd_src = NULL;
			out_of_memory(st);
			return;
		}
		for (uint32_t i = 0; i < AV_SHELL_MAX_COMMANDS; i++)
			st->cmd_src[i] = NULL;
	}
	st->funcs[st->nfuncs].name = name;
	st->funcs[st->nfuncs].src = p->s;
	st->funcs[st->nfuncs].start = start;
	st->funcs[st->nfuncs].end = q.pos;
	st->nfuncs++;
}

/* Parses one simple command (after any reserved words) and appends it. */
static void parse_command(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                          struct sh_pipe *ps, struct sh_list *ls)
{
	size_t n;
	for (;;) {
		skip_blanks(p);
		enum kw k = keyword_at(p, &n);
		if (k == KW_NONE)
			break;
		p->pos += n;
		switch (k) {
		case KW_NONE:
		case KW_SKIP:
		case KW_COPROC:
			continue;
		case KW_TIME:
			skip_blanks(p);
			if (plain_is(p, "-p"))
				p->pos += 2;
			continue;
		case KW_ESAC:
			if (ls->case_depth)
				ls->case_depth--;
			continue;
		case KW_CASE:
			skip_blanks(p);
			discard_word(st, p, fr);
			skip_blanks(p);
			while (peek(p, 0) == '\n')
				p->pos++;
			skip_blanks(p);
			if (plain_is(p, "in"))
				p->pos += 2;
			ls->case_depth++;
			ls->case_pattern = true;
			return;
		case KW_FOR: {
			skip_blanks(p);
			if (peek(p, 0) == '(' && peek(p, 1) == '(') {
				p->pos += 1;
				skip_balanced(p, '(', ')');
				return;
			}
			size_t s = p->pos;
			while (p->pos < p->len && is_name(p->s[p->pos]))
				p->pos++;
			if (p->pos > s)
				var_set(st, p->s + s, p->pos - s, NULL);
			skip_blanks(p);
			if (!plain_is(p, "in"))
				return;
			p->pos += 2;
			for (;;) {
				skip_blanks(p);
				char c = peek(p, 0);
				if (p->pos >= p->len || is_meta(c) || st->stop)
					return;
				discard_word(st, p, fr);
			}
		}
		case KW_FUNCTION:
			skip_blanks(p);
			discard_word(st, p, fr);
			skip_blanks(p);
			if (peek(p, 0) == '(') {
				size_t save = p->pos++;
				skip_blanks(p);
				if (peek(p, 0) == ')')
					p->pos++;
				else
					p->pos = save;
			}
			return;
		case KW_COND:
			parse_cond(st, p, fr);
			return;
		}
	}

	struct sh_cmd_build b = { 0 };
	uint32_t hd_first = st->nhds;
	skip_blanks(p);
	size_t cmd_start = p->pos;
	while (!st->stop) {
		skip_blanks(p);
		if (p->pos >= p->len)
			break;
		char c = p->s[p->pos], nx = peek(p, 1);
		if (c == '\n' || c == ';' || c == '|' || c == ')')
			break;
		if (c == '&' && nx != '>')
			break;
		if (c == '#') {
			skip_comment(p);
			break;
		}
		if (c == '(') {
			if (b.argv.count == 1 && b.nassigns == 0 && b.nredirs == 0) {
				size_t save = p->pos++;
				skip_blanks(p);
				if (peek(p, 0) ==
				    ')') { /* name() - a function definition */
					p->pos++;
					note_function(st, p, b.argv.items[0]);
					return;
				}
				p->pos = save;
			}
			break;
		}
		if ((c == '<' || c == '>') && nx == '(') { /* process substitution */
			size_t s = p->pos;
			p->pos += 2;
			run_substitution(st, p, fr, "process substitution");
			const char *lit =
			        av_arena_strndup(st->arena, p->s + s, p->pos - s);
			if (!lit) {
				out_of_memory(st);
				break;
			}
			strvec_push(st, &b.argv, lit, AV_SHELL_MAX_ARGS,
			            "AV_SHELL_MAX_ARGS");
			continue;
		}
		if (redir_here(p)) {
			parse_redir(st, p, fr, &b);
			continue;
		}
		size_t alen;
		if (b.argv.count == 0 && (alen = assignment_len(p)) > 0) {
			parse_assignment(st, p, fr, &b, alen);
			continue;
		}
		if (try_brace(st, p, &b.argv))
			continue;
		size_t before = p->pos;
		parse_word(st, p, fr, &b.argv, true);
		if (p->pos == before)
			p->pos++; /* defensive: always make progress */
	}
	if (b.argv.count == 0 && b.nredirs == 0 && b.nassigns == 0)
		return;
	if (b.argv.count == 0) {
		/* A bare assignment sets shell variables for what follows. */
		for (uint32_t i = 0; i < b.nassigns; i++)
			var_set(st, b.assigns[i].name, strlen(b.assigns[i].name),
			        known_or_null(b.assigns[i].value));
	}
	const char **argv = b.argv.items;
	if (argv) { /* NULL-terminate for the convenience of consumers */
		const char **slot =
		        vec_push(st, (void **)&b.argv.items, &b.argv.count, &b.argv.cap,
		                 sizeof(*slot), AV_SHELL_MAX_ARGS + 1);
		if (!slot)
			return;
		*slot = NULL;
		argv = b.argv.items;
		b.argv.count--;
	}
	if (!ps->active) {
		ps->active = true;
		ps->id = st->next_pipeline++;
		ps->first = st->out->ncmds;
	}
	struct av_command proto = {
		.argv = argv,
		.argc = b.argv.count,
		.redirs = b.redirs,
		.nredirs = b.nredirs,
		.assigns = b.assigns,
		.nassigns = b.nassigns,
		.depth = fr->depth,
		.parent = fr->parent,
		.pipeline = ps->id,
		.pipe_index = ps->index,
		.pipe_len = 1,
		.provenance = fr->prov,
	};
	/* Claim the here-documents opened by this command before unwrapping. */
	uint32_t next = st->out->ncmds;
	for (uint32_t h = hd_first; h < st->nhds; h++)
		if (st->hds[h].cmd == -2)
			st->hds[h].cmd = st->out->ncmds < AV_SHELL_MAX_COMMANDS
			                         ? (int32_t)next
			                         : -1;
	if (st->cmd_src && next < AV_SHELL_MAX_COMMANDS) {
		st->cmd_src[next] = p->s;
		st->cmd_pos[next] = cmd_start;
	}
	int32_t idx = add_cmd(st, &proto);
	if (idx < 0) {
		for (uint32_t h = hd_first; h < st->nhds; h++)
			if (st->hds[h].cmd == (int32_t)next)
				st->hds[h].cmd = -1;
		return;
	}
	if (b.argv.count > 0)
		track_builtin_vars(st, argv, b.argv.count);
}

static void finish_pipeline(struct sh *st, struct sh_pipe *ps, bool background)
{
	if (!ps->active)
		return;
	for (uint32_t i = ps->first; i < st->out->ncmds; i++) {
		struct av_command *c = &st->out->cmds[i];
		if (c->pipeline == ps->id) {
			c->pipe_len = (uint16_t)(ps->index + 1);
			c->background = background;
		}
	}
	ps->active = false;
	ps->index = 0;
}

/* case patterns: "( pat | pat )" up to the closing parenthesis, or esac. */
static void parse_case_pattern(struct sh_src *p, struct sh_list *ls)
{
	if (plain_is(p, "esac")) {
		p->pos += 4;
		if (ls->case_depth)
			ls->case_depth--;
		ls->case_pattern = false;
		return;
	}
	if (peek(p, 0) == '(')
		p->pos++;
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c == '\\') {
			p->pos += 2;
		} else if (c == '\'' || c == '"') {
			skip_quoted(p);
		} else if (c == '(') {
			p->pos++;
			skip_balanced(p, '(', ')');
		} else {
			p->pos++;
			if (c == ')')
				break;
		}
	}
	if (p->pos > p->len)
		p->pos = p->len;
	ls->case_pattern = false;
}

/* A list of pipelines up to the end of p, or (term_paren) to the ')' that
 * closes a command substitution. */
static void parse_list(struct sh *st, struct sh_src *p, const struct sh_frame *fr,
                       bool term_paren)
{
	struct sh_pipe ps = { 0 };
	struct sh_list ls = { 0 };
	while (!st->stop) {
		skip_blanks(p);
		if (p->pos >= p->len)
			break;
		char c = p->s[p->pos], nx = peek(p, 1);
		if (c == '\n') {
			p->pos++;
			read_heredocs(st, p, fr);
			finish_pipeline(st, &ps, false);
			continue;
		}
		if (c == '#') {
			skip_comment(p);
			continue;
		}
		if (ls.case_pattern && c != ';') {
			parse_case_pattern(p, &ls);
			continue;
		}
		switch (c) {
		case ';':
			p->pos++;
			if (nx == ';' || nx == '&') {
				p->pos += (nx == ';' && peek(p, 1) == '&') ? 2 : 1;
				ls.case_pattern = ls.case_depth > 0;
			}
			finish_pipeline(st, &ps, false);
			continue;
		case '&':
			if (nx == '>')
				break;
			p->pos += nx == '&' ? 2 : 1;
			finish_pipeline(st, &ps, nx != '&');
			continue;
		case '|':
			if (nx == '|') {
				p->pos += 2;
				finish_pipeline(st, &ps, false);
				continue;
			}
			p->pos += nx == '&' ? 2 : 1;
			if (ps.active && ps.index < UINT16_MAX - 1)
				ps.index++;
			continue;
		case '(':
			if (nx == '(') { /* (( arithmetic )) */
				p->pos += 2;
				skip_balanced(p, '(', ')');
				if (peek(p, 0) == ')')
					p->pos++;
				continue;
			}
			ls.paren++;
			p->pos++;
			continue;
		case ')':
			p->pos++;
			if (ls.paren > 0) {
				ls.paren--;
				continue;
			}
			if (term_paren) {
				finish_pipeline(st, &ps, false);
				return;
			}
			continue;
		default:
			break;
		}
		size_t before = p->pos;
		parse_command(st, p, fr, &ps, &ls);
		if (p->pos == before && p->pos < p->len && !is_meta(p->s[p->pos]))
			p->pos++; /* defensive: always make progress */
	}
	finish_pipeline(st, &ps, false);
}

/* ---- scripts fed to a shell's standard input ---------------------------- */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decodes base64 text (whitespace ignored, '=' ends it) into the arena;
 * NULL when it is not base64 or decodes to binary with NUL bytes. */
static const char *b64_decode(struct sh *st, const char *s)
{
	size_t n = strlen(s);
	char *out = av_arena_alloc(st->arena, n / 4 * 3 + 4);
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	if (!out) {
		out_of_memory(st);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
			continue;
		if (c == '=')
			break;
		int v = b64_value(c);
		if (v < 0)
			return NULL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char b = (char)((acc >> bits) & 0xff);
			if (b == '\0')
				return NULL;
			out[k++] = b;
		}
	}
	out[k] = '\0';
	return k ? out : NULL;
}

static const struct av_redir *stdin_redir(const struct av_command *c)
{
	const struct av_redir *r = NULL;
	for (uint32_t i = 0; i < c->nredirs; i++) {
		const struct av_redir *x = &c->redirs[i];
		if (x->fd == 0 &&
		    (x->op == AV_REDIR_IN || x->op == AV_REDIR_INOUT ||
		     x->op == AV_REDIR_HEREDOC || x->op == AV_REDIR_HERESTRING ||
		     x->op == AV_REDIR_DUP_IN))
			r = x;
	}
	return r;
}

static bool has_expansion(const char *const *argv, uint32_t from, uint32_t argc)
{
	for (uint32_t i = from; i < argc; i++)
		if (strpbrk(argv[i], "$`"))
			return true;
	return false;
}

/* What printf FORMAT ARGS... prints, for the escapes and conversions that
 * are pure (\n \t \\ ..., %s %b %d %%); NULL for anything else. The format
 * is reused while arguments remain, as printf does. */
static const char *printf_expand(struct sh *st, const char *const *argv, uint32_t argc)
{
	struct sh_word w = { 0 };
	uint32_t a = 1;
	for (int round = 0; round < 64; round++) {
		uint32_t used_before = a;
		for (const char *f = argv[0]; *f; f++) {
			if (*f == '\\' && f[1]) {
				static const char from[] = "ntr\\\"'a0";
				static const char to[] = "\n\t\r\\\"'\a";
				const char *m = strchr(from, f[1]);
				if (!m)
					return NULL;
				if (f[1] != '0')
					w_putc(st, &w, to[m - from]);
				f++;
			} else if (*f == '%' && f[1] == '%') {
				w_putc(st, &w, '%');
				f++;
			} else if (*f == '%' &&
			           (f[1] == 's' || f[1] == 'b' || f[1] == 'd')) {
				const char *v = a < argc ? argv[a++] : "";
				w_putn(st, &w, v, strlen(v));
				f++;
			} else if (*f == '%') {
				return NULL;
			} else {
				w_putc(st, &w, *f);
			}
		}
		if (a >= argc || a == used_before)
			break;
	}
	w_putc(st, &w, '\0');
	return st->nomem || !w.buf ? NULL : w.buf;
}

/* What command j writes to its standard output when that is knowable from
 * the text alone (echo/printf of literals, cat of a here-document, base64 -d
 * of either), or NULL. *how names the route for provenance. */
static const char *literal_output(struct sh *st, int32_t j, int hops, const char **how)
{
	const struct av_command *c = &st->out->cmds[j];
	if (c->argc == 0 || hops > 2)
		return NULL;
	const char *name = av_shell_basename(c->argv[0]);
	const struct av_redir *in = stdin_redir(c);
	size_t len;
	if (strcmp(name, "echo") == 0) {
		uint32_t k = 1;
		while (k < c->argc && c->argv[k][0] == '-' && c->argv[k][1] &&
		       strspn(c->argv[k] + 1, "neE") == strlen(c->argv[k] + 1))
			k++;
		if (has_expansion(c->argv, k, c->argc))
			return NULL;
		*how = "piped to sh from echo";
		const char *text = join_args(st, c->argv, k, c->argc, &len);
		for (uint32_t f = 1; f < k; f++)
			if (strchr(c->argv[f],
			           'e')) /* echo -e: escapes are interpreted */
				return printf_expand(st, &text, 1);
		return text;
	}
	if (strcmp(name, "printf") == 0 && c->argc >= 2) {
		if (has_expansion(c->argv, 1, c->argc))
			return NULL;
		*how = "piped to sh from printf";
		if ((strcmp(c->argv[1], "%s") == 0 || strcmp(c->argv[1], "%s\\n") == 0) &&
		    c->argc >= 3)
			return join_args(st, c->argv, 2, c->argc, &len);
		if (!strchr(c->argv[1], '%') && !strchr(c->argv[1], '\\'))
			return c->argv[1];
		return printf_expand(st, c->argv + 1, c->argc - 1);
	}
	if (strcmp(name, "cat") == 0 && c->argc == 1 && in &&
	    (in->op == AV_REDIR_HEREDOC || in->op == AV_REDIR_HERESTRING)) {
		*how = "here-document piped to sh";
		return in->target;
	}
	if (strcmp(name, "base64") == 0) {
		bool decode = false;
		for (uint32_t k = 1; k < c->argc; k++)
			if (strcmp(c->argv[k], "-d") == 0 ||
			    strcmp(c->argv[k], "--decode") == 0 ||
			    strcmp(c->argv[k], "-D") == 0 ||
			    strcmp(c->argv[k], "-di") == 0 ||
			    strcmp(c->argv[k], "-id") == 0)
				decode = true;
			else if (c->argv[k][0] != '-')
				return NULL; /* decodes a file */
		if (!decode)
			return NULL;
		const char *text = NULL;
		const char *inner_how;
		if (in && (in->op == AV_REDIR_HEREDOC || in->op == AV_REDIR_HERESTRING))
			text = in->target;
		else if (!in && c->pipe_index > 0) {
			int32_t k = av_shell_pipe_source(st->out, (uint32_t)j);
			if (k >= 0)
				text = literal_output(st, k, hops + 1, &inner_how);
		}
		if (!text)
			return NULL;
		*how = "decoded from base64, piped to sh";
		return b64_decode(st, text);
	}
	return NULL;
}

/* A shell with no -c and no script reads its program from standard input:
 * analyse it when it is a here-document or literal text piped in, else mark
 * the shell opaque. Runs after the whole text is read, so here-document
 * bodies are known; commands it appends are visited too. */
static void resolve_stdin_scripts(struct sh *st)
{
	for (uint32_t i = 0; i < st->out->ncmds && !st->stop; i++) {
		const struct av_command *c = &st->out->cmds[i];
		if (c->argc == 0 || !av_shell_is_shell(av_shell_basename(c->argv[0])))
			continue;
		struct av_sh_invocation inv;
		av_shell_sh_invocation(c->argv, c->argc, &inv);
		if (inv.mode != AV_SH_STDIN)
			continue;
		uint32_t depth = c->depth + 1;
		const char *name = av_shell_basename(c->argv[0]);
		const struct av_redir *in = stdin_redir(c);
		char what[80];
		if (in) {
			if ((in->op == AV_REDIR_HEREDOC ||
			     in->op == AV_REDIR_HERESTRING) &&
			    in->target) {
				const char *t = in->target;
				snprintf(what, sizeof(what), "%s of %.20s",
				         in->op == AV_REDIR_HEREDOC ? "here-document"
				                                    : "here-string",
				         name);
				analyse_text(st, t, strlen(t), depth, (int32_t)i,
				             prov_at(st, what, depth));
			}
			continue;
		}
		if (c->pipe_index == 0)
			continue; /* interactive: reads the agent's own input */
		int32_t j = av_shell_pipe_source(st->out, i);
		const char *how = NULL;
		const char *text = j >= 0 ? literal_output(st, j, 0, &how) : NULL;
		if (text) {
			analyse_text(st, text, strlen(text), depth, (int32_t)i,
			             prov_at(st, how, depth));
			continue;
		}
		const char *from = j >= 0 && st->out->cmds[j].argc
		                           ? av_shell_basename(st->out->cmds[j].argv[0])
		                           : "a previous command";
		const char *why = av_arena_printf(
		        st->arena,
		        "runs a script read from its standard input (piped from %.60s)",
		        from);
		if (!why) {
			out_of_memory(st);
			return;
		}
		st->out->cmds[i].opaque = why;
	}
}

/* ---- after the whole text is read -------------------------------------- */

const char av_shell_fork_bomb[] =
        "a function that runs itself more than once per call, in a pipeline or in "
        "the background (a fork bomb)";

/* A function whose own body runs it at least twice, in one pipeline or in
 * the background, multiplies itself on every call (":(){ :|:& };:"): the
 * commands running it are marked with av_shell_fork_bomb. */
static void find_fork_bombs(struct sh *st)
{
	for (uint32_t f = 0; f < st->nfuncs && st->cmd_src; f++) {
		const char *fn = st->funcs[f].name;
		uint32_t calls = 0, parallel = 0;
		for (uint32_t i = 0; i < st->out->ncmds && i < AV_SHELL_MAX_COMMANDS;
		     i++) {
			const struct av_command *c = &st->out->cmds[i];
			if (c->argc == 0 || strcmp(c->argv[0], fn) != 0 ||
			    st->cmd_src[i] != st->funcs[f].src ||
			    st->cmd_pos[i] < st->funcs[f].start ||
			    st->cmd_pos[i] >= st->funcs[f].end)
				continue;
			calls++;
			parallel += c->background || c->pipe_len > 1;
		}
		if (calls < 2 || parallel == 0)
			continue;
		for (uint32_t i = 0; i < st->out->ncmds; i++) {
			struct av_command *c = &st->out->cmds[i];
			if (c->argc && strcmp(c->argv[0], fn) == 0)
				c->opaque = av_shell_fork_bomb;
		}
	}
}

static bool is_output_redir(const struct av_redir *r)
{
	return (r->fd == 1 || r->fd == -1) &&
	       (r->op == AV_REDIR_OUT || r->op == AV_REDIR_CLOBBER ||
	        r->op == AV_REDIR_APPEND || r->op == AV_REDIR_OUT_ERR);
}

/* The path a command runs as a script or program: sh FILE, . FILE,
 * source FILE, ./FILE. NULL when it runs none. */
static const char *script_run(const struct av_command *c)
{
	if (c->argc == 0)
		return NULL;
	const char *n = av_shell_basename(c->argv[0]);
	if (av_shell_is_shell(n)) {
		struct av_sh_invocation inv;
		av_shell_sh_invocation(c->argv, c->argc, &inv);
		return inv.mode == AV_SH_SCRIPT ? inv.script : NULL;
	}
	if ((strcmp(n, ".") == 0 || strcmp(n, "source") == 0) && c->argc > 1)
		return c->argv[1];
	return strchr(c->argv[0], '/') ? c->argv[0] : NULL;
}

/* Literal text written to a file (echo/printf/cat <<EOF > FILE) is a
 * program when the same text later runs that file (sh FILE, ./FILE), or
 * when the file is a startup location (a git hook, a shell rc file): the
 * text is analysed one level deeper, under the command that runs it. */
static void resolve_written_scripts(struct sh *st)
{
	uint32_t n0 = st->out->ncmds;
	for (uint32_t i = 0; i < n0 && !st->stop; i++) {
		const struct av_command *c = &st->out->cmds[i];
		const struct av_redir *out = NULL;
		for (uint32_t k = 0; k < c->nredirs; k++)
			if (is_output_redir(&c->redirs[k]) && c->redirs[k].target &&
			    !strpbrk(c->redirs[k].target, "$`"))
				out = &c->redirs[k];
		if (!out)
			continue;
		const char *how;
		const char *text = literal_output(st, (int32_t)i, 0, &how);
		if (!text || !text[0])
			continue;
		const char *target = out->target;
		const char *rt = av_path_resolve(target, st->ctx, st->arena);
		if (!rt) {
			out_of_memory(st);
			return;
		}
		uint32_t depth = c->depth + 1;
		if (av_path_classify(rt, st->ctx) == AV_PATH_PERSISTENCE) {
			char what[96];
			snprintf(what, sizeof(what), "text written to %.60s, run later",
			         target);
			analyse_text(st, text, strlen(text), depth, (int32_t)i,
			             prov_at(st, what, depth));
			continue;
		}
		/* A build or CI file (Makefile, workflow, package.json): only
		 * its command parts run later; analyse those. */
		const char *cmds = NULL, *where = NULL;
		size_t clen = 0;
		int rl = av_runs_later_text(rt, text, strlen(text), st->arena, &cmds,
		                            &clen, &where);
		if (rl < 0) {
			out_of_memory(st);
			return;
		}
		if (rl > 0) {
			char what[112];
			snprintf(what, sizeof(what), "%s written to %.50s, run later",
			         where, target);
			analyse_text(st, cmds, clen, depth, (int32_t)i,
			             prov_at(st, what, depth));
			continue;
		}
		for (uint32_t j = i + 1; j < n0 && !st->stop; j++) {
			const char *run = script_run(&st->out->cmds[j]);
			if (!run)
				continue;
			const char *rr = av_path_resolve(run, st->ctx, st->arena);
			if (!rr || strcmp(rr, rt) != 0)
				continue;
			uint32_t d = st->out->cmds[j].depth + 1;
			analyse_text(
			        st, text, strlen(text), d, (int32_t)j,
			        prov_at(st, "script written earlier in this command", d));
			break;
		}
	}
}

/* ---- public entry and shared helpers ------------------------------------ */

const char *av_shell_basename(const char *argv0)
{
	const char *s = strrchr(argv0, '/');
	return s ? s + 1 : argv0;
}

bool av_shell_is_shell(const char *name)
{
	static const char *const shells[] = { "ash",  "bash", "csh",  "dash",
		                              "fish", "ksh",  "mksh", "rbash",
		                              "sh",   "tcsh", "zsh" };
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(name, shells[i]) == 0)
			return true;
	return false;
}

void av_shell_sh_invocation(const char *const *argv, uint32_t argc,
                            struct av_sh_invocation *out)
{
	bool has_c = false, has_s = false;
	uint32_t i = 1;
	while (i < argc) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0 || strcmp(a, "-") == 0) {
			i++;
			break;
		}
		if ((a[0] != '-' && a[0] != '+') || a[1] == '\0')
			break;
		if (a[0] == '-' && a[1] == '-') {
			if ((strcmp(a, "--rcfile") == 0 ||
			     strcmp(a, "--init-file") == 0) &&
			    i + 1 < argc)
				i++;
			i++;
			continue;
		}
		bool takes = false;
		for (size_t j = 1; a[j]; j++) {
			if (a[j] == 'c')
				has_c = true;
			else if (a[j] == 's')
				has_s = true;
			else if (a[j] == 'o' || a[j] == 'O')
				takes = true;
		}
		if (takes && i + 1 < argc)
			i++;
		i++;
	}
	out->code = NULL;
	out->script = NULL;
	if (has_c) {
		out->mode = AV_SH_INLINE;
		out->code = i < argc ? argv[i] : NULL;
	} else if (i < argc && !has_s) {
		out->mode = AV_SH_SCRIPT;
		out->script = argv[i];
	} else {
		out->mode = AV_SH_STDIN;
	}
}

int32_t av_shell_pipe_source(const struct av_shell_result *r, uint32_t i)
{
	const struct av_command *c = &r->cmds[i];
	if (c->pipe_index == 0)
		return -1;
	for (uint32_t j = i; j-- > 0;)
		if (r->cmds[j].pipeline == c->pipeline &&
		    r->cmds[j].pipe_index + 1 == c->pipe_index)
			return (int32_t)j;
	return -1;
}

int av_shell_analyze(const char *src, size_t len, const struct av_context *ctx,
                     struct av_arena *arena, struct av_shell_result *out,
                     struct av_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!src)
		len = 0;
	struct sh st = {
		.arena = arena,
		.ctx = ctx,
		.out = out,
		.budget = SH_EXPANSION_BUDGET,
	};
	struct sh_src p = { .s = src ? src : "", .len = len, .pos = 0 };
	struct sh_frame top = { .depth = 0, .parent = -1, .prov = NULL };
	parse_list(&st, &p, &top, false);
	if (!st.nomem)
		resolve_stdin_scripts(&st);
	if (!st.nomem)
		resolve_written_scripts(&st);
	if (!st.nomem)
		find_fork_bombs(&st);
	if (st.nomem)
		return av_error_set(
		        err, AV_E_NOMEM, "",
		        "the shell analysis ran out of memory (arena cap reached)");
	return 0;
}
