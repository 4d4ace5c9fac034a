/* sh_eval.c - the static evaluator (deobfuscator): walks the bash syntax
 * tree (sh_ast.h) the way bash would and lists every simple command that
 * would run, with its argv after expansion, its redirections, assignments,
 * depth, provenance and, where the analysis cannot follow, an opaque reason.
 * It implements av_shell_analyze (shell.h); docs/SHELL.md ("Evaluator")
 * describes what it resolves and its limits.
 *
 * The rule everywhere: never hide a command that would run and never
 * invent an argv bash would not compute. Values that depend on run-time
 * data are "unknown": a word that depends on one keeps its source text and,
 * in command position, makes the command opaque with a reason. Branches
 * whose condition is unknown are all analysed, and variables they change
 * become unknown afterwards. Every loop, recursion and expansion is bounded
 * by the limits below; hitting one sets result->truncated and stops. */
#include "agentvisor/shell.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/effects.h"
#include "sh_ast.h"
#include "sh_eval.h"
#include "sh_pure.h"
#include "sh_unwrap.h"
#include "shell_internal.h"

/* ---- limits and their names (docs/SHELL.md, "Evaluator") ---------------- */

#define EV_MAX_STEPS    (1u << 21)         /* nodes visited and expansions done */
#define EV_EXPANSION    ((size_t)16 << 20) /* bytes expansions may produce */
#define EV_MAX_LOOP     256u               /* iterations of one loop unrolled */
#define EV_MAX_CALLS    32u                /* nested function calls */
#define EV_MAX_VARS     1024u
#define EV_MAX_FUNCS    256u
#define EV_MAX_ALIASES  256u
#define EV_MAX_UNKNOWN  256   /* words with unknown parts remembered */
#define EV_MAX_BUSY     16    /* aliases expanding inside one another */
#define EV_MAX_FILES    64u   /* files written with known content */
#define EV_MAX_BRACE    4096u /* words one brace expansion may make */
#define EV_MAX_PURE_OUT ((size_t)1 << 20)
#define EV_CHUNK        ((size_t)64 << 10) /* parse unit for huge texts */

static const char lim_commands[] = "AV_SHELL_MAX_COMMANDS";
static const char lim_args[] = "AV_SHELL_MAX_ARGS";
static const char lim_depth[] = "AV_SHELL_MAX_DEPTH";
static const char lim_word[] = "AV_SHELL_MAX_WORD";
static const char lim_steps[] = "AV_SH_EVAL_MAX_STEPS";
static const char lim_expansion[] = "AV_SH_EVAL_MAX_EXPANSION";
static const char lim_loop[] = "AV_SH_EVAL_MAX_LOOP";
static const char lim_calls[] = "AV_SH_EVAL_MAX_CALLS";
static const char lim_vars[] = "AV_SH_EVAL_MAX_VARS";

/* ---- state ---------------------------------------------------------------- */

enum { VT_SCALAR = 0, VT_INDEXED, VT_ASSOC };
#define VA_EXPORT   0x01u
#define VA_INT      0x02u
#define VA_LOWER    0x04u
#define VA_UPPER    0x08u
#define VA_READONLY 0x10u
#define VA_LOCAL    0x20u
#define VA_NAMEREF  0x40u

/* One array element (a scalar is element 0). val NULL: unknown. Elements
 * are never changed in place: an array that changes gets a new element
 * vector, so a snapshot of the variable table is a shallow copy. */
struct ev_elem {
	int64_t idx;
	const char *key; /* associative arrays */
	const char *val;
};

struct ev_var {
	const char *name;
	uint8_t type;
	uint8_t attrs;
	bool unset;     /* known not to be set */
	bool unknown;   /* the whole value (or which elements exist) is unknown */
	uint32_t level; /* function call level of a local */
	const struct ev_elem *el;
	uint32_t nel;
	const char *how; /* the value came out of decoded text: how */
};

struct ev_func {
	const char *name;
	const struct av_sh_node *body;
	const char *src; /* the text the body points into */
	size_t srclen;
	bool top;
	bool bomb;
};

struct ev_alias {
	const char *name;
	const char *value;
	size_t active_from; /* offset in the top text; SIZE_MAX: pending */
};

struct ev_file {
	const char *path; /* resolved */
	const char *text; /* NULL: unknown content */
	const char *how;
};

/* Everything a subshell may change and its parent must not see. */
struct ev_scope {
	struct ev_var *vars;
	uint32_t nvars, vars_cap;
	struct ev_func *funcs;
	uint32_t nfuncs, funcs_cap;
	struct ev_alias *aliases;
	uint32_t naliases, aliases_cap;
	const char **pos; /* positional parameters $1... */
	uint32_t npos;
	bool pos_known;
	const char *arg0;
	size_t aliases_on_from; /* expand_aliases: SIZE_MAX off, SIZE_MAX-1 pending */
	size_t aliases_off_pending;
	bool errexit;          /* set -e */
	const char *exit_trap; /* trap '...' EXIT: runs when the shell ends */
	int32_t exit_trap_cmd;
};

/* Standard input as a command sees it. */
struct ev_in {
	const char *text; /* NULL: unknown */
	size_t len, pos;
	const char *how;  /* provenance of known text */
	const char *from; /* the command it is piped from, for reasons */
	bool file;        /* read from a file */
};

/* Standard output being captured (command substitution, pipe stage). */
struct ev_sink {
	char *buf;
	size_t len, cap;
	bool unknown;
	const char *how;
	const char *from; /* the last command that wrote to it */
};

/* Where commands go: their depth, wrapper, provenance, the text their
 * nodes point into. */
struct ev_frame {
	uint32_t depth;
	int32_t parent;
	const char *prov;
	const char *src;
	size_t srclen;
	bool top;            /* src is the top-level text: aliases apply */
	const char *decoded; /* the text run here came out of decoding: how */
};

enum ev_ctl { CTL_NONE = 0, CTL_BREAK, CTL_CONTINUE, CTL_RETURN, CTL_EXIT };

struct ev {
	struct av_arena *arena;
	const struct av_context *ctx;
	struct av_shell_result *out;
	uint32_t cmd_cap;
	struct ev_in **cmd_in; /* per command: its known standard input */
	uint32_t cmd_in_cap;
	struct ev_scope sc;
	struct ev_file files[EV_MAX_FILES];
	uint32_t nfiles;
	struct {
		const char *text; /* printed <(...) */
		const char *content;
	} procs[16];
	uint32_t nprocs;
	/* the current command context */
	struct ev_frame fr;
	struct ev_in *in;
	struct ev_sink *sink;
	uint32_t pipe_id;
	uint16_t pipe_index, pipe_len;
	bool in_pipe;
	bool bg;
	uint32_t uncertain; /* > 0: inside a branch that may not run */
	uint32_t calls;     /* function call depth */
	const char *stack[EV_MAX_CALLS];
	uint32_t loops;   /* loop nesting, for break/continue */
	uint32_t in_cond; /* > 0: in a condition, where set -e does not apply */
	enum ev_ctl ctl;
	uint32_t ctl_n;
	int status;
	bool status_known;
	const char *bomb; /* name of the fork-bomb function being shown */
	uint32_t next_pipeline;
	uint32_t steps;
	size_t budget;
	const char *how_last; /* provenance of the last command substitution */
	const struct ev_alias *busy[EV_MAX_BUSY]; /* aliases being expanded */
	uint32_t nbusy;
	const char *unk[EV_MAX_UNKNOWN]; /* words holding unknown parts */
	uint32_t nunk;
	bool unk_full;
	bool raw;              /* declare -n: assign the reference itself */
	bool namerefs;         /* some declare -n ran: lookups follow references */
	bool args_unknown;     /* the command being followed has unknown words */
	const char *next_arg0; /* $0 of the next new shell (sh -c CODE NAME) */
	const struct av_sh_node *root; /* the top-level list being run */
	bool extglob, nocasematch;
	bool nomem;
	bool stop;
};

/* ---- small helpers -------------------------------------------------------- */

static void ev_limit(struct ev *st, const char *name)
{
	if (!st->out->truncated)
		st->out->truncated = name;
	st->stop = true;
}

static void ev_nomem(struct ev *st)
{
	st->nomem = true;
	st->stop = true;
}

static bool ev_step(struct ev *st)
{
	if (st->stop)
		return false;
	if (++st->steps > EV_MAX_STEPS) {
		ev_limit(st, lim_steps);
		return false;
	}
	return true;
}

static bool ev_charge(struct ev *st, size_t n)
{
	if (n > st->budget) {
		ev_limit(st, lim_expansion);
		return false;
	}
	st->budget -= n;
	return true;
}

static char *ev_strndup(struct ev *st, const char *s, size_t n)
{
	char *r = av_arena_strndup(st->arena, s, n);
	if (!r)
		ev_nomem(st);
	return r;
}

static const char *ev_printf(struct ev *st, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static const char *ev_printf(struct ev *st, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(buf))
		return ev_strndup(st, buf, (size_t)n);
	if (!ev_charge(st, (size_t)n))
		return NULL;
	char *s = av_arena_alloc(st->arena, (size_t)n + 1);
	if (!s) {
		ev_nomem(st);
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static bool is_name0(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name(char c)
{
	return is_name0(c) || (c >= '0' && c <= '9');
}

static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || !is_name0(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_name(s[i]))
			return false;
	return true;
}

/* A growable byte buffer in the arena, capped by the expansion budget. */
struct ev_buf {
	char *s;
	size_t len, cap;
};

static bool buf_putn(struct ev *st, struct ev_buf *b, const char *s, size_t n)
{
	if (st->nomem)
		return false;
	if (b->len + n + 1 > b->cap) {
		if (b->len + n > AV_SHELL_MAX_WORD) {
			ev_limit(st, lim_word);
			return false;
		}
		size_t cap = b->cap ? b->cap * 2 : 32;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!ev_charge(st, cap - b->cap))
			return false;
		char *ns = av_arena_alloc(st->arena, cap);
		if (!ns) {
			ev_nomem(st);
			return false;
		}
		if (b->len)
			memcpy(ns, b->s, b->len);
		b->s = ns;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

static bool buf_putc(struct ev *st, struct ev_buf *b, char c)
{
	return buf_putn(st, b, &c, 1);
}

static const char *buf_str(struct ev *st, struct ev_buf *b)
{
	if (!b->s && !buf_putn(st, b, "", 0))
		return NULL;
	return b->s;
}

static const char *prov_at(struct ev *st, const char *what, uint32_t depth)
{
	return ev_printf(st, "%s at depth %u", what, depth);
}

/* The source text of a node when its offsets lie in the current text, else
 * its printed form: unknown parts are shown as they were written. */
static const char *node_text(struct ev *st, const struct av_sh_node *n)
{
	if (st->fr.src && n->end > n->start && n->end <= st->fr.srclen)
		return ev_strndup(st, st->fr.src + n->start, n->end - n->start);
	struct av_sh_node w = { .kind = AV_SH_WORD };
	struct av_sh_node part = *n;
	part.next = NULL;
	w.kids = &part;
	char *out = NULL;
	size_t len = 0;
	if (av_sh_print(n->kind >= AV_SH_WORD ? &w : n, st->arena, &out, &len) < 0) {
		ev_nomem(st);
		return NULL;
	}
	return out;
}

/* ---- variables ------------------------------------------------------------ */

static struct ev_var *var_find_raw(struct ev *st, const char *name, size_t n)
{
	for (uint32_t i = st->sc.nvars; i-- > 0;) {
		struct ev_var *v = &st->sc.vars[i];
		if (strlen(v->name) == n && memcmp(v->name, name, n) == 0)
			return v;
	}
	return NULL;
}

/* declare -n: a name that stands for another. Follows the chain (bounded)
 * and returns the name finally meant. */
static void resolve_ref(struct ev *st, const char **name, size_t *n)
{
	for (int hops = 0; hops < 8 && !st->raw && st->namerefs; hops++) {
		struct ev_var *v = var_find_raw(st, *name, *n);
		if (!v || !(v->attrs & VA_NAMEREF) || v->unknown || v->unset ||
		    v->nel == 0 || !v->el[0].val)
			return;
		const char *t = v->el[0].val;
		size_t tl = strlen(t);
		bool ok = tl > 0;
		for (size_t i = 0; i < tl && ok; i++)
			ok = is_name(t[i]) && (i > 0 || !(t[0] >= '0' && t[0] <= '9'));
		if (!ok)
			return;
		*name = t;
		*n = tl;
	}
}

static struct ev_var *var_find(struct ev *st, const char *name, size_t n)
{
	resolve_ref(st, &name, &n);
	return var_find_raw(st, name, n);
}

static struct ev_var *var_new(struct ev *st, const char *name, size_t n)
{
	struct ev_var *v = av_arena_push(st->arena, (void **)&st->sc.vars, &st->sc.nvars,
	                                 &st->sc.vars_cap, sizeof(*v), EV_MAX_VARS);
	if (!v) {
		if (st->sc.nvars >= EV_MAX_VARS)
			ev_limit(st, lim_vars);
		else
			ev_nomem(st);
		return NULL;
	}
	v->name = ev_strndup(st, name, n);
	v->unset = true;
	return v->name ? v : NULL;
}

/* The variable to assign NAME: the innermost visible one, or a new global. */
static struct ev_var *var_lookup_or_new(struct ev *st, const char *name, size_t n)
{
	resolve_ref(st, &name, &n);
	struct ev_var *v = var_find(st, name, n);
	return v ? v : var_new(st, name, n);
}

static const char *case_attr(struct ev *st, const struct ev_var *v, const char *val)
{
	if (!val || !(v->attrs & (VA_LOWER | VA_UPPER)))
		return val;
	char *s = ev_strndup(st, val, strlen(val));
	for (char *p = s; p && *p; p++) {
		if ((v->attrs & VA_UPPER) && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if ((v->attrs & VA_LOWER) && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	return s;
}

static const char *arith_value(struct ev *st, const char *expr);

static const char *ev_concat(struct ev *st, const char *a, const char *b)
{
	if (!a || !b)
		return NULL;
	size_t na = strlen(a), nb = strlen(b);
	if (!ev_charge(st, na + nb))
		return NULL;
	char *s = av_arena_alloc(st->arena, na + nb + 1);
	if (!s) {
		ev_nomem(st);
		return NULL;
	}
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

/* Sets element idx/key of v to val (NULL: unknown), copying the vector. */
static void var_set_elem(struct ev *st, struct ev_var *v, int64_t idx, const char *key,
                         const char *val, bool append)
{
	if (v->attrs & VA_READONLY)
		return;
	uint32_t at = v->nel;
	for (uint32_t i = 0; i < v->nel; i++)
		if (v->type == VT_ASSOC
		            ? (key && v->el[i].key && streq(key, v->el[i].key))
		            : v->el[i].idx == idx)
			at = i;
	if (append) {
		const char *old = at < v->nel ? v->el[at].val : "";
		if (v->attrs & VA_INT) {
			const char *e =
			        old && val ? ev_concat(st, ev_concat(st, old, "+0+"), val)
			                   : NULL;
			val = e ? arith_value(st, e) : NULL;
		} else if (!old || !val) {
			val = NULL;
		} else {
			val = ev_concat(st, old, val);
		}
	} else if (val && (v->attrs & VA_INT)) {
		val = arith_value(st, val);
	}
	val = case_attr(st, v, val);
	struct ev_elem *ne = av_arena_alloc(st->arena, sizeof(*ne) * (v->nel + 1));
	if (!ne) {
		ev_nomem(st);
		return;
	}
	if (v->nel)
		memcpy(ne, v->el, sizeof(*ne) * v->nel);
	if (at == v->nel) {
		ne[at].idx = idx;
		ne[at].key = key;
		v->nel++;
	}
	ne[at].val = val;
	v->el = ne;
	v->unset = false;
}

/* Assigns a scalar (element 0, or a new string for an unknown value). */
static void var_set(struct ev *st, const char *name, size_t n, const char *val,
                    bool append)
{
	struct ev_var *v = var_lookup_or_new(st, name, n);
	if (!v)
		return;
	if (v->attrs & VA_READONLY)
		return;
	v->how = NULL;
	if (v->unknown && !append) {
		/* a new value replaces what was unknown: element 0 only, other
		 * elements of an array stay unknown */
		if (v->type == VT_SCALAR) {
			v->unknown = false;
			v->el = NULL;
			v->nel = 0;
		}
	}
	if (v->type == VT_ASSOC)
		var_set_elem(st, v, 0, "0", val, append);
	else
		var_set_elem(st, v, 0, NULL, val, append);
}

/* Marks NAME unknown (read from run-time data, changed in a branch). */
static void var_set_unknown(struct ev *st, const char *name, size_t n)
{
	struct ev_var *v = var_lookup_or_new(st, name, n);
	if (!v || (v->attrs & VA_READONLY))
		return;
	v->how = NULL;
	v->unknown = true;
	v->unset = false;
	v->el = NULL;
	v->nel = 0;
}

static void var_unset(struct ev *st, const char *name, size_t n)
{
	struct ev_var *v = var_lookup_or_new(st, name, n);
	if (!v || (v->attrs & VA_READONLY))
		return;
	v->unset = true;
	v->unknown = false;
	v->el = NULL;
	v->nel = 0;
	v->type = VT_SCALAR;
	v->attrs &= VA_LOCAL;
}

/* True when a variable the text never assigned may come from the
 * environment. Environment names are upper case by convention; the few
 * lower-case ones in common use are listed. Any other name is unset, as it
 * is in the shell an agent's command runs in: `${x:-rm}` is `rm`. */
static bool env_name(const char *name, size_t n)
{
	static const char *const lower[] = { "http_proxy", "https_proxy", "ftp_proxy",
		                             "no_proxy",   "all_proxy",   "rsync_proxy" };
	bool upper = true;
	for (size_t i = 0; i < n && upper; i++)
		upper = !(name[i] >= 'a' && name[i] <= 'z');
	if (upper)
		return true;
	for (size_t i = 0; i < sizeof(lower) / sizeof(lower[0]); i++)
		if (strlen(lower[i]) == n && memcmp(lower[i], name, n) == 0)
			return true;
	return false;
}

/* Looks up element idx (or key) of NAME. Returns 0 and sets *val (NULL when
 * unset), or 1 when the value is unknown. */
static int var_get(struct ev *st, const char *name, size_t n, int64_t idx,
                   const char *key, const char **val)
{
	*val = NULL;
	struct ev_var *v = var_find(st, name, n);
	if (!v)
		return env_name(name, n) ? 1 : 0;
	if (v->unset)
		return 0;
	for (uint32_t i = 0; i < v->nel; i++) {
		bool hit = v->type == VT_ASSOC
		                   ? (key && v->el[i].key && streq(key, v->el[i].key))
		                   : v->el[i].idx == idx;
		if (hit) {
			*val = v->el[i].val;
			return *val ? 0 : 1;
		}
	}
	return v->unknown ? 1 : 0;
}

static int64_t elem_cmp_idx(const struct ev_elem *a, const struct ev_elem *b)
{
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The elements of an array in bash's order (indexed: by index; assoc: in
 * insertion order, which is not bash's hash order: callers treat more than
 * one associative element as unknown order). Returns the count or -1 when
 * unknown. */
static int64_t var_elems(struct ev *st, const char *name, size_t n,
                         const struct ev_elem **out)
{
	*out = NULL;
	struct ev_var *v = var_find(st, name, n);
	if (!v || v->unknown)
		return -1;
	if (v->unset || v->nel == 0)
		return 0;
	for (uint32_t i = 0; i < v->nel; i++)
		if (!v->el[i].val)
			return -1;
	if (v->type == VT_ASSOC && v->nel > 1)
		return -1;
	struct ev_elem *e = av_arena_alloc(st->arena, sizeof(*e) * v->nel);
	if (!e) {
		ev_nomem(st);
		return -1;
	}
	memcpy(e, v->el, sizeof(*e) * v->nel);
	/* insertion sort: arrays here are small */
	for (uint32_t i = 1; i < v->nel; i++)
		for (uint32_t j = i; j > 0 && elem_cmp_idx(&e[j - 1], &e[j]) > 0; j--) {
			struct ev_elem t = e[j];
			e[j] = e[j - 1];
			e[j - 1] = t;
		}
	*out = e;
	return v->nel;
}

/* ---- subshells and branches: copies of the scope ------------------------ */

static void scope_copy(struct ev *st, struct ev_scope *dst, const struct ev_scope *src)
{
	*dst = *src;
	dst->vars = NULL;
	dst->funcs = NULL;
	dst->aliases = NULL;
	dst->vars_cap = src->nvars;
	dst->funcs_cap = src->nfuncs;
	dst->aliases_cap = src->naliases;
	if (src->nvars) {
		dst->vars = av_arena_alloc(st->arena, sizeof(*dst->vars) * src->nvars);
		if (!dst->vars)
			goto nomem;
		memcpy(dst->vars, src->vars, sizeof(*dst->vars) * src->nvars);
	}
	if (src->nfuncs) {
		dst->funcs = av_arena_alloc(st->arena, sizeof(*dst->funcs) * src->nfuncs);
		if (!dst->funcs)
			goto nomem;
		memcpy(dst->funcs, src->funcs, sizeof(*dst->funcs) * src->nfuncs);
	}
	if (src->naliases) {
		dst->aliases =
		        av_arena_alloc(st->arena, sizeof(*dst->aliases) * src->naliases);
		if (!dst->aliases)
			goto nomem;
		memcpy(dst->aliases, src->aliases, sizeof(*dst->aliases) * src->naliases);
	}
	return;
nomem:
	ev_nomem(st);
	dst->nvars = dst->nfuncs = dst->naliases = 0;
}

static bool elems_equal(const struct ev_var *a, const struct ev_var *b)
{
	if (a->type != b->type || a->unset != b->unset || a->unknown != b->unknown ||
	    a->nel != b->nel || a->attrs != b->attrs)
		return false;
	if (a->el == b->el)
		return true;
	for (uint32_t i = 0; i < a->nel; i++) {
		const struct ev_elem *x = &a->el[i], *y = &b->el[i];
		if (x->idx != y->idx || !x->val != !y->val)
			return false;
		if (x->val && strcmp(x->val, y->val) != 0)
			return false;
		if (!x->key != !y->key || (x->key && strcmp(x->key, y->key) != 0))
			return false;
	}
	return true;
}

static struct ev_var *scope_var(struct ev_scope *s, const char *name)
{
	for (uint32_t i = s->nvars; i-- > 0;)
		if (streq(s->vars[i].name, name))
			return &s->vars[i];
	return NULL;
}

/* The current scope becomes what either the current one or OTHER (another
 * way the same code may have gone) allows: a variable that differs is
 * unknown; functions and aliases of both are kept. */
static void scope_merge(struct ev *st, struct ev_scope *other)
{
	for (uint32_t i = 0; i < st->sc.nvars; i++) {
		struct ev_var *v = &st->sc.vars[i];
		struct ev_var *o = scope_var(other, v->name);
		if (!o || !elems_equal(v, o)) {
			v->unknown = true;
			v->unset = false;
			v->el = NULL;
			v->nel = 0;
		}
	}
	for (uint32_t i = 0; i < other->nvars && !st->stop; i++) {
		if (!var_find(st, other->vars[i].name, strlen(other->vars[i].name))) {
			struct ev_var *v = var_new(st, other->vars[i].name,
			                           strlen(other->vars[i].name));
			if (v) {
				v->unknown = true;
				v->unset = false;
			}
		}
	}
	for (uint32_t i = 0; i < other->nfuncs; i++) {
		bool have = false;
		for (uint32_t j = 0; j < st->sc.nfuncs; j++)
			have |= streq(st->sc.funcs[j].name, other->funcs[i].name);
		if (!have) {
			struct ev_func *f = av_arena_push(
			        st->arena, (void **)&st->sc.funcs, &st->sc.nfuncs,
			        &st->sc.funcs_cap, sizeof(*f), EV_MAX_FUNCS);
			if (f)
				*f = other->funcs[i];
		}
	}
	if (!st->sc.pos_known || !other->pos_known || st->sc.npos != other->npos)
		st->sc.pos_known = false;
	else
		for (uint32_t i = 0; i < st->sc.npos; i++)
			if (strcmp(st->sc.pos[i], other->pos[i]) != 0)
				st->sc.pos_known = false;
}

/* ---- output commands ------------------------------------------------------ */

static int32_t add_cmd(struct ev *st, const struct av_command *proto, struct ev_in *in)
{
	if (st->stop)
		return -1;
	if (st->out->ncmds >= AV_SHELL_MAX_COMMANDS) {
		ev_limit(st, lim_commands);
		return -1;
	}
	struct av_command *c =
	        av_arena_push(st->arena, (void **)&st->out->cmds, &st->out->ncmds,
	                      &st->cmd_cap, sizeof(*c), AV_SHELL_MAX_COMMANDS);
	if (!c) {
		ev_nomem(st);
		return -1;
	}
	*c = *proto;
	uint32_t i = st->out->ncmds - 1;
	if (i >= st->cmd_in_cap) {
		uint32_t cap = st->cmd_in_cap ? st->cmd_in_cap * 2 : 16;
		struct ev_in **n = av_arena_alloc(st->arena, sizeof(*n) * cap);
		if (!n) {
			ev_nomem(st);
			return -1;
		}
		if (st->cmd_in_cap)
			memcpy(n, st->cmd_in, sizeof(*n) * st->cmd_in_cap);
		st->cmd_in = n;
		st->cmd_in_cap = cap;
	}
	st->cmd_in[i] = in;
	return (int32_t)i;
}

/* A command at the current position: depth, parent, provenance, pipeline
 * place and background come from the evaluator's state. */
static void cmd_proto(struct ev *st, struct av_command *c)
{
	memset(c, 0, sizeof(*c));
	c->depth = st->fr.depth;
	c->parent = st->fr.parent;
	c->provenance = st->fr.prov;
	c->background = st->bg;
	if (st->in_pipe) {
		c->pipeline = st->pipe_id;
		c->pipe_index = st->pipe_index;
		c->pipe_len = st->pipe_len;
	} else {
		c->pipeline = st->next_pipeline++;
		c->pipe_index = 0;
		c->pipe_len = 1;
	}
}

/* ---- word expansion ------------------------------------------------------- */

/* One field of an expanded word. pat is the same text as a glob pattern:
 * quoted characters are escaped with a backslash. */
struct ev_field {
	const char *s;
	const char *pat;
	bool unknown; /* holds source text of a part whose value is unknown */
	bool glob;    /* holds an unquoted glob character */
};

enum { FS_START = 0, FS_IN, FS_AFTER_WS, FS_AFTER_NWS };

enum ev_wmode {
	WM_FIELDS = 0, /* command words: split, glob (command position only) */
	WM_STRING,     /* one string: assignments, redirections, here-strings */
	WM_HEREDOC,    /* here-document body: unknown parts stay as text */
};

struct wb {
	struct ev_buf cur, pat;
	bool cur_unknown, cur_glob;
	int state;
	struct ev_field *f;
	uint32_t nf, fcap;
	bool split;         /* unquoted expansions are split by IFS */
	uint32_t lit_split; /* > 0: unquoted literals of an operand split too */
	bool any_unknown;
	const char *why; /* the first unknown part's reason */
	const char *how; /* provenance of decoded text used in the word */
};

static bool pat_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '(' ||
	       c == ')' || c == '|' || c == '!' || c == '+' || c == '@' || c == '&';
}

static void wb_emit(struct ev *st, struct wb *w)
{
	struct ev_field *f = av_arena_push(st->arena, (void **)&w->f, &w->nf, &w->fcap,
	                                   sizeof(*f), AV_SHELL_MAX_ARGS);
	if (!f) {
		if (w->nf >= AV_SHELL_MAX_ARGS)
			ev_limit(st, lim_args);
		else
			ev_nomem(st);
		return;
	}
	f->s = buf_str(st, &w->cur);
	f->pat = buf_str(st, &w->pat);
	f->unknown = w->cur_unknown;
	f->glob = w->cur_glob;
	memset(&w->cur, 0, sizeof(w->cur));
	memset(&w->pat, 0, sizeof(w->pat));
	w->cur_unknown = w->cur_glob = false;
}

/* Appends text that is not split: quoted text, or unquoted literal text of
 * the source (whose glob characters come as separate GLOB parts). */
static void wb_lit(struct ev *st, struct wb *w, const char *s, size_t n, bool quoted)
{
	w->state = FS_IN;
	buf_putn(st, &w->cur, s, n);
	if (!quoted) {
		buf_putn(st, &w->pat, s, n);
		return;
	}
	/* runs of plain bytes are copied at once */
	for (size_t i = 0; i < n && !st->stop;) {
		size_t j = i;
		while (j < n && !pat_special(s[j]))
			j++;
		buf_putn(st, &w->pat, s + i, j - i);
		if (j < n) {
			char e[2] = { '\\', s[j] };
			buf_putn(st, &w->pat, e, 2);
			j++;
		}
		i = j;
	}
}

static void wb_glob(struct ev *st, struct wb *w, const char *s, size_t n)
{
	w->state = FS_IN;
	w->cur_glob = true;
	buf_putn(st, &w->cur, s, n);
	buf_putn(st, &w->pat, s, n);
}

static void wb_unknown(struct ev *st, struct wb *w, const char *text, const char *why)
{
	if (!text)
		return;
	wb_lit(st, w, text, strlen(text), true);
	w->cur_unknown = true;
	w->any_unknown = true;
	if (!w->why)
		w->why = why;
}

/* IFS as the split sees it: NULL when unknown. */
static const char *ifs_value(struct ev *st)
{
	const char *v;
	if (var_get(st, "IFS", 3, 0, NULL, &v) != 0)
		return NULL;
	struct ev_var *var = var_find(st, "IFS", 3);
	if (!var || var->unset)
		return " \t\n";
	return v ? v : "";
}

static bool ifs_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Appends the value of an expansion. Unquoted in a splitting word, it is
 * split by IFS and its glob characters are live, as bash does. */
static void wb_value(struct ev *st, struct wb *w, const char *v, bool quoted)
{
	size_t n = strlen(v);
	if (quoted || !w->split) {
		wb_lit(st, w, v, n, true);
		return;
	}
	const char *ifs = ifs_value(st);
	if (!ifs) {
		if (n == 0)
			return;
		wb_unknown(st, w, v,
		           "IFS is set at run time, so how words split is unknown");
		return;
	}
	bool sep[256] = { false };
	for (const char *p = ifs; *p; p++)
		sep[(unsigned char)*p] = true;
	for (size_t i = 0; i < n && !st->stop; i++) {
		char c = v[i];
		if (!sep[(unsigned char)c]) {
			/* a run of bytes that do not split */
			size_t j = i;
			while (j < n && !sep[(unsigned char)v[j]])
				j++;
			w->state = FS_IN;
			buf_putn(st, &w->cur, v + i, j - i);
			buf_putn(st, &w->pat, v + i, j - i);
			for (size_t k = i; k < j && !w->cur_glob; k++)
				w->cur_glob = v[k] == '*' || v[k] == '?' || v[k] == '[';
			i = j - 1;
			continue;
		}
		{
			bool ws = ifs_ws(c);
			switch (w->state) {
			case FS_IN:
				wb_emit(st, w);
				w->state = ws ? FS_AFTER_WS : FS_AFTER_NWS;
				break;
			case FS_START:
				if (!ws) {
					wb_emit(st, w);
					w->state = FS_AFTER_NWS;
				}
				break;
			case FS_AFTER_WS:
				if (!ws)
					w->state = FS_AFTER_NWS;
				break;
			case FS_AFTER_NWS:
				if (!ws)
					wb_emit(st, w);
				break;
			}
		}
	}
}

/* Ends a field between two values of "$@" / "${a[@]}". */
static void wb_break(struct ev *st, struct wb *w, bool quoted)
{
	if (quoted) {
		wb_emit(st, w);
		w->state = FS_IN;
	} else if (w->state == FS_IN) {
		wb_emit(st, w);
		w->state = FS_AFTER_WS;
	}
}

static void wb_finish(struct ev *st, struct wb *w)
{
	if (w->state == FS_IN)
		wb_emit(st, w);
}

static void expand_parts(struct ev *st, struct wb *w, const struct av_sh_node *part,
                         bool quoted, enum ev_wmode mode);
static const char *run_cmdsub(struct ev *st, const struct av_sh_node *list, bool keep_nl,
                              const char **how);
static const char *file_text(struct ev *st, const char *path, const char **how);

/* Expands a WORD to one string (no splitting, no globbing). Returns NULL
 * when unknown (sets *why), else the string. pattern: the glob-pattern form. */
static const char *expand_string(struct ev *st, const struct av_sh_node *word,
                                 bool pattern, const char **why)
{
	struct wb w = { .split = false };
	if (why)
		*why = NULL;
	if (!word)
		return "";
	expand_parts(st, &w, word->kids, false, WM_STRING);
	if (w.any_unknown) {
		if (why)
			*why = w.why;
		return NULL;
	}
	if (w.how)
		st->how_last = w.how;
	const char *r = pattern ? buf_str(st, &w.pat) : buf_str(st, &w.cur);
	/* "$@" with several values joins them with spaces in a string */
	for (uint32_t i = w.nf; i-- > 0 && r;) {
		const char *fs = pattern ? w.f[i].pat : w.f[i].s;
		r = ev_concat(st, ev_concat(st, fs, " "), r);
	}
	return r;
}

/* ---- arithmetic ----------------------------------------------------------- */

static int arith_get(void *ctx, const char *name, size_t n, int64_t index,
                     const char **val, size_t *vlen)
{
	struct ev *st = ctx;
	const char *v = NULL;
	char key[32];
	snprintf(key, sizeof(key), "%lld", (long long)(index < 0 ? 0 : index));
	if (var_get(st, name, n, index < 0 ? 0 : index, key, &v) != 0)
		return 1;
	*val = v;
	*vlen = v ? strlen(v) : 0;
	return 0;
}

static int arith_set(void *ctx, const char *name, size_t n, int64_t index, int64_t value)
{
	struct ev *st = ctx;
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)value);
	const char *s = ev_strndup(st, buf, strlen(buf));
	struct ev_var *v = var_lookup_or_new(st, name, n);
	if (!v || !s)
		return 1;
	if (index < 0 || v->type == VT_SCALAR) {
		if (index > 0 && v->type == VT_SCALAR)
			v->type = VT_INDEXED;
		var_set_elem(st, v, index < 0 ? 0 : index,
		             v->type == VT_ASSOC ? "0" : NULL, s, false);
	} else {
		var_set_elem(st, v, index, NULL, s, false);
	}
	return 0;
}

/* Evaluates an arithmetic text; returns its decimal value, or NULL when
 * unknown or an error (bash aborts the command on an error). */
static const char *arith_value(struct ev *st, const char *expr)
{
	if (!expr)
		return NULL;
	struct av_sh_arith_vars vars = { .ctx = st, .get = arith_get, .set = arith_set };
	uint32_t steps = 100000;
	struct av_sh_arith_result r;
	memset(&r, 0, sizeof(r));
	enum av_sh_pure_status s =
	        av_sh_arith_eval(expr, strlen(expr), &vars, &steps, &r);
	st->steps += 100000 - steps;
	if (s == AV_SH_PURE_LIMIT) {
		ev_limit(st, lim_steps);
		return NULL;
	}
	if (s != AV_SH_PURE_OK || r.error)
		return NULL;
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)r.value);
	return ev_strndup(st, buf, strlen(buf));
}

static bool parse_int(const char *s, int64_t *out)
{
	if (!s || !*s)
		return false;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end)
		return false;
	*out = v;
	return true;
}

/* ---- parameter expansion -------------------------------------------------- */

enum { PV_UNSET = 0, PV_STR, PV_LIST, PV_UNKNOWN };

struct pval {
	int kind;
	const char *s;
	const char **list;
	uint32_t n;
	bool star; /* $* / ${a[*]}: joined when quoted */
	const char *why;
	const char *how; /* decoded text the value came from */
};

static void pv_unknown(struct pval *p, const char *why)
{
	p->kind = PV_UNKNOWN;
	p->why = why;
}

static bool is_all_word(const struct av_sh_node *sub, char *which)
{
	const struct av_sh_node *w = sub ? sub->kids : NULL;
	if (!w || !w->kids || w->kids->next)
		return false;
	const struct av_sh_node *p = w->kids;
	if ((p->kind == AV_SH_LIT || p->kind == AV_SH_GLOB) && p->len == 1 &&
	    (p->text[0] == '@' || p->text[0] == '*')) {
		*which = p->text[0];
		return true;
	}
	return false;
}

/* Names whose value bash computes on every use. */
static bool dynamic_name(const char *n, size_t len)
{
	static const char *const names[] = {
		"RANDOM",   "SRANDOM",      "SECONDS",       "LINENO",
		"BASHPID",  "EPOCHSECONDS", "EPOCHREALTIME", "BASH_COMMAND",
		"FUNCNAME", "PIPESTATUS",   "BASH_SUBSHELL", "PPID"
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(names[i], n, len) == 0)
			return true;
	return false;
}

static void base_value(struct ev *st, const char *name, size_t nlen,
                       const struct av_sh_node *sub, struct pval *pv)
{
	memset(pv, 0, sizeof(*pv));
	char c = nlen ? name[0] : 0;
	if (nlen == 1 && (c == '@' || c == '*')) {
		if (!st->sc.pos_known) {
			pv_unknown(pv, "the positional parameters are set at run time");
			return;
		}
		pv->kind = PV_LIST;
		pv->list = st->sc.pos;
		pv->n = st->sc.npos;
		pv->star = c == '*';
		return;
	}
	if (nlen == 1 && c == '#') {
		if (!st->sc.pos_known) {
			pv_unknown(pv, "the positional parameters are set at run time");
			return;
		}
		pv->kind = PV_STR;
		pv->s = ev_printf(st, "%u", st->sc.npos);
		return;
	}
	if (nlen == 1 && c == '?') {
		if (!st->status_known) {
			pv_unknown(pv, "the exit status is known only at run time");
			return;
		}
		pv->kind = PV_STR;
		pv->s = ev_printf(st, "%d", st->status);
		return;
	}
	if (nlen == 1 && c == '0') {
		if (!st->sc.arg0) {
			pv_unknown(pv, "$0 is set at run time");
			return;
		}
		pv->kind = PV_STR;
		pv->s = st->sc.arg0;
		return;
	}
	if (c >= '0' && c <= '9') {
		if (!st->sc.pos_known) {
			pv_unknown(pv, "the positional parameters are set at run time");
			return;
		}
		int64_t k = 0;
		for (size_t i = 0; i < nlen && k < 100000; i++)
			k = k * 10 + (name[i] - '0');
		if (k >= 1 && (uint64_t)k <= st->sc.npos) {
			pv->kind = PV_STR;
			pv->s = st->sc.pos[k - 1];
		}
		return;
	}
	if (!is_name0(c)) {
		pv_unknown(pv, "a special parameter set at run time");
		return;
	}
	if (dynamic_name(name, nlen) && !var_find(st, name, nlen)) {
		pv_unknown(pv, "a variable bash computes at run time");
		return;
	}
	struct ev_var *v = var_find(st, name, nlen);
	char all = 0;
	if (sub && is_all_word(sub, &all)) {
		const struct ev_elem *e;
		int64_t n = var_elems(st, name, nlen, &e);
		if (n < 0) {
			pv_unknown(pv, "the array is set at run time");
			return;
		}
		pv->kind = PV_LIST;
		pv->star = all == '*';
		pv->n = (uint32_t)n;
		pv->list = av_arena_alloc(st->arena, sizeof(char *) * ((size_t)n + 1));
		if (!pv->list) {
			ev_nomem(st);
			pv_unknown(pv, "out of memory");
			return;
		}
		for (int64_t i = 0; i < n; i++)
			pv->list[i] = e[i].val;
		return;
	}
	int64_t idx = 0;
	const char *key = "0";
	if (sub) {
		const char *why;
		const char *s = expand_string(st, sub->kids, false, &why);
		if (!s) {
			pv_unknown(pv, why);
			return;
		}
		if (v && v->type == VT_ASSOC) {
			key = s;
		} else {
			const char *a = arith_value(st, s);
			if (!a || !parse_int(a, &idx)) {
				pv_unknown(pv, "an array index computed at run time");
				return;
			}
			if (idx < 0 && v && !v->unknown) {
				int64_t max = -1;
				for (uint32_t i = 0; i < v->nel; i++)
					if (v->el[i].idx > max)
						max = v->el[i].idx;
				idx += max + 1;
			}
			key = ev_printf(st, "%lld", (long long)idx);
		}
	}
	const char *val;
	if (var_get(st, name, nlen, idx, key, &val) != 0) {
		pv_unknown(pv, ev_printf(st, "$%.*s is set at run time",
		                         (int)(nlen > 60 ? 60 : nlen), name));
		return;
	}
	if (val) {
		pv->kind = PV_STR;
		pv->s = val;
		pv->how = v ? v->how : NULL;
	}
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static unsigned pat_flags(struct ev *st);

/* Applies one string operator to s; NULL when the result is unknown. */
static const char *apply_op(struct ev *st, const struct av_sh_node *node,
                            const struct av_sh_node *opnd, const char *s)
{
	uint32_t steps = 200000;
	unsigned fl = pat_flags(st);
	switch (node->op) {
	case AV_SH_P_RM_SPREFIX:
	case AV_SH_P_RM_LPREFIX:
	case AV_SH_P_RM_SSUFFIX:
	case AV_SH_P_RM_LSUFFIX: {
		const char *pat = expand_string(st, opnd, true, NULL);
		if (!pat)
			return NULL;
		bool longest =
		        node->op == AV_SH_P_RM_LPREFIX || node->op == AV_SH_P_RM_LSUFFIX;
		fl &= ~AV_SH_PAT_NOCASE; /* nocasematch does not apply to # and % */
		size_t n = strlen(s);
		if (node->op == AV_SH_P_RM_SPREFIX || node->op == AV_SH_P_RM_LPREFIX) {
			int64_t m = av_sh_pattern_prefix(pat, strlen(pat), s, n, longest,
			                                 fl, &steps);
			if (steps == 0)
				return NULL;
			return m < 0 ? s : s + m;
		}
		int64_t m =
		        av_sh_pattern_suffix(pat, strlen(pat), s, n, longest, fl, &steps);
		if (steps == 0)
			return NULL;
		return m < 0 ? s : ev_strndup(st, s, n - (size_t)m);
	}
	case AV_SH_P_REPL:
	case AV_SH_P_REPL_ALL:
	case AV_SH_P_REPL_PREFIX:
	case AV_SH_P_REPL_SUFFIX: {
		const char *pat = expand_string(st, opnd, true, NULL);
		const char *rep = opnd && opnd->next
		                          ? expand_string(st, opnd->next, true, NULL)
		                          : "";
		if (!pat || !rep)
			return NULL;
		size_t n = strlen(s), pl = strlen(pat);
		struct ev_buf b = { 0 };
		size_t from = 0;
		bool any = false;
		while (from <= n && !st->stop) {
			size_t at = 0, ml = 0;
			bool hit;
			if (node->op == AV_SH_P_REPL_PREFIX) {
				int64_t m =
				        from == 0 ? av_sh_pattern_prefix(pat, pl, s, n,
				                                         true, fl, &steps)
				                  : -1;
				hit = m >= 0;
				ml = hit ? (size_t)m : 0;
			} else if (node->op == AV_SH_P_REPL_SUFFIX) {
				int64_t m =
				        from == 0 ? av_sh_pattern_suffix(pat, pl, s, n,
				                                         true, fl, &steps)
				                  : -1;
				hit = m >= 0;
				at = hit ? n - (size_t)m : 0;
				ml = hit ? (size_t)m : 0;
			} else {
				hit = pl > 0 && av_sh_pattern_find(pat, pl, s, n, from,
				                                   fl, &steps, &at, &ml);
			}
			if (steps == 0)
				return NULL;
			if (!hit)
				break;
			any = true;
			buf_putn(st, &b, s + from, at - from);
			for (const char *r = rep; *r; r++) {
				if (*r == '\\' && r[1])
					buf_putc(st, &b, *++r);
				else if (*r == '&')
					buf_putn(st, &b, s + at, ml);
				else
					buf_putc(st, &b, *r);
			}
			from = at + ml;
			if (node->op != AV_SH_P_REPL_ALL)
				break;
			if (ml == 0) {
				if (at < n)
					buf_putc(st, &b, s[at]);
				from = at + 1;
			}
		}
		if (!any)
			return s;
		if (from < n)
			buf_putn(st, &b, s + from, n - from);
		return buf_str(st, &b);
	}
	case AV_SH_P_UPPER1:
	case AV_SH_P_UPPER:
	case AV_SH_P_LOWER1:
	case AV_SH_P_LOWER: {
		if (!ascii(s))
			return NULL;
		const char *pat = opnd ? expand_string(st, opnd, true, NULL) : NULL;
		if (opnd && !pat)
			return NULL;
		bool up = node->op == AV_SH_P_UPPER1 || node->op == AV_SH_P_UPPER;
		bool all = node->op == AV_SH_P_UPPER || node->op == AV_SH_P_LOWER;
		char *r = ev_strndup(st, s, strlen(s));
		for (size_t i = 0; r && r[i]; i++) {
			if (!all && i > 0)
				break;
			if (pat && pat[0] &&
			    !av_sh_pattern_match(pat, strlen(pat), r + i, 1, fl, &steps))
				continue;
			if (up && r[i] >= 'a' && r[i] <= 'z')
				r[i] = (char)(r[i] - 'a' + 'A');
			else if (!up && r[i] >= 'A' && r[i] <= 'Z')
				r[i] = (char)(r[i] - 'A' + 'a');
		}
		return r;
	}
	case AV_SH_P_SUBSTR: {
		if (!ascii(s))
			return NULL;
		const char *o = expand_string(st, opnd, false, NULL);
		const char *off = o ? arith_value(st, o) : NULL;
		int64_t ov, lv = 0, n = (int64_t)strlen(s);
		if (!off || !parse_int(off, &ov))
			return NULL;
		bool has_len = opnd && opnd->next;
		if (has_len) {
			const char *l = expand_string(st, opnd->next, false, NULL);
			const char *lvs = l ? arith_value(st, l) : NULL;
			if (!lvs || !parse_int(lvs, &lv))
				return NULL;
		}
		if (ov < 0)
			ov += n;
		if (ov < 0 || ov > n)
			return "";
		int64_t end = n;
		if (has_len)
			end = lv < 0 ? n + lv : ov + lv;
		if (end > n)
			end = n;
		if (end < ov)
			return has_len && lv < 0 ? NULL : "";
		return ev_strndup(st, s + ov, (size_t)(end - ov));
	}
	case AV_SH_P_TRANSFORM:
		switch (node->num) {
		case 'Q': {
			struct ev_buf b = { 0 };
			buf_putc(st, &b, '\'');
			for (const char *p = s; *p; p++) {
				if (*p == '\'')
					buf_putn(st, &b, "'\\''", 4);
				else
					buf_putc(st, &b, *p);
			}
			buf_putc(st, &b, '\'');
			return buf_str(st, &b);
		}
		case 'U':
		case 'L':
		case 'u': {
			if (!ascii(s))
				return NULL;
			char *r = ev_strndup(st, s, strlen(s));
			for (size_t i = 0; r && r[i]; i++) {
				if (node->num == 'u' && i > 0)
					break;
				if (node->num != 'L' && r[i] >= 'a' && r[i] <= 'z')
					r[i] = (char)(r[i] - 'a' + 'A');
				else if (node->num == 'L' && r[i] >= 'A' && r[i] <= 'Z')
					r[i] = (char)(r[i] - 'A' + 'a');
			}
			return r;
		}
		case 'E': {
			const char *argv[] = { "printf", "%b", s };
			struct av_sh_pure_io io = { .in_known = true,
				                    .max_out = EV_MAX_PURE_OUT };
			if (strchr(s, 'c') && strstr(s, "\\c"))
				return NULL;
			if (av_sh_pure_run(argv, 3, st->arena, &io) != AV_SH_PURE_OK)
				return NULL;
			return ev_strndup(st, io.out, strnlen(io.out, io.outlen));
		}
		case 'P':
			return strpbrk(s, "\\$`") ? NULL : s;
		default:
			return NULL;
		}
	default:
		return NULL;
	}
}

static bool pv_null(const struct pval *p, bool colon)
{
	if (p->kind == PV_UNSET)
		return true;
	if (!colon)
		return false;
	if (p->kind == PV_STR)
		return p->s[0] == '\0';
	if (p->kind == PV_LIST)
		return p->n == 0 || (p->n == 1 && p->list[0][0] == '\0');
	return false;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ${@:off:len} and ${a[@]:off:len} select values, not characters. */
static void slice_list(struct ev *st, const struct av_sh_node *node,
                       const struct av_sh_node *sub, const struct av_sh_node *opnd,
                       struct pval *pv)
{
	const char **l = pv->list;
	int64_t n = pv->n;
	bool posn =
	        !sub && node->len == 1 && (node->text[0] == '@' || node->text[0] == '*');
	if (!sub && !posn) {
		pv_unknown(pv, "an expansion the evaluator does not model");
		return;
	}
	if (sub) {
		const struct ev_elem *e;
		int64_t k = var_elems(st, node->text, node->len, &e);
		for (int64_t i = 0; i < k; i++)
			if (e[i].idx != i) {
				pv_unknown(pv, "a slice of a sparse array");
				return;
			}
	}
	const char *o = expand_string(st, opnd, false, NULL);
	const char *ov = o ? arith_value(st, o) : NULL;
	int64_t off, len = -1;
	if (!ov || !parse_int(ov, &off)) {
		pv_unknown(pv, "an offset known only at run time");
		return;
	}
	if (opnd && opnd->next) {
		const char *ls = expand_string(st, opnd->next, false, NULL);
		const char *lv = ls ? arith_value(st, ls) : NULL;
		if (!lv || !parse_int(lv, &len) || len < 0) {
			pv_unknown(pv, "a length known only at run time");
			return;
		}
	}
	int64_t total = posn ? n + 1 : n; /* $@ counts $0 at offset 0 */
	if (off < 0)
		off += total;
	const char **r = av_arena_alloc(st->arena, sizeof(char *) * ((size_t)total + 1));
	if (!r) {
		ev_nomem(st);
		pv_unknown(pv, "out of memory");
		return;
	}
	uint32_t k = 0;
	for (int64_t i = off < 0 ? total : off; i < total && (len < 0 || k < len); i++) {
		if (posn && i == 0) {
			if (!st->sc.arg0) {
				pv_unknown(pv, "$0 is set at run time");
				return;
			}
			r[k++] = st->sc.arg0;
			continue;
		}
		r[k++] = l[posn ? i - 1 : i];
	}
	pv->list = r;
	pv->n = k;
}

static void expand_param(struct ev *st, struct wb *w, const struct av_sh_node *node,
                         bool quoted, enum ev_wmode mode)
{
	const struct av_sh_node *sub =
	        node->kids && node->kids->kind == AV_SH_SUBSCRIPT ? node->kids : NULL;
	const struct av_sh_node *opnd = sub ? sub->next : node->kids;
	const char *name = node->text;
	size_t nlen = node->len;
	struct pval pv;
	memset(&pv, 0, sizeof(pv));

	if (node->op == AV_SH_P_PREFIX) {
		/* ${!prefix*}: names of set variables. Environment names are
		 * upper case by convention; a lower-case prefix cannot meet one. */
		if (!(nlen && name[0] >= 'a' && name[0] <= 'z')) {
			pv_unknown(&pv,
			           "variable names from the environment are not known");
		} else {
			const char **names = av_arena_alloc(
			        st->arena, sizeof(char *) * (st->sc.nvars + 1));
			uint32_t n = 0;
			for (uint32_t i = 0; names && i < st->sc.nvars; i++) {
				const struct ev_var *v = &st->sc.vars[i];
				if (v->unset || strncmp(v->name, name, nlen) != 0)
					continue;
				if (var_find(st, v->name, strlen(v->name)) != v)
					continue;
				names[n++] = v->name;
			}
			if (!names) {
				ev_nomem(st);
				return;
			}
			qsort(names, n, sizeof(char *), name_cmp);
			pv.kind = PV_LIST;
			pv.list = names;
			pv.n = n;
			pv.star = node->num == '*';
		}
	} else if (node->flags & AV_SH_F_INDIRECT) {
		char all = 0;
		if (sub && is_all_word(sub, &all)) {
			/* ${!a[@]}: the indices or keys */
			struct ev_var *v = var_find(st, name, nlen);
			const struct ev_elem *e;
			int64_t n = var_elems(st, name, nlen, &e);
			if (n < 0 || !v) {
				pv_unknown(&pv, "the array is set at run time");
			} else {
				pv.kind = PV_LIST;
				pv.n = (uint32_t)n;
				pv.star = all == '*';
				pv.list = av_arena_alloc(
				        st->arena, sizeof(char *) * ((size_t)n + 1));
				for (int64_t i = 0; pv.list && i < n; i++)
					pv.list[i] =
					        v->type == VT_ASSOC
					                ? e[i].key
					                : ev_printf(st, "%lld",
					                            (long long)e[i].idx);
			}
		} else {
			struct pval ref;
			base_value(st, name, nlen, sub, &ref);
			if (ref.kind == PV_UNKNOWN) {
				pv = ref;
			} else if (ref.kind != PV_STR) {
				pv_unknown(&pv, "an indirect reference to nothing");
			} else {
				/* the value names a variable, maybe with a subscript */
				const char *r = ref.s;
				size_t rn = strcspn(r, "[");
				if (rn == strlen(r) &&
				    (valid_name(r, rn) ||
				     (rn > 0 && strspn(r, "0123456789") == rn) ||
				     (rn == 1 && strchr("@*#?", r[0])))) {
					base_value(st, r, rn, NULL, &pv);
				} else if (valid_name(r, rn) && r[strlen(r) - 1] == ']') {
					/* name[literal]: parse the subscript as a word */
					struct av_sh_node *tree = NULL;
					const char *text = ev_printf(st, "${%s}", r);
					struct av_sh_error e;
					if (text &&
					    av_sh_parse(text, strlen(text), NULL,
					                st->arena, &tree, &e) == 0 &&
					    tree->kids &&
					    tree->kids->kind == AV_SH_SIMPLE &&
					    tree->kids->kids && tree->kids->kids->kids &&
					    tree->kids->kids->kids->kind == AV_SH_PARAM) {
						const struct av_sh_node *p =
						        tree->kids->kids->kids;
						const struct av_sh_node *s2 =
						        p->kids && p->kids->kind ==
						                                AV_SH_SUBSCRIPT
						                ? p->kids
						                : NULL;
						base_value(st, p->text, p->len, s2, &pv);
					} else {
						pv_unknown(&pv, "an indirect reference "
						                "that is not a name");
					}
				} else {
					pv_unknown(&pv, "an indirect reference that is "
					                "not a name");
				}
			}
		}
	} else {
		base_value(st, name, nlen, sub, &pv);
	}
	if (st->stop)
		return;

	if (node->flags & AV_SH_F_LENGTH) {
		if (pv.kind == PV_UNKNOWN) {
			wb_unknown(st, w, node_text(st, node), pv.why);
			return;
		}
		uint64_t len = pv.kind == PV_LIST  ? pv.n
		               : pv.kind == PV_STR ? utf8_chars(pv.s)
		                                   : 0;
		const char *s = ev_printf(st, "%llu", (unsigned long long)len);
		if (s)
			wb_value(st, w, s, quoted);
		return;
	}

	bool colon = (node->flags & AV_SH_F_COLON) != 0;
	switch (node->op) {
	case AV_SH_P_DEFAULT:
	case AV_SH_P_ASSIGN:
	case AV_SH_P_ERROR:
	case AV_SH_P_ALT:
		if (pv.kind == PV_UNKNOWN)
			break;
		if (node->op == AV_SH_P_ALT) {
			if (!pv_null(&pv, colon) && opnd)
				expand_parts(st, w, opnd->kids, quoted, mode);
			else if (quoted)
				wb_lit(st, w, "", 0, true);
			return;
		}
		if (!pv_null(&pv, colon))
			break;
		if (node->op == AV_SH_P_DEFAULT) {
			if (opnd)
				expand_parts(st, w, opnd->kids, quoted, mode);
			else if (quoted)
				wb_lit(st, w, "", 0, true);
			return;
		}
		if (node->op == AV_SH_P_ERROR) {
			/* bash prints the message and a non-interactive shell exits:
			 * the command does not run. */
			if (st->uncertain == 0)
				st->ctl = CTL_EXIT;
			wb_unknown(st, w, node_text(st, node),
			           "the shell exits here (${x?})");
			return;
		}
		{
			const char *why;
			const char *v = expand_string(st, opnd, false, &why);
			if (!valid_name(name, nlen) || sub) {
				pv_unknown(&pv, "an assignment bash refuses");
				break;
			}
			if (v)
				var_set(st, name, nlen, v, false);
			else
				var_set_unknown(st, name, nlen);
			if (!v) {
				pv_unknown(&pv, why);
				break;
			}
			pv.kind = PV_STR;
			pv.s = v;
		}
		break;
	case AV_SH_P_NONE:
	case AV_SH_P_PREFIX:
		break;
	default:
		if (pv.kind == PV_LIST && node->op == AV_SH_P_SUBSTR) {
			slice_list(st, node, sub, opnd, &pv);
		} else if (pv.kind == PV_STR) {
			pv.s = apply_op(st, node, opnd, pv.s);
			if (!pv.s)
				pv_unknown(&pv,
				           "an expansion the evaluator does not model");
		} else if (pv.kind == PV_LIST) {
			const char **l =
			        av_arena_alloc(st->arena, sizeof(char *) * (pv.n + 1));
			for (uint32_t i = 0; l && i < pv.n && pv.kind == PV_LIST; i++) {
				l[i] = apply_op(st, node, opnd, pv.list[i]);
				if (!l[i])
					pv_unknown(&pv, "an expansion the evaluator does "
					                "not model");
			}
			if (!l)
				ev_nomem(st);
			if (pv.kind == PV_LIST)
				pv.list = l;
		}
		break;
	}
	if (st->stop)
		return;
	if (pv.kind == PV_UNKNOWN) {
		wb_unknown(st, w, node_text(st, node), pv.why);
		return;
	}
	if (pv.kind == PV_STR) {
		if (pv.how && !w->how)
			w->how = pv.how;
		wb_value(st, w, pv.s, quoted);
		return;
	}
	if (pv.kind == PV_UNSET) {
		if (quoted)
			wb_lit(st, w, "", 0, true);
		return;
	}
	/* a list: "$@" gives one field per value, "$*" one joined field */
	if (quoted && pv.star) {
		const char *ifs = ifs_value(st);
		if (!ifs) {
			wb_unknown(st, w, node_text(st, node), "IFS is set at run time");
			return;
		}
		wb_lit(st, w, "", 0, true);
		for (uint32_t i = 0; i < pv.n; i++) {
			if (i > 0 && ifs[0])
				wb_lit(st, w, ifs, 1, true);
			wb_value(st, w, pv.list[i], true);
		}
		return;
	}
	if (!w->split && !quoted) {
		/* assignment or redirection: values joined by spaces */
		for (uint32_t i = 0; i < pv.n; i++) {
			if (i > 0)
				wb_lit(st, w, " ", 1, true);
			wb_value(st, w, pv.list[i], true);
		}
		return;
	}
	for (uint32_t i = 0; i < pv.n && !st->stop; i++) {
		if (i > 0)
			wb_break(st, w, quoted);
		wb_value(st, w, pv.list[i], quoted);
	}
}

/* ~, ~+, ~user: HOME and PWD come from the action's context. */
static void expand_tilde(struct ev *st, struct wb *w, const struct av_sh_node *n)
{
	const char *v = NULL;
	if (n->len == 0) {
		if (var_get(st, "HOME", 4, 0, NULL, &v) != 0)
			v = NULL;
	} else if (n->len == 1 && (n->text[0] == '+' || n->text[0] == '-')) {
		const char *name = n->text[0] == '+' ? "PWD" : "OLDPWD";
		if (var_get(st, name, strlen(name), 0, NULL, &v) != 0)
			v = NULL;
	} else if (st->ctx && st->ctx->user && st->ctx->home &&
	           strlen(st->ctx->user) == n->len &&
	           memcmp(st->ctx->user, n->text, n->len) == 0) {
		v = st->ctx->home;
	} else if (n->len == 4 && memcmp(n->text, "root", 4) == 0) {
		v = "/root"; /* the same on every Linux system */
	}
	if (v) {
		wb_lit(st, w, v, strlen(v), true);
		return;
	}
	const char *t =
	        ev_printf(st, "~%.*s", (int)(n->len > 200 ? 200 : n->len), n->text);
	wb_unknown(st, w, t, "a home directory the context does not give");
}

static void eval_list(struct ev *st, const struct av_sh_node *list);

/* <(...) and >(...): the list runs asynchronously; the word is a path to a
 * pipe. The word keeps its source text (effects read "<(" as a stream). */
static void expand_procsub(struct ev *st, struct wb *w, const struct av_sh_node *n)
{
	const char *text = node_text(st, n);
	const char *how = NULL;
	const char *out = NULL;
	if (!(n->flags & AV_SH_F_PROC_OUT))
		out = run_cmdsub(st, n->kids, true, &how);
	else
		(void)run_cmdsub(st, n->kids, true, &how);
	if (out && text && st->nprocs < 16) {
		st->procs[st->nprocs].text = text;
		st->procs[st->nprocs].content = out;
		st->nprocs++;
	}
	if (text)
		wb_lit(st, w, text, strlen(text), true);
}

static void expand_parts(struct ev *st, struct wb *w, const struct av_sh_node *part,
                         bool quoted, enum ev_wmode mode)
{
	for (; part && !st->stop; part = part->next) {
		if (!ev_step(st))
			return;
		switch (part->kind) {
		case AV_SH_LIT:
			if (!quoted && w->split && w->lit_split)
				wb_value(st, w, ev_strndup(st, part->text, part->len),
				         false);
			else
				wb_lit(st, w, part->text, part->len, quoted);
			break;
		case AV_SH_ESC:
		case AV_SH_SQ:
			wb_lit(st, w, part->text, part->len, true);
			break;
		case AV_SH_ANSI:
			wb_lit(st, w, part->text, strnlen(part->text, part->len), true);
			break;
		case AV_SH_DQ:
		case AV_SH_LOCALE: {
			uint32_t ls = w->lit_split;
			w->lit_split = 0;
			if (!part->kids)
				wb_lit(st, w, "", 0, true);
			expand_parts(st, w, part->kids, true, mode);
			w->lit_split = ls;
			break;
		}
		case AV_SH_TILDE:
			expand_tilde(st, w, part);
			break;
		case AV_SH_GLOB:
			if (quoted)
				wb_lit(st, w, part->text, part->len, true);
			else
				wb_glob(st, w, part->text, part->len);
			break;
		case AV_SH_PARAM: {
			uint32_t ls = w->lit_split;
			w->lit_split = quoted ? 0 : 1;
			expand_param(st, w, part, quoted, mode);
			w->lit_split = ls;
			break;
		}
		case AV_SH_CMDSUB: {
			const char *how = NULL;
			const char *v = run_cmdsub(st, part->kids, false, &how);
			if (v) {
				if (how && !w->how)
					w->how = how;
				wb_value(st, w, v, quoted);
			} else if (!st->stop) {
				wb_unknown(st, w, node_text(st, part),
				           "the output of a command substitution is "
				           "known only at "
				           "run time");
			}
			break;
		}
		case AV_SH_ARITH: {
			const char *why;
			const char *e = expand_string(st, part->kids, false, &why);
			const char *v = arith_value(st, e);
			if (v)
				wb_value(st, w, v, quoted);
			else if (!st->stop)
				wb_unknown(st, w, node_text(st, part),
				           "arithmetic on values known only at run time");
			break;
		}
		case AV_SH_PROCSUB:
			expand_procsub(st, w, part);
			break;
		default:
			break;
		}
	}
}

/* ---- words, redirections, assignments ------------------------------------- */

struct ev_argv {
	const char **v;
	uint32_t n, cap;
	const char *why0; /* why argv[0] is not known, or NULL */
	bool unknown0;
	bool any_unknown;   /* some field holds source text of an unknown part */
	const char *opaque; /* why the number of fields is unknown, or NULL */
	const char *how;    /* decoded text used in the words */
	const char *how0;   /* decoded text that made the command name */
};

/* True when a provenance says text was decoded (not merely passed on). */
static bool decoded_how(const char *how)
{
	return strstr(how, "decoded") || strstr(how, "reversed") ||
	       strstr(how, "translated");
}

/* Words that hold source text of unknown parts, by pointer: eval and sh -c
 * must not read them as code. */
static void note_unknown_arg(struct ev *st, const char *s)
{
	if (st->nunk < EV_MAX_UNKNOWN)
		st->unk[st->nunk++] = s;
	else
		st->unk_full = true;
}

static bool arg_unknown(const struct ev *st, const char *s)
{
	for (uint32_t i = 0; i < st->nunk; i++)
		if (st->unk[i] == s)
			return true;
	return st->unk_full && strpbrk(s, "$`") != NULL;
}

static bool word_has_brace(const struct av_sh_node *word)
{
	for (const struct av_sh_node *p = word->kids; p; p = p->next)
		if (p->kind == AV_SH_LIT && memchr(p->text, '{', p->len))
			return true;
	return false;
}

/* Matches a path pattern against a path component by component (a glob
 * never matches '/'; a leading '.' must be matched by a literal '.'). */
static bool match_components(const char *pat, size_t plen, const char *path,
                             uint32_t *steps)
{
	size_t a = 0, b = 0, n = strlen(path);
	while (a <= plen && b <= n) {
		size_t la = a, lb = b;
		while (la < plen && pat[la] != '/')
			la++;
		while (lb < n && path[lb] != '/')
			lb++;
		if (lb > b && path[b] == '.' && !(la > a && pat[a] == '.'))
			return false;
		if (!av_sh_pattern_match(pat + a, la - a, path + b, lb - b,
		                         AV_SH_PAT_EXTGLOB, steps))
			return false;
		if (la == plen || lb == n)
			return la == plen && lb == n;
		a = la + 1;
		b = lb + 1;
	}
	return false;
}

/* The length of every string a pattern without '*' can match, or -1. */
static int64_t fixed_len(const char *p)
{
	int64_t n = 0;
	for (; *p; p++, n++) {
		if (*p == '*' || *p == '(' || *p == '|')
			return -1;
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[') {
			const char *e = strchr(p + 2, ']');
			if (!e)
				continue;
			p = e;
		}
	}
	return n;
}

/* Command-position globs (/???/r?) are matched against a model of PATH
 * (sh_path_names.c): the directories first, then the names in the ones
 * that match. One match is the command, otherwise it is opaque. */
static const char *glob_command(struct ev *st, const char *pat)
{
	static const struct {
		const char *dir, *prefix;
	} dirs[] = {
		{ "/bin", "usr/bin/" },
		{ "/sbin", "usr/sbin/" },
		{ "/usr/bin", "usr/bin/" },
		{ "/usr/sbin", "usr/sbin/" },
	};
	const char *slash = strrchr(pat, '/');
	if (!slash || !slash[1])
		return NULL;
	uint32_t steps = 500000;
	const char *name_pat = slash + 1;
	int64_t want = fixed_len(name_pat);
	const char *hit = NULL;
	uint32_t hits = 0;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]) && hits < 2; d++) {
		if (!match_components(pat, (size_t)(slash - pat), dirs[d].dir, &steps))
			continue;
		size_t pl = strlen(dirs[d].prefix);
		for (size_t i = 0; i < av_sh_path_nnames && hits < 2 && steps; i++) {
			const char *cand = av_sh_path_names[i];
			if (strncmp(cand, dirs[d].prefix, pl) != 0)
				continue;
			const char *name = cand + pl;
			if (want >= 0 && (int64_t)strlen(name) != want)
				continue;
			if (!match_components(name_pat, strlen(name_pat), name, &steps))
				continue;
			hits++;
			hit = ev_printf(st, "%s/%s", dirs[d].dir, name);
		}
	}
	if (steps == 0)
		return NULL;
	return hits == 1 ? hit : NULL;
}

/* True when a pattern would glob: an unescaped * or ?, or a [ closed by a
 * later ] (an unclosed [ is a literal, as in `[ -f x ]`). */
static bool pat_magic(const char *p, bool extglob)
{
	for (; *p; p++) {
		if (extglob && p[1] == '(' && strchr("@!+", *p))
			return true;
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '*' || *p == '?')
			return true;
		if (*p == '[' && strchr(p + 1, ']'))
			return true;
	}
	return false;
}

static void argv_push(struct ev *st, struct ev_argv *a, const char *s)
{
	if (!s)
		return;
	const char **slot = av_arena_push(st->arena, (void **)&a->v, &a->n, &a->cap,
	                                  sizeof(*slot), AV_SHELL_MAX_ARGS);
	if (!slot) {
		if (a->n >= AV_SHELL_MAX_ARGS)
			ev_limit(st, lim_args);
		else
			ev_nomem(st);
		return;
	}
	*slot = s;
}

/* argv ends with a NULL after its argc words, as programs' argv do
 * (option scanners in effects read one past the last word). */
static void argv_terminate(struct ev *st, struct ev_argv *a)
{
	uint32_t n = a->n;
	const char **slot = av_arena_push(st->arena, (void **)&a->v, &a->n, &a->cap,
	                                  sizeof(*slot), AV_SHELL_MAX_ARGS + 1);
	if (!slot) {
		ev_nomem(st);
		return;
	}
	*slot = NULL;
	a->n = n;
}

/* Expands one command word into fields appended to a. */
static void expand_word_fields(struct ev *st, struct ev_argv *a,
                               const struct av_sh_node *word)
{
	struct av_sh_node **words = NULL;
	uint32_t nw = 1;
	const struct av_sh_node *one[1] = { word };
	if (word_has_brace(word)) {
		enum av_sh_pure_status s = av_sh_brace_expand(
		        word, st->arena, EV_MAX_BRACE, st->budget, &words, &nw);
		if (s == AV_SH_PURE_LIMIT) {
			ev_limit(st, lim_expansion);
			return;
		}
		if (s == AV_SH_PURE_NOMEM) {
			ev_nomem(st);
			return;
		}
		if (s != AV_SH_PURE_OK) {
			const char *t = node_text(st, word);
			if (a->n == 0) {
				a->unknown0 = true;
				a->why0 =
				        "a brace expansion the evaluator does not model";
			}
			/* the fields it makes are unknown: the whole argv is */
			a->opaque = "a brace expansion the evaluator does not model";
			a->any_unknown = true;
			argv_push(st, a, t);
			return;
		}
	}
	for (uint32_t k = 0; k < nw && !st->stop; k++) {
		const struct av_sh_node *wd = words ? words[k] : one[0];
		struct wb w = { .split = true };
		expand_parts(st, &w, wd->kids, false, WM_FIELDS);
		wb_finish(st, &w);
		if (w.how && !a->how)
			a->how = w.how;
		if (a->n == 0 && w.how && decoded_how(w.how))
			a->how0 = w.how;
		for (uint32_t i = 0; i < w.nf && !st->stop; i++) {
			const struct ev_field *f = &w.f[i];
			const char *s = f->s;
			if (a->n == 0 && !f->unknown && f->glob &&
			    pat_magic(f->pat, st->extglob)) {
				s = glob_command(st, f->pat);
				if (!s) {
					s = f->s;
					a->unknown0 = true;
					a->why0 =
					        ev_printf(st,
					                  "the command name is a glob "
					                  "(%.60s) that does "
					                  "not match exactly one program",
					                  f->s);
				}
			} else if (a->n == 0 && f->unknown) {
				a->unknown0 = true;
				a->why0 = w.why;
			}
			if (f->unknown || (f->glob && pat_magic(f->pat, st->extglob)))
				a->any_unknown = true;
			if (f->unknown)
				note_unknown_arg(st, s);
			argv_push(st, a, s);
		}
	}
}

static enum av_redir_op map_redir(unsigned op)
{
	static const enum av_redir_op map[AV_SH_R_COUNT] = {
		[AV_SH_R_IN] = AV_REDIR_IN,
		[AV_SH_R_OUT] = AV_REDIR_OUT,
		[AV_SH_R_APPEND] = AV_REDIR_APPEND,
		[AV_SH_R_CLOBBER] = AV_REDIR_CLOBBER,
		[AV_SH_R_INOUT] = AV_REDIR_INOUT,
		[AV_SH_R_DUP_IN] = AV_REDIR_DUP_IN,
		[AV_SH_R_DUP_OUT] = AV_REDIR_DUP_OUT,
		[AV_SH_R_OUT_ERR] = AV_REDIR_OUT_ERR,
		[AV_SH_R_APPEND_ERR] = AV_REDIR_OUT_ERR,
		[AV_SH_R_HEREDOC] = AV_REDIR_HEREDOC,
		[AV_SH_R_HERESTRING] = AV_REDIR_HERESTRING,
	};
	return op < AV_SH_R_COUNT ? map[op] : AV_REDIR_OUT;
}

static int default_fd(unsigned op)
{
	switch (op) {
	case AV_SH_R_IN:
	case AV_SH_R_INOUT:
	case AV_SH_R_DUP_IN:
	case AV_SH_R_HEREDOC:
	case AV_SH_R_HERESTRING:
		return 0;
	case AV_SH_R_OUT_ERR:
	case AV_SH_R_APPEND_ERR:
		return -1;
	default:
		return 1;
	}
}

/* A here-document body: parameters, substitutions and arithmetic expand
 * unless the delimiter was quoted; unknown parts keep their text. */
static const char *heredoc_body(struct ev *st, const struct av_sh_node *r, bool *unknown)
{
	const struct av_sh_node *delim = r->kids;
	const struct av_sh_node *body = delim ? delim->next : NULL;
	*unknown = false;
	if (!body)
		return "";
	struct wb w = { .split = false };
	if (r->flags & AV_SH_F_HD_QUOTED) {
		for (const struct av_sh_node *p = body->kids; p; p = p->next)
			wb_lit(st, &w, p->text ? p->text : "", p->text ? p->len : 0,
			       true);
	} else {
		expand_parts(st, &w, body->kids, true, WM_HEREDOC);
	}
	*unknown = w.any_unknown;
	if (w.how)
		st->how_last = w.how;
	return buf_str(st, &w.cur);
}

struct ev_redirs {
	struct av_redir *r;
	uint32_t n, cap;
	struct ev_in *in;     /* standard input they give, or NULL */
	const char *out_path; /* a file standard output goes to */
	bool out_append;
	bool out_elsewhere; /* stdout goes somewhere else (a file, fd) */
};

static void eval_redir(struct ev *st, struct ev_redirs *rs, const struct av_sh_node *r)
{
	struct av_redir *x = av_arena_push(st->arena, (void **)&rs->r, &rs->n, &rs->cap,
	                                   sizeof(*x), 256);
	if (!x) {
		ev_nomem(st);
		return;
	}
	x->op = map_redir(r->op);
	x->fd = r->num >= 0 ? r->num : default_fd(r->op);
	if (r->op == AV_SH_R_HEREDOC) {
		bool unk;
		x->target = heredoc_body(st, r, &unk);
		if (x->fd == 0 && x->target) {
			struct ev_in *in = av_arena_alloc(st->arena, sizeof(*in));
			if (in) {
				memset(in, 0, sizeof(*in));
				in->text = unk ? NULL : x->target;
				in->len = unk ? 0 : strlen(x->target);
				in->how = "here-document";
				rs->in = in;
			}
		}
		return;
	}
	const char *why;
	const char *t = expand_string(st, r->kids, false, &why);
	bool unk = t == NULL;
	if (!t)
		t = r->kids ? node_text(st, r->kids) : "";
	x->target = t;
	if (r->op == AV_SH_R_HERESTRING && x->fd == 0) {
		struct ev_in *in = av_arena_alloc(st->arena, sizeof(*in));
		if (in) {
			memset(in, 0, sizeof(*in));
			in->text = unk ? NULL : ev_concat(st, t, "\n");
			in->len = in->text ? strlen(in->text) : 0;
			in->how = "here-string";
			rs->in = in;
		}
		return;
	}
	if (r->op == AV_SH_R_DUP_OUT && r->num < 0 && t &&
	    !(t[0] >= '0' && t[0] <= '9') && !streq(t, "-")) {
		x->op = AV_REDIR_OUT_ERR; /* >&file is &>file */
		x->fd = -1;
	}
	if (x->fd == 0 && (x->op == AV_REDIR_IN || x->op == AV_REDIR_INOUT)) {
		struct ev_in *in = av_arena_alloc(st->arena, sizeof(*in));
		if (!in) {
			ev_nomem(st);
			return;
		}
		memset(in, 0, sizeof(*in));
		in->from = t;
		in->file = true;
		/* a file written earlier in the text with known content */
		const char *rp = unk ? NULL : av_path_resolve(t, st->ctx, st->arena);
		for (uint32_t i = st->nfiles; rp && i-- > 0;)
			if (streq(st->files[i].path, rp)) {
				in->text = st->files[i].text;
				in->len = in->text ? strlen(in->text) : 0;
				in->how = st->files[i].how;
				break;
			}
		rs->in = in;
		return;
	}
	if (x->fd == 1 || x->fd == -1) {
		if (x->op == AV_REDIR_OUT || x->op == AV_REDIR_CLOBBER ||
		    x->op == AV_REDIR_APPEND || x->op == AV_REDIR_OUT_ERR) {
			rs->out_elsewhere = true;
			rs->out_path = unk ? NULL : t;
			rs->out_append =
			        x->op == AV_REDIR_APPEND || r->op == AV_SH_R_APPEND_ERR;
		} else if (x->op == AV_REDIR_DUP_OUT && x->fd == 1) {
			rs->out_elsewhere = true;
			rs->out_path = NULL;
		}
	}
}

/* Records what a command wrote to a file, for scripts run later. */
static void note_file(struct ev *st, const char *path, const char *text, bool append,
                      const char *how)
{
	if (!path)
		return;
	const char *rp = av_path_resolve(path, st->ctx, st->arena);
	if (!rp) {
		ev_nomem(st);
		return;
	}
	struct ev_file *f = NULL;
	for (uint32_t i = 0; i < st->nfiles; i++)
		if (streq(st->files[i].path, rp))
			f = &st->files[i];
	if (!f) {
		if (st->nfiles >= EV_MAX_FILES)
			return;
		f = &st->files[st->nfiles++];
		f->path = rp;
		f->text = "";
		append = false;
	}
	if (st->uncertain)
		text = NULL;
	if (append)
		f->text = f->text && text ? ev_concat(st, f->text, text) : NULL;
	else
		f->text = text;
	f->how = how;
}

/* ---- texts run one level deeper ------------------------------------------- */

static void ev_command(struct ev *st, const struct av_sh_node *n);
static void eval_text(struct ev *st, const char *text, size_t len, bool top);

/* Runs text in the current shell (eval, source): same variables,
 * functions and positional parameters, one level deeper. */
static void run_same_shell(struct ev *st, int32_t parent, const char *text,
                           const char *what)
{
	uint32_t depth = parent >= 0 ? st->out->cmds[parent].depth + 1 : st->fr.depth + 1;
	if (depth > AV_SHELL_MAX_DEPTH) {
		ev_limit(st, lim_depth);
		return;
	}
	struct ev_frame saved = st->fr;
	bool in_pipe = st->in_pipe;
	st->fr.depth = depth;
	st->fr.parent = parent;
	st->fr.prov = prov_at(st, what, depth);
	st->in_pipe = false;
	eval_text(st, text, strlen(text), false);
	st->fr = saved;
	st->in_pipe = in_pipe;
}

/* The EXIT trap of the shell that just ended. */
static void run_exit_trap(struct ev *st)
{
	const char *t = st->sc.exit_trap;
	if (!t || st->stop)
		return;
	st->sc.exit_trap = NULL;
	st->ctl = CTL_NONE;
	int32_t idx = st->sc.exit_trap_cmd;
	if (idx >= 0 && (uint32_t)idx < st->out->ncmds)
		run_same_shell(st, idx, t, "trap handler at exit");
}

/* Runs text as a new shell (sh -c, a script, a program on standard input):
 * only exported variables and the given arguments carry over, and nothing
 * it changes comes back. */
static void run_new_shell(struct ev *st, int32_t parent, const char *text, size_t len,
                          const char *what, const char *const *args, uint32_t nargs,
                          bool args_known)
{
	uint32_t depth = parent >= 0 ? st->out->cmds[parent].depth + 1 : st->fr.depth + 1;
	if (depth > AV_SHELL_MAX_DEPTH) {
		ev_limit(st, lim_depth);
		return;
	}
	struct ev_scope saved;
	scope_copy(st, &saved, &st->sc);
	if (st->stop)
		return;
	/* the new shell's scope: exported variables only */
	struct ev_scope fresh;
	memset(&fresh, 0, sizeof(fresh));
	fresh.aliases_on_from = SIZE_MAX;
	fresh.aliases_off_pending = 0;
	for (uint32_t i = 0; i < saved.nvars; i++) {
		const struct ev_var *v = &saved.vars[i];
		struct ev_var *nv =
		        av_arena_push(st->arena, (void **)&fresh.vars, &fresh.nvars,
		                      &fresh.vars_cap, sizeof(*nv), EV_MAX_VARS);
		if (!nv) {
			ev_nomem(st);
			return;
		}
		*nv = *v;
		nv->attrs &= (uint8_t)~VA_LOCAL;
		nv->level = 0;
		if (!(v->attrs & VA_EXPORT) || v->type != VT_SCALAR) {
			/* not exported: unset in the new shell; unknown: maybe
			 * exported, so still unknown */
			nv->unknown = v->unknown;
			nv->unset = !v->unknown;
			nv->type = VT_SCALAR;
			nv->el = NULL;
			nv->nel = 0;
		}
	}
	{
		struct ev_var *ifs =
		        av_arena_push(st->arena, (void **)&fresh.vars, &fresh.nvars,
		                      &fresh.vars_cap, sizeof(*ifs), EV_MAX_VARS);
		struct ev_elem *e = av_arena_alloc(st->arena, sizeof(*e));
		if (!ifs || !e) {
			ev_nomem(st);
			return;
		}
		memset(ifs, 0, sizeof(*ifs));
		memset(e, 0, sizeof(*e));
		e->val = " \t\n";
		ifs->name = "IFS";
		ifs->el = e;
		ifs->nel = 1;
	}
	fresh.pos = (const char **)args;
	fresh.npos = nargs;
	fresh.pos_known = args_known;
	fresh.arg0 = st->next_arg0;
	st->next_arg0 = NULL;
	st->sc = fresh;
	struct ev_frame fr = st->fr;
	struct ev_in *in = st->in;
	struct ev_sink *sink = st->sink;
	bool in_pipe = st->in_pipe, bg = st->bg;
	enum ev_ctl ctl = st->ctl;
	uint32_t calls = st->calls, loops = st->loops;
	st->fr.depth = depth;
	st->fr.parent = parent;
	st->fr.prov = prov_at(st, what, depth);
	st->in_pipe = false;
	st->calls = st->loops = 0;
	st->ctl = CTL_NONE;
	st->in = NULL;
	st->sink = NULL;
	eval_text(st, text, len, false);
	run_exit_trap(st);
	st->sc = saved;
	st->fr = fr;
	st->in = in;
	st->sink = sink;
	st->in_pipe = in_pipe;
	st->bg = bg;
	st->ctl = ctl;
	st->calls = calls;
	st->loops = loops;
	st->status_known = false;
}

/* ---- command substitution ------------------------------------------------- */

static const char *run_cmdsub(struct ev *st, const struct av_sh_node *list, bool keep_nl,
                              const char **how)
{
	*how = NULL;
	uint32_t depth = st->fr.depth + 1;
	if (depth > AV_SHELL_MAX_DEPTH) {
		ev_limit(st, lim_depth);
		return NULL;
	}
	/* $(< FILE) is the file's content: known only for a file written
	 * earlier in the text */
	const struct av_sh_node *one =
	        list && list->kids && !list->kids->next ? list->kids : NULL;
	if (!keep_nl && one && one->kind == AV_SH_SIMPLE && one->kids &&
	    !one->kids->next && one->kids->kind == AV_SH_REDIR &&
	    one->kids->op == AV_SH_R_IN && one->kids->num <= 0) {
		const char *path = expand_string(st, one->kids->kids, false, NULL);
		const char *text = path ? file_text(st, path, how) : NULL;
		if (!text)
			return NULL;
		size_t n = strlen(text);
		while (n > 0 && text[n - 1] == '\n')
			n--;
		return ev_strndup(st, text, n);
	}
	struct ev_scope saved;
	scope_copy(st, &saved, &st->sc);
	struct ev_sink sink = { .unknown = false };
	struct ev_frame fr = st->fr;
	struct ev_sink *osink = st->sink;
	bool in_pipe = st->in_pipe, bg = st->bg;
	enum ev_ctl ctl = st->ctl;
	uint32_t loops = st->loops, calls = st->calls, unc = st->uncertain;
	st->fr.depth = depth;
	st->fr.parent = -1;
	st->fr.prov = prov_at(
	        st, keep_nl ? "process substitution" : "command substitution", depth);
	st->sink = &sink;
	st->in_pipe = false;
	st->loops = 0;
	st->uncertain = 0;
	eval_list(st, list);
	bool known = !sink.unknown && !st->stop;
	st->sc = saved;
	st->fr = fr;
	st->sink = osink;
	st->in_pipe = in_pipe;
	st->bg = bg;
	st->ctl = ctl;
	st->loops = loops;
	st->calls = calls;
	st->uncertain = unc;
	if (!known)
		return NULL;
	*how = sink.how;
	const char *s = sink.buf ? sink.buf : "";
	size_t n = sink.buf ? sink.len : 0;
	/* bash drops NUL bytes and, for $( ), trailing newlines */
	char *r = av_arena_alloc(st->arena, n + 1);
	if (!r) {
		ev_nomem(st);
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i])
			r[k++] = s[i];
	if (!keep_nl)
		while (k > 0 && r[k - 1] == '\n')
			k--;
	r[k] = '\0';
	return r;
}

/* ---- pure utilities and output ------------------------------------------- */

static bool std_bin_path(const char *p)
{
	static const char *const dirs[] = { "/bin/", "/usr/bin/", "/usr/local/bin/",
		                            "/sbin/", "/usr/sbin/" };
	if (!strchr(p, '/'))
		return true;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(p, dirs[i], strlen(dirs[i])) == 0 &&
		    !strchr(p + strlen(dirs[i]), '/'))
			return true;
	return false;
}

/* How a utility changed its input, for provenance. */
static const char *decoder_how(const char *const *argv, uint32_t argc)
{
	const char *n = av_shell_basename(argv[0]);
	bool dec = false, rev = false;
	for (uint32_t i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] != '-' && strpbrk(a + 1, "dD"))
			dec = true;
		if (streq(a, "--decode"))
			dec = true;
		if (a[0] == '-' && a[1] != '-' && strchr(a + 1, 'r'))
			rev = true;
		if (streq(a, "--revert"))
			rev = true;
	}
	if ((streq(n, "base64") || streq(n, "basenc")) && dec)
		return "decoded from base64";
	if (streq(n, "base32") && dec)
		return "decoded from base32";
	if (streq(n, "xxd") && rev)
		return "decoded from hex by xxd -r";
	if (streq(n, "rev"))
		return "reversed by rev";
	if (streq(n, "tr"))
		return "translated by tr";
	if (streq(n, "printf") || streq(n, "echo")) {
		for (uint32_t i = 1; i < argc; i++)
			if (strstr(argv[i], "\\x") || strstr(argv[i], "\\0") ||
			    strstr(argv[i], "\\u"))
				return streq(n, "printf") ? "decoded by printf escapes"
				                          : "decoded by echo -e escapes";
	}
	return NULL;
}

/* Runs a pure utility or the echo/printf builtin. Returns true with its
 * output and status, false when it is not pure or the result is unknown. */
static bool run_pure(struct ev *st, const char *const *argv, uint32_t argc,
                     const struct ev_in *in, const char **out, size_t *outlen,
                     int *status, const char **how)
{
	if (!std_bin_path(argv[0]) || !av_sh_pure_known(av_shell_basename(argv[0])))
		return false;
	struct av_sh_pure_io io = { .max_out = EV_MAX_PURE_OUT };
	if (in && in->text) {
		io.in = in->text + in->pos;
		io.inlen = in->len - in->pos;
		io.in_known = true;
	}
	enum av_sh_pure_status s = av_sh_pure_run(argv, argc, st->arena, &io);
	if (s == AV_SH_PURE_NOMEM) {
		ev_nomem(st);
		return false;
	}
	if (s != AV_SH_PURE_OK)
		return false;
	if (!ev_charge(st, io.outlen))
		return false;
	*out = io.out ? io.out : "";
	*outlen = io.out ? io.outlen : 0;
	*status = io.status;
	const char *d = decoder_how(argv, argc);
	*how = d ? d : (in && in->text ? in->how : NULL);
	if (d && in && in->text && in->how && !strstr(in->how, "piped") &&
	    !streq(in->how, "here-document") && !streq(in->how, "here-string"))
		*how = ev_printf(st, "%s, then %s", in->how, d);
	return true;
}

static void sink_put(struct ev *st, const char *s, size_t n, const char *how)
{
	struct ev_sink *k = st->sink;
	if (!k)
		return;
	if (st->uncertain) {
		k->unknown = true;
		return;
	}
	if (how && !k->how)
		k->how = how;
	struct ev_buf b = { .s = k->buf, .len = k->len, .cap = k->cap };
	buf_putn(st, &b, s, n);
	k->buf = b.s;
	k->len = b.len;
	k->cap = b.cap;
}

static void sink_unknown(struct ev *st)
{
	if (st->sink)
		st->sink->unknown = true;
}

/* ---- assignments ---------------------------------------------------------- */

struct ev_decl {
	uint8_t attrs_on, attrs_off;
	uint8_t type; /* VT_INDEXED / VT_ASSOC when -a / -A */
	bool local;
	bool unknown; /* -n and others: the value cannot be followed */
};

static struct ev_var *decl_var(struct ev *st, const char *name, size_t n,
                               const struct ev_decl *d)
{
	struct ev_var *v = var_find(st, name, n);
	if (d && d->local && (!v || v->level != st->calls || !(v->attrs & VA_LOCAL))) {
		v = var_new(st, name, n);
		if (!v)
			return NULL;
		v->attrs = VA_LOCAL;
		v->level = st->calls;
	}
	if (!v)
		v = var_new(st, name, n);
	if (!v)
		return NULL;
	if (d) {
		if (d->type && v->type != d->type) {
			v->type = d->type;
			if (v->nel && d->type == VT_ASSOC) {
				v->el = NULL;
				v->nel = 0;
			}
		}
		v->attrs = (uint8_t)((v->attrs | d->attrs_on) & ~d->attrs_off);
		if (d->unknown) {
			v->unknown = true;
			v->unset = false;
		}
	}
	return v;
}

/* Performs one NAME=value / NAME[k]=v / NAME=(...) / NAME+=... assignment;
 * fills *out (name and value as text) when out is not NULL. */
static void do_assign_pre(struct ev *st, const struct av_sh_node *a,
                          const struct ev_decl *d, struct av_assign *out, bool have_pre,
                          const char *pre);

static void do_assign(struct ev *st, const struct av_sh_node *a, const struct ev_decl *d,
                      struct av_assign *out)
{
	do_assign_pre(st, a, d, out, false, NULL);
}

/* The same, with the value already expanded (pre; NULL: unknown) when
 * have_pre: declare's arguments are expanded once, for argv and value. */
static void do_assign_pre(struct ev *st, const struct av_sh_node *a,
                          const struct ev_decl *d, struct av_assign *out, bool have_pre,
                          const char *pre)
{
	const char *name = a->text;
	size_t n = a->len;
	const struct av_sh_node *sub =
	        a->kids && a->kids->kind == AV_SH_SUBSCRIPT ? a->kids : NULL;
	const struct av_sh_node *val = sub ? sub->next : a->kids;
	bool append = (a->flags & AV_SH_F_APPEND) != 0;
	/* readonly applies once the value is in */
	struct ev_decl dd;
	if (d && (d->attrs_on & VA_READONLY)) {
		dd = *d;
		dd.attrs_on &= (uint8_t)~VA_READONLY;
		do_assign_pre(st, a, &dd, out, have_pre, pre);
		struct ev_var *v = var_find(st, name, n);
		if (v)
			v->attrs |= VA_READONLY;
		return;
	}
	if (out) {
		out->name = ev_strndup(st, name, n);
		out->value = "";
	}
	if (val && val->kind == AV_SH_ARRAY) {
		struct ev_var *v = decl_var(st, name, n, d);
		if (!v)
			return;
		if (v->attrs & VA_READONLY)
			return;
		if (v->type == VT_SCALAR)
			v->type = VT_INDEXED;
		if (!append) {
			v->el = NULL;
			v->nel = 0;
			v->unknown = false;
		}
		int64_t next = 0;
		for (uint32_t i = 0; i < v->nel; i++)
			if (v->el[i].idx >= next)
				next = v->el[i].idx + 1;
		for (const struct av_sh_node *e = val->kids; e && !st->stop;
		     e = e->next) {
			if (e->kind == AV_SH_ELEM) {
				const struct av_sh_node *es = e->kids;
				const struct av_sh_node *ew = es ? es->next : NULL;
				const char *k =
				        es ? expand_string(st, es->kids, false, NULL)
				           : NULL;
				const char *ev =
				        ew ? expand_string(st, ew, false, NULL) : "";
				if (!k) {
					v->unknown = true;
					continue;
				}
				if (v->type == VT_ASSOC) {
					var_set_elem(st, v, 0, k, ev,
					             (e->flags & AV_SH_F_APPEND) != 0);
				} else {
					const char *iv = arith_value(st, k);
					int64_t idx;
					if (!iv || !parse_int(iv, &idx)) {
						v->unknown = true;
						continue;
					}
					var_set_elem(st, v, idx, NULL, ev,
					             (e->flags & AV_SH_F_APPEND) != 0);
					next = idx + 1;
				}
				continue;
			}
			struct ev_argv f = { 0 };
			expand_word_fields(st, &f, e);
			if (f.unknown0 || f.any_unknown) {
				v->unknown = true;
				continue;
			}
			for (uint32_t i = 0; i < f.n; i++) {
				if (v->type == VT_ASSOC) {
					v->unknown =
					        true; /* bash 5.1+: key value pairs */
					break;
				}
				var_set_elem(st, v, next++, NULL, f.v[i], false);
			}
		}
		if (out)
			out->value = node_text(st, val);
		return;
	}
	const char *why;
	const char *h0 = st->how_last;
	st->how_last = NULL;
	const char *s = have_pre ? pre : val ? expand_string(st, val, false, &why) : "";
	const char *vhow =
	        st->how_last && decoded_how(st->how_last) ? st->how_last : NULL;
	st->how_last = h0 ? h0 : st->how_last;
	if (out)
		out->value = s ? s : (val ? node_text(st, val) : "");
	if (sub) {
		struct ev_var *v = decl_var(st, name, n, d);
		if (!v)
			return;
		if (v->type == VT_SCALAR)
			v->type = VT_INDEXED;
		const char *k = expand_string(st, sub->kids, false, NULL);
		if (!k) {
			v->unknown = true;
			return;
		}
		if (v->type == VT_ASSOC) {
			var_set_elem(st, v, 0, k, s, append);
		} else {
			const char *iv = arith_value(st, k);
			int64_t idx;
			if (!iv || !parse_int(iv, &idx)) {
				v->unknown = true;
				return;
			}
			var_set_elem(st, v, idx, NULL, s, append);
		}
		return;
	}
	if (d)
		(void)decl_var(st, name, n, d);
	if (s) {
		var_set(st, name, n, s, append);
		struct ev_var *hv = var_find(st, name, n);
		if (hv && (!append || vhow))
			hv->how = vhow;
	} else
		var_set_unknown(st, name, n);
}

/* ---- builtins that change the shell's state -------------------------------- */

struct ev_cmd {
	const struct av_sh_node *node;
	struct ev_argv a;
	struct ev_redirs rs;
	struct ev_in *in;
	int32_t idx;     /* the emitted command */
	const char *out; /* its standard output when known */
	size_t outlen;
	bool out_known;
	const char *how;
	struct {
		const struct av_sh_node *node;
		const char *val; /* NULL: unknown */
	} decl[32];              /* declare arguments expanded for argv */
	uint32_t ndecl;
};

/* NAME=value of a declaration builtin's argument, expanded once: unknown
 * parts keep their text in the argv shown, the value is remembered. */
static const char *decl_arg(struct ev *st, struct ev_cmd *c, const struct av_sh_node *a)
{
	const struct av_sh_node *sub =
	        a->kids && a->kids->kind == AV_SH_SUBSCRIPT ? a->kids : NULL;
	const struct av_sh_node *val = sub ? sub->next : a->kids;
	if (sub || (val && val->kind == AV_SH_ARRAY) || c->ndecl >= 32)
		return node_text(st, a);
	struct wb w = { .split = false };
	if (val)
		expand_parts(st, &w, val->kids, false, WM_STRING);
	const char *v = buf_str(st, &w.cur);
	c->decl[c->ndecl].node = a;
	c->decl[c->ndecl].val = w.any_unknown ? NULL : v;
	c->ndecl++;
	if (w.any_unknown)
		c->a.any_unknown = true;
	return ev_printf(st, "%.*s%s%s", (int)a->len, a->text,
	                 (a->flags & AV_SH_F_APPEND) ? "+=" : "=", v ? v : "");
}

static void set_status(struct ev *st, int s)
{
	st->status = s;
	st->status_known = true;
}

static void status_unknown(struct ev *st)
{
	st->status_known = false;
}

static const struct ev_func *find_func(struct ev *st, const char *name)
{
	for (uint32_t i = st->sc.nfuncs; i-- > 0;)
		if (streq(st->sc.funcs[i].name, name))
			return st->sc.funcs[i].body ? &st->sc.funcs[i] : NULL;
	return NULL;
}

static void bi_declare(struct ev *st, struct ev_cmd *c)
{
	const char *name = c->a.v[0];
	struct ev_decl d = { 0 };
	bool is_local = streq(name, "local");
	bool global = false;
	if (streq(name, "export"))
		d.attrs_on |= VA_EXPORT;
	if (streq(name, "readonly"))
		d.attrs_on |= VA_READONLY;
	bool opts = true;
	bool funcs = false;
	/* walk the node's children so ASSIGN nodes keep their structure */
	const struct av_sh_node *k = c->node->kids;
	while (k && k->kind != AV_SH_WORD)
		k = k->next;
	for (k = k ? k->next : NULL; k && !st->stop; k = k->next) {
		if (k->kind == AV_SH_ASSIGN) {
			opts = false;
			if (funcs)
				continue;
			d.local = (is_local ||
			           (st->calls > 0 && !global &&
			            (streq(name, "declare") || streq(name, "typeset"))));
			const char *pre = NULL;
			bool have = false;
			for (uint32_t i = 0; i < c->ndecl; i++)
				if (c->decl[i].node == k) {
					pre = c->decl[i].val;
					have = true;
				}
			st->raw = (d.attrs_on & VA_NAMEREF) != 0;
			do_assign_pre(st, k, &d, NULL, have, pre);
			st->raw = false;
			continue;
		}
		if (k->kind != AV_SH_WORD)
			continue;
		struct ev_argv f = { 0 };
		expand_word_fields(st, &f, k);
		for (uint32_t i = 0; i < f.n; i++) {
			const char *w = f.v[i];
			if (opts && (w[0] == '-' || w[0] == '+') && w[1]) {
				if (streq(w, "--")) {
					opts = false;
					continue;
				}
				bool on = w[0] == '-';
				for (const char *p = w + 1; *p; p++) {
					uint8_t bit = 0;
					switch (*p) {
					case 'a':
						d.type = VT_INDEXED;
						break;
					case 'A':
						d.type = VT_ASSOC;
						break;
					case 'i':
						bit = VA_INT;
						break;
					case 'l':
						bit = VA_LOWER;
						break;
					case 'u':
						bit = VA_UPPER;
						break;
					case 'x':
						bit = VA_EXPORT;
						break;
					case 'r':
						bit = VA_READONLY;
						break;
					case 'g':
						global = true;
						break;
					case 'f':
					case 'F':
						funcs = true;
						break;
					case 'n':
						bit = VA_NAMEREF;
						st->namerefs = true;
						break;
					default:
						break;
					}
					if (on)
						d.attrs_on |= bit;
					else
						d.attrs_off |= bit;
				}
				continue;
			}
			opts = false;
			if (funcs)
				continue;
			d.local = (is_local ||
			           (st->calls > 0 && !global &&
			            (streq(name, "declare") || streq(name, "typeset"))));
			if (f.any_unknown) {
				continue;
			}
			size_t eq = strcspn(w, "=");
			size_t nl = strcspn(w, "[=");
			if (!valid_name(w, nl))
				continue;
			if (streq(name, "export") && d.attrs_off & VA_EXPORT) {
				struct ev_var *v = var_find(st, w, nl);
				if (v)
					v->attrs &= (uint8_t)~VA_EXPORT;
				continue;
			}
			if (w[eq] == '=' && nl == eq) {
				struct ev_decl dd = d;
				dd.attrs_on &= (uint8_t)~VA_READONLY;
				st->raw = (d.attrs_on & VA_NAMEREF) != 0;
				struct ev_var *v = decl_var(st, w, nl, &dd);
				if (v)
					var_set(st, w, nl, w + eq + 1, false);
				v = var_find(st, w, nl);
				if (v)
					v->attrs |= d.attrs_on & VA_READONLY;
				st->raw = false;
			} else if (nl == eq) {
				struct ev_var *v = decl_var(st, w, nl, &d);
				(void)v;
			} else {
				var_set_unknown(st, w, nl);
			}
		}
	}
	set_status(st, 0);
}

/* read [-r] [-a arr] [name...] from known standard input. */
static void bi_read(struct ev *st, struct ev_cmd *c)
{
	bool raw = false, unknown = false;
	const char *arr = NULL;
	uint32_t i = 1;
	for (; i < c->a.n; i++) {
		const char *w = c->a.v[i];
		if (w[0] != '-' || !w[1])
			break;
		if (streq(w, "--")) {
			i++;
			break;
		}
		for (const char *p = w + 1; *p; p++) {
			if (*p == 'r')
				raw = true;
			else if (*p == 's')
				continue;
			else if (*p == 'a' || *p == 'p' || *p == 'd' || *p == 'n' ||
			         *p == 'N' || *p == 't' || *p == 'u' || *p == 'i' ||
			         *p == 'e') {
				if (*p == 'a' && !p[1] && i + 1 < c->a.n)
					arr = c->a.v[++i];
				else if (*p == 'p' && !p[1] && i + 1 < c->a.n)
					i++;
				else if (*p != 'e')
					unknown = true;
				break;
			}
		}
	}
	const char **names = c->a.v + i;
	uint32_t nn = c->a.n - i;
	static const char *const reply[] = { "REPLY" };
	if (nn == 0 && !arr) {
		names = (const char **)reply;
		nn = 1;
	}
	struct ev_in *in = c->in;
	const char *ifs = ifs_value(st);
	bool known = !unknown && in && in->text && ifs && !st->uncertain;
	const char *line = NULL;
	if (known) {
		if (in->pos >= in->len) {
			line = NULL;
		} else {
			const char *s = in->text + in->pos;
			size_t rest = in->len - in->pos;
			const char *nl = memchr(s, '\n', rest);
			size_t ln = nl ? (size_t)(nl - s) : rest;
			line = ev_strndup(st, s, ln);
			in->pos += nl ? ln + 1 : ln;
			if (!raw && line && strchr(line, '\\'))
				known = false;
		}
	}
	if (!known) {
		for (uint32_t k = 0; k < nn; k++)
			var_set_unknown(st, names[k], strlen(names[k]));
		if (arr)
			var_set_unknown(st, arr, strlen(arr));
		status_unknown(st);
		return;
	}
	if (!line) {
		for (uint32_t k = 0; k < nn; k++)
			var_set(st, names[k], strlen(names[k]), "", false);
		set_status(st, 1);
		return;
	}
	/* split by IFS: leading/trailing IFS whitespace dropped; the last
	 * name takes the rest of the line */
	const char *p = line;
	while (*p && strchr(ifs, *p) && ifs_ws(*p))
		p++;
	if (arr) {
		struct ev_var *v = var_lookup_or_new(st, arr, strlen(arr));
		if (v) {
			v->type = VT_INDEXED;
			v->el = NULL;
			v->nel = 0;
			v->unknown = false;
			int64_t k = 0;
			while (*p) {
				size_t m = strcspn(p, ifs);
				var_set_elem(st, v, k++, NULL, ev_strndup(st, p, m),
				             false);
				p += m;
				while (*p && strchr(ifs, *p))
					p++;
			}
		}
		set_status(st, 0);
		return;
	}
	for (uint32_t k = 0; k < nn; k++) {
		if (k + 1 == nn) {
			size_t m = strlen(p);
			while (m > 0 && strchr(ifs, p[m - 1]) && ifs_ws(p[m - 1]))
				m--;
			var_set(st, names[k], strlen(names[k]), ev_strndup(st, p, m),
			        false);
			break;
		}
		size_t m = strcspn(p, ifs);
		var_set(st, names[k], strlen(names[k]), ev_strndup(st, p, m), false);
		p += m;
		if (*p && strchr(ifs, *p)) {
			bool nws = !ifs_ws(*p);
			p++;
			while (*p && strchr(ifs, *p) && ifs_ws(*p))
				p++;
			if (!nws && *p && strchr(ifs, *p) && !ifs_ws(*p))
				p++;
		}
	}
	set_status(st, 0);
}

/* test / [ with string and integer operators; -1 when unknown. */
static int test_eval(struct ev *st, const char *const *v, uint32_t n)
{
	(void)st;
	if (n == 0)
		return 1;
	if (n == 1)
		return v[0][0] ? 0 : 1;
	if (n == 2) {
		if (streq(v[0], "!"))
			return v[1][0] ? 1 : 0;
		if (streq(v[0], "-z"))
			return v[1][0] ? 1 : 0;
		if (streq(v[0], "-n"))
			return v[1][0] ? 0 : 1;
		return -1;
	}
	if (n == 3) {
		const char *op = v[1];
		if (streq(op, "=") || streq(op, "=="))
			return streq(v[0], v[2]) ? 0 : 1;
		if (streq(op, "!="))
			return streq(v[0], v[2]) ? 1 : 0;
		int64_t a, b;
		static const char *const ops[] = { "-eq", "-ne", "-lt",
			                           "-le", "-gt", "-ge" };
		for (int i = 0; i < 6; i++) {
			if (!streq(op, ops[i]))
				continue;
			if (!parse_int(v[0], &a) || !parse_int(v[2], &b))
				return -1;
			bool r = i == 0   ? a == b
			         : i == 1 ? a != b
			         : i == 2 ? a < b
			         : i == 3 ? a <= b
			         : i == 4 ? a > b
			                  : a >= b;
			return r ? 0 : 1;
		}
		if (streq(v[0], "!")) {
			int r = test_eval(st, v + 1, 2);
			return r < 0 ? -1 : !r;
		}
		return -1;
	}
	if (n == 4 && streq(v[0], "!")) {
		int r = test_eval(st, v + 1, 3);
		return r < 0 ? -1 : !r;
	}
	return -1;
}

static const char *join_words(struct ev *st, const char *const *v, uint32_t from,
                              uint32_t n)
{
	struct ev_buf b = { 0 };
	for (uint32_t i = from; i < n; i++) {
		if (i > from)
			buf_putc(st, &b, ' ');
		buf_putn(st, &b, v[i], strlen(v[i]));
	}
	return buf_str(st, &b);
}

static void define_alias(struct ev *st, const char *name, size_t n, const char *value)
{
	for (uint32_t i = 0; i < st->sc.naliases; i++)
		if (strlen(st->sc.aliases[i].name) == n &&
		    memcmp(st->sc.aliases[i].name, name, n) == 0) {
			st->sc.aliases[i].value = value;
			st->sc.aliases[i].active_from = SIZE_MAX;
			return;
		}
	struct ev_alias *a =
	        av_arena_push(st->arena, (void **)&st->sc.aliases, &st->sc.naliases,
	                      &st->sc.aliases_cap, sizeof(*a), EV_MAX_ALIASES);
	if (!a)
		return;
	a->name = ev_strndup(st, name, n);
	a->value = value;
	a->active_from = SIZE_MAX;
}

/* ---- what a command runs in turn ----------------------------------------- */

static const char *file_text(struct ev *st, const char *path, const char **how)
{
	for (uint32_t i = 0; i < st->nprocs; i++)
		if (streq(st->procs[i].text, path)) {
			*how = "process substitution";
			return st->procs[i].content;
		}
	const char *rp = av_path_resolve(path, st->ctx, st->arena);
	for (uint32_t i = st->nfiles; rp && i-- > 0;)
		if (streq(st->files[i].path, rp)) {
			*how = st->files[i].how;
			return st->files[i].text;
		}
	return NULL;
}

static void set_positional(struct ev *st, const char *const *v, uint32_t n, bool known)
{
	const char **p = av_arena_alloc(st->arena, sizeof(char *) * (n + 1));
	if (!p) {
		ev_nomem(st);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		p[i] = v[i];
	st->sc.pos = p;
	st->sc.npos = n;
	st->sc.pos_known = known;
}

/* A shell with no -c: its program is a script file or standard input. */
static void shell_program(struct ev *st, uint32_t idx)
{
	const struct av_command *c = &st->out->cmds[idx];
	const char *name = av_shell_basename(c->argv[0]);
	struct av_sh_invocation inv;
	av_shell_sh_invocation(c->argv, c->argc, &inv);
	if (inv.mode == AV_SH_SCRIPT) {
		const char *how = NULL;
		const char *text = file_text(st, inv.script, &how);
		if (text) {
			uint32_t k = 0;
			while (k < c->argc && c->argv[k] != inv.script)
				k++;
			const char *const *args =
			        c->argv + (k < c->argc ? k + 1 : c->argc);
			uint32_t nargs = k < c->argc ? c->argc - k - 1 : 0;
			run_new_shell(st, (int32_t)idx, text, strlen(text),
			              streq(how ? how : "", "process substitution")
			                      ? "script from a process substitution"
			                      : "script written earlier in this command",
			              args, nargs, true);
		} else if (strncmp(inv.script, "<(", 2) == 0) {
			st->out->cmds[idx].opaque =
			        "runs a script from a process substitution "
			        "whose output is known only at run time";
		}
		return;
	}
	if (inv.mode != AV_SH_STDIN)
		return;
	struct ev_in *in = st->cmd_in[idx];
	if (!in)
		return; /* interactive: reads the agent's own input */
	if (in->text) {
		char what[96];
		if (in->how &&
		    (streq(in->how, "here-document") || streq(in->how, "here-string")))
			snprintf(what, sizeof(what), "%s of %.20s", in->how, name);
		else if (in->how)
			snprintf(what, sizeof(what), "%.60s, piped to sh", in->how);
		else
			snprintf(what, sizeof(what), "piped to sh from %.40s",
			         in->from ? in->from : "a previous command");
		run_new_shell(st, (int32_t)idx, in->text + in->pos, in->len - in->pos,
		              what, NULL, 0, true);
		return;
	}
	if (in->file)
		return; /* a file not written in this text: effects read its path */
	const char *why = ev_printf(
	        st, "runs a script read from its standard input (piped from %.60s)",
	        in->from ? in->from : "a previous command");
	if (why)
		st->out->cmds[idx].opaque = why;
}

/* eval, source and ., which run text in this shell. */
static bool same_shell_text(struct ev *st, uint32_t idx)
{
	const struct av_command *c = &st->out->cmds[idx];
	const char *n = c->argv[0];
	if (streq(n, "eval")) {
		if (c->argc < 2)
			return true;
		bool unknown = false;
		for (uint32_t k = 1; k < c->argc; k++)
			unknown |= arg_unknown(st, c->argv[k]);
		if (unknown) {
			/* the text holds parts known only at run time: it is one
			 * opaque command, shown as written (reading it again
			 * would run its substitutions twice) */
			uint32_t depth = c->depth + 1;
			if (depth > AV_SHELL_MAX_DEPTH) {
				ev_limit(st, lim_depth);
				return true;
			}
			struct av_command e = *c;
			e.argv = c->argv + 1;
			e.argc = c->argc - 1;
			e.assigns = NULL;
			e.nassigns = 0;
			e.depth = depth;
			e.parent = (int32_t)idx;
			e.provenance = prov_at(st, "evaluated by eval", depth);
			e.opaque = "eval runs text that is known only at run time";
			(void)add_cmd(st, &e, st->cmd_in[idx]);
			return true;
		}
		const char *text = join_words(st, c->argv, 1, c->argc);
		const char *how = st->how_last;
		const char *what = how ? ev_printf(st, "%s, evaluated by eval", how)
		                       : "evaluated by eval";
		if (text && what) {
			/* commands eval runs from decoded text are marked so */
			const char *dsave = st->fr.decoded;
			if (how && decoded_how(how))
				st->fr.decoded = how;
			run_same_shell(st, (int32_t)idx, text, what);
			st->fr.decoded = dsave;
		}
		return true;
	}
	if ((streq(n, "source") || streq(n, ".")) && c->argc >= 2) {
		const char *how = NULL;
		const char *text = file_text(st, c->argv[1], &how);
		struct ev_in *in = st->cmd_in[idx];
		if (!text &&
		    (streq(c->argv[1], "/dev/stdin") || streq(c->argv[1], "/dev/fd/0")) &&
		    in && in->text) {
			text = in->text + in->pos;
			how = in->how;
		}
		if (!text) {
			/* a stream whose text is not known: what runs is not */
			bool stream = strncmp(c->argv[1], "<(", 2) == 0 ||
			              streq(c->argv[1], "/dev/stdin") ||
			              streq(c->argv[1], "/dev/fd/0");
			if (stream && !(in && in->file))
				st->out->cmds[idx].opaque = "sources a script whose text "
				                            "is known only at run time";
			return true;
		}
		const char **saved = st->sc.pos;
		uint32_t np = st->sc.npos;
		bool pk = st->sc.pos_known;
		if (c->argc > 2)
			set_positional(st, c->argv + 2, c->argc - 2, true);
		uint32_t calls = st->calls;
		run_same_shell(st, (int32_t)idx, text,
		               ev_printf(st, "sourced by %s from %.40s", n,
		                         how ? how : "a file written earlier"));
		if (st->ctl == CTL_RETURN)
			st->ctl = CTL_NONE;
		st->calls = calls;
		if (c->argc > 2) {
			st->sc.pos = saved;
			st->sc.npos = np;
			st->sc.pos_known = pk;
		}
		return true;
	}
	return false;
}

static bool is_output_redir(const struct av_redir *r)
{
	return (r->fd == 1 || r->fd == -1) &&
	       (r->op == AV_REDIR_OUT || r->op == AV_REDIR_CLOBBER ||
	        r->op == AV_REDIR_APPEND || r->op == AV_REDIR_OUT_ERR);
}

/* Text written to a startup file or a build file runs later: analyse it
 * now, one level deeper, under the command that writes it. */
static void written_runs_later(struct ev *st, uint32_t idx, const char *text)
{
	const struct av_command *c = &st->out->cmds[idx];
	const struct av_redir *out = NULL;
	for (uint32_t k = 0; k < c->nredirs; k++)
		if (is_output_redir(&c->redirs[k]) && c->redirs[k].target)
			out = &c->redirs[k];
	if (!out || !text || !text[0])
		return;
	const char *rt = av_path_resolve(out->target, st->ctx, st->arena);
	if (!rt) {
		ev_nomem(st);
		return;
	}
	if (av_path_classify(rt, st->ctx) == AV_PATH_PERSISTENCE) {
		char what[96];
		snprintf(what, sizeof(what), "text written to %.60s, run later",
		         out->target);
		run_new_shell(st, (int32_t)idx, text, strlen(text), what, NULL, 0, false);
		return;
	}
	const char *cmds = NULL, *where = NULL;
	size_t clen = 0;
	int rl = av_runs_later_text(rt, text, strlen(text), st->arena, &cmds, &clen,
	                            &where);
	if (rl < 0) {
		ev_nomem(st);
		return;
	}
	if (rl > 0) {
		char what[112];
		snprintf(what, sizeof(what), "%s written to %.50s, run later", where,
		         out->target);
		run_new_shell(st, (int32_t)idx, cmds, clen, what, NULL, 0, false);
	}
}

static void unwrap_command(struct ev *st, uint32_t idx);

/* Everything a just-emitted command runs in turn. */
static void post_command(struct ev *st, uint32_t idx)
{
	if (st->stop)
		return;
	const struct av_command *c = &st->out->cmds[idx];
	if (c->argc == 0 || c->opaque)
		return;
	if (!strchr(c->argv[0], '/') && same_shell_text(st, idx))
		return;
	const char *name = av_shell_basename(c->argv[0]);
	if (av_shell_is_shell(name))
		shell_program(st, idx);
	if (st->stop)
		return;
	unwrap_command(st, idx);
	c = &st->out->cmds[idx];
	if (strchr(c->argv[0], '/') && !av_shell_is_shell(name)) {
		const char *how = NULL;
		const char *text = file_text(st, c->argv[0], &how);
		if (text)
			run_new_shell(st, (int32_t)idx, text, strlen(text),
			              "script written earlier in this command",
			              (const char *const *)c->argv + 1, c->argc - 1,
			              true);
	}
}

/* ---- sh_unwrap host ----------------------------------------------------- */

static void host_run_text(void *ctx, uint32_t idx, const char *text, size_t len,
                          const char *what)
{
	struct ev *st = ctx;
	if (st->stop)
		return;
	const struct av_command *c = &st->out->cmds[idx];
	/* sh -c CODE NAME ARGS: $0 and the positional parameters */
	const char *const *args = NULL;
	uint32_t nargs = 0;
	bool known = false;
	if (c->argc && av_shell_is_shell(av_shell_basename(c->argv[0]))) {
		for (uint32_t k = 1; k < c->argc; k++)
			if (c->argv[k] == text) {
				known = true;
				if (k + 1 < c->argc)
					st->next_arg0 = c->argv[k + 1];
				if (k + 2 < c->argc) {
					args = (const char *const *)c->argv + k + 2;
					nargs = c->argc - k - 2;
				}
				/* $0, $1... that hold unknown parts are unknown */
				for (uint32_t j = k + 1; j < c->argc; j++)
					known &= !arg_unknown(st, c->argv[j]);
				if (k + 1 < c->argc && arg_unknown(st, c->argv[k + 1]))
					st->next_arg0 = NULL;
			}
	}
	if (arg_unknown(st, text)) {
		/* the program is known only at run time: one opaque command
		 * shown as written (reading it would run its parts twice) */
		uint32_t depth = c->depth + 1;
		if (depth > AV_SHELL_MAX_DEPTH) {
			ev_limit(st, lim_depth);
			return;
		}
		struct av_command e = *c;
		const char **one = av_arena_alloc(st->arena, 2 * sizeof(*one));
		if (!one) {
			ev_nomem(st);
			return;
		}
		one[0] = text;
		one[1] = NULL;
		e.argv = one;
		e.argc = 1;
		e.assigns = NULL;
		e.nassigns = 0;
		e.depth = depth;
		e.parent = (int32_t)idx;
		e.provenance = prov_at(st, what, depth);
		e.opaque = "the shell's program is known only at run time";
		e.decoded = NULL;
		(void)add_cmd(st, &e, st->cmd_in[idx]);
		return;
	}
	char *copy = ev_strndup(st, text, len);
	const char *w = ev_strndup(st, what, strlen(what));
	if (copy && w)
		run_new_shell(st, (int32_t)idx, copy, len, w, args, nargs, known);
}

static int32_t host_add_inner(void *ctx, uint32_t idx, const char **argv, uint32_t argc,
                              const struct av_assign *assigns, uint32_t nassigns,
                              const char *what, const char *opaque,
                              const char *unresolved)
{
	struct ev *st = ctx;
	if (st->stop)
		return -1;
	const struct av_command *p = &st->out->cmds[idx];
	uint32_t depth = p->depth + 1;
	if (depth > AV_SHELL_MAX_DEPTH) {
		ev_limit(st, lim_depth);
		return -1;
	}
	struct av_command c = *p;
	c.argv = argv;
	c.argc = argc;
	c.assigns = (struct av_assign *)assigns;
	c.nassigns = nassigns;
	c.depth = depth;
	c.parent = (int32_t)idx;
	c.provenance = prov_at(st, what, depth);
	c.opaque = opaque ? ev_strndup(st, opaque, strlen(opaque)) : NULL;
	c.decoded = NULL;
	/* The wrapper's words are the inner command's: a run-time argument of
	 * one is a run-time argument of the other. */
	if (unresolved != NULL)
		c.unresolved = unresolved;
	int32_t i = add_cmd(st, &c, st->cmd_in[idx]);
	if (i >= 0)
		post_command(st, (uint32_t)i);
	/* `command exec X`, `builtin exec X`: the shell is replaced */
	if (i >= 0 && argc > 1 && streq(argv[0], "exec") && !st->uncertain)
		st->ctl = CTL_EXIT;
	return i;
}

static void host_mark_opaque(void *ctx, uint32_t idx, const char *reason)
{
	struct ev *st = ctx;
	if (st->out->cmds[idx].opaque == NULL)
		st->out->cmds[idx].opaque = reason;
}

static const char *host_stdin_text(void *ctx, uint32_t idx, size_t *len)
{
	struct ev *st = ctx;
	struct ev_in *in = st->cmd_in[idx];
	if (!in || !in->text)
		return NULL;
	*len = in->len - in->pos;
	return in->text + in->pos;
}

static void host_fail(void *ctx, const char *limit)
{
	struct ev *st = ctx;
	if (limit)
		ev_limit(st, limit);
	else
		ev_nomem(st);
}

static void unwrap_command(struct ev *st, uint32_t idx)
{
	struct av_sh_unwrap_host h = {
		.ctx = st,
		.arena = st->arena,
		.result = st->out,
		.run_text = host_run_text,
		.add_inner = host_add_inner,
		.mark_opaque = host_mark_opaque,
		.stdin_text = host_stdin_text,
		.fail = host_fail,
	};
	(void)av_sh_unwrap(&h, idx);
}

/* ---- simple commands ------------------------------------------------------ */

/* Builtins whose standard output is empty when they succeed (sorted for
 * bsearch). */
static int name_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool silent_builtin(const char *n)
{
	static const char *const names[] = {
		".",       ":",       "[",         "alias",    "break",  "builtin",
		"cd",      "command", "continue",  "declare",  "eval",   "exec",
		"exit",    "export",  "false",     "getopts",  "let",    "local",
		"mapfile", "read",    "readarray", "readonly", "return", "set",
		"shift",   "shopt",   "source",    "test",     "trap",   "true",
		"typeset", "ulimit",  "umask",     "unalias",  "unset",  "wait",
	};
	return bsearch(n, names, sizeof(names) / sizeof(names[0]), sizeof(names[0]),
	               name_key_cmp) != NULL;
}

static void call_function(struct ev *st, struct ev_cmd *c, const struct ev_func *f);

/* Runs the builtins that change the shell's state; returns true when the
 * name is one (status set). */
static bool bi_true(struct ev *st, struct ev_cmd *c)
{
	(void)c;
	set_status(st, 0);
	return true;
}

static bool bi_false(struct ev *st, struct ev_cmd *c)
{
	(void)c;
	set_status(st, 1);
	return true;
}

static bool bi_declare_cmd(struct ev *st, struct ev_cmd *c)
{
	bi_declare(st, c);
	return true;
}

static bool bi_unset(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	bool funcs = false;
	for (uint32_t i = 1; i < argc; i++) {
		if (streq(v[i], "-f")) {
			funcs = true;
			continue;
		}
		if (v[i][0] == '-')
			continue;
		if (funcs) {
			struct ev_func *f = av_arena_push(
			        st->arena, (void **)&st->sc.funcs, &st->sc.nfuncs,
			        &st->sc.funcs_cap, sizeof(*f), EV_MAX_FUNCS);
			if (f) {
				f->name = v[i];
				f->body = NULL;
			}
			continue;
		}
		size_t nl = strcspn(v[i], "[");
		if (v[i][nl] == '[')
			var_set_unknown(st, v[i], nl);
		else if (valid_name(v[i], nl))
			var_unset(st, v[i], nl);
	}
	set_status(st, 0);
	return true;
}

static bool bi_read_cmd(struct ev *st, struct ev_cmd *c)
{
	bi_read(st, c);
	return true;
}

static bool bi_mapfile(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	const char *arr = argc > 1 && v[argc - 1][0] != '-' ? v[argc - 1] : "MAPFILE";
	var_set_unknown(st, arr, strlen(arr));
	status_unknown(st);
	return true;
}

static bool bi_getopts(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	if (argc > 2)
		var_set_unknown(st, v[2], strlen(v[2]));
	status_unknown(st);
	return true;
}

static bool bi_set(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	uint32_t i = 1;
	bool any_opt = false;
	for (; i < argc; i++) {
		if (streq(v[i], "--")) {
			i++;
			any_opt = true;
			break;
		}
		if ((v[i][0] == '-' || v[i][0] == '+') && v[i][1]) {
			any_opt = true;
			bool on = v[i][0] == '-';
			if (v[i][1] != 'o' && strchr(v[i] + 1, 'e'))
				st->sc.errexit = on;
			if (v[i][1] == 'o' && !v[i][2] && i + 1 < argc &&
			    streq(v[i + 1], "errexit"))
				st->sc.errexit = on;
			if ((streq(v[i], "-o") || streq(v[i], "+o")) && i + 1 < argc)
				i++;
			continue;
		}
		break;
	}
	if (i < argc || (any_opt && i == argc && argc > 1 && streq(v[argc - 1], "--")))
		set_positional(st, v + i, argc - i, !c->a.any_unknown);
	set_status(st, 0);
	return true;
}

static bool bi_shift(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	int64_t k = 1;
	if (argc > 1 && !parse_int(v[1], &k))
		k = -1;
	if (!st->sc.pos_known || k < 0) {
		st->sc.pos_known = false;
		status_unknown(st);
	} else if ((uint64_t)k > st->sc.npos) {
		set_status(st, 1);
	} else {
		st->sc.pos += k;
		st->sc.npos -= (uint32_t)k;
		set_status(st, 0);
	}
	return true;
}

static bool bi_shopt(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	bool on = false, off = false;
	for (uint32_t i = 1; i < argc; i++) {
		if (streq(v[i], "-s"))
			on = true;
		else if (streq(v[i], "-u"))
			off = true;
		else if (streq(v[i], "extglob") && (on || off))
			st->extglob = on;
		else if (streq(v[i], "nocasematch") && (on || off))
			st->nocasematch = on;
		else if (streq(v[i], "expand_aliases") && (on || off)) {
			if (on)
				st->sc.aliases_on_from = SIZE_MAX - 1;
			else
				st->sc.aliases_off_pending = 1;
		}
	}
	set_status(st, 0);
	return true;
}

static bool bi_alias(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	for (uint32_t i = 1; i < argc; i++) {
		const char *eq = strchr(v[i], '=');
		if (eq && eq > v[i])
			define_alias(st, v[i], (size_t)(eq - v[i]), eq + 1);
	}
	set_status(st, 0);
	return true;
}

static bool bi_unalias(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	for (uint32_t i = 1; i < argc; i++)
		for (uint32_t k = 0; k < st->sc.naliases; k++)
			if (streq(v[i], "-a") || streq(st->sc.aliases[k].name, v[i]))
				st->sc.aliases[k].value = NULL;
	set_status(st, 0);
	return true;
}

static bool bi_let(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	const char *r = NULL;
	for (uint32_t i = 1; i < argc; i++)
		r = arith_value(st, v[i]);
	int64_t x;
	if (r && parse_int(r, &x))
		set_status(st, x ? 0 : 1);
	else
		status_unknown(st);
	return true;
}

static bool bi_test(struct ev *st, struct ev_cmd *c)
{
	const char *n = c->a.v[0];
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	uint32_t m = argc - 1;
	if (streq(n, "[") && m > 0 && streq(v[argc - 1], "]"))
		m--;
	int r = c->a.any_unknown ? -1 : test_eval(st, v + 1, m);
	if (r < 0)
		status_unknown(st);
	else
		set_status(st, r);
	return true;
}

static bool bi_exit(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	int64_t s = 0;
	if (argc > 1 && parse_int(v[1], &s))
		set_status(st, (int)(s & 255));
	else
		status_unknown(st);
	if (!st->uncertain)
		st->ctl = CTL_EXIT;
	return true;
}

static bool bi_return(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	int64_t s = 0;
	if (argc > 1 && parse_int(v[1], &s))
		set_status(st, (int)(s & 255));
	if (!st->uncertain)
		st->ctl = CTL_RETURN;
	return true;
}

static bool bi_break(struct ev *st, struct ev_cmd *c)
{
	const char *n = c->a.v[0];
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	int64_t k = 1;
	if (argc > 1)
		(void)parse_int(v[1], &k);
	if (!st->uncertain && st->loops > 0) {
		st->ctl = streq(n, "break") ? CTL_BREAK : CTL_CONTINUE;
		st->ctl_n = k < 1 ? 1 : (uint32_t)k;
	}
	set_status(st, 0);
	return true;
}

static bool bi_trap(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	/* the handler runs later: at exit (kept until the shell ends) or
	 * on a signal (any time: analysed now) */
	bool at_exit = false, other = false;
	for (uint32_t i = 2; i < argc; i++) {
		if (streq(v[i], "EXIT") || streq(v[i], "0") || streq(v[i], "SIGEXIT"))
			at_exit = true;
		else
			other = true;
	}
	if (argc > 2 && v[1][0] != '-' && v[1][0]) {
		if (other)
			run_same_shell(st, c->idx, v[1], "trap handler");
		if (at_exit) {
			st->sc.exit_trap = v[1];
			st->sc.exit_trap_cmd = c->idx;
		}
	} else if (argc > 2 && at_exit) {
		st->sc.exit_trap = NULL;
	}
	set_status(st, 0);
	return true;
}

static bool bi_cd(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	/* PWD and OLDPWD follow, as if the directory exists (effects
	 * assume the same); a relative target is joined lexically */
	uint32_t i = 1;
	while (i < argc && (streq(v[i], "-L") || streq(v[i], "-P") || streq(v[i], "--")))
		i++;
	const char *to = i < argc ? v[i] : NULL, *pwd = NULL, *home = NULL;
	bool pwd_known = var_get(st, "PWD", 3, 0, NULL, &pwd) == 0 && pwd;
	if (!to && var_get(st, "HOME", 4, 0, NULL, &home) == 0)
		to = home;
	if (to && streq(to, "-")) {
		const char *old = NULL;
		to = var_get(st, "OLDPWD", 6, 0, NULL, &old) == 0 ? old : NULL;
		sink_unknown(st); /* cd - prints the directory */
	}
	if (pwd_known)
		var_set(st, "OLDPWD", 6, pwd, false);
	else
		var_set_unknown(st, "OLDPWD", 6);
	const char *np = NULL;
	if (to && !c->a.any_unknown) {
		if (to[0] == '/')
			np = to;
		else if (pwd_known)
			np = ev_printf(st, "%s/%s", pwd, to);
	}
	np = np ? av_path_resolve(np, NULL, st->arena) : NULL;
	if (np)
		var_set(st, "PWD", 3, np, false);
	else
		var_set_unknown(st, "PWD", 3);
	status_unknown(st);
	return true;
}

static bool bi_printf(struct ev *st, struct ev_cmd *c)
{
	const char *const *v = c->a.v;
	uint32_t argc = c->a.n;
	if (!(argc > 2 && streq(v[1], "-v")))
		return false;
	/* printf -v VAR FORMAT ARGS assigns what it would print */
	const char **pv = av_arena_alloc(st->arena, sizeof(char *) * (argc - 1));
	if (!pv) {
		ev_nomem(st);
		return true;
	}
	pv[0] = "printf";
	for (uint32_t i = 3; i < argc; i++)
		pv[i - 2] = v[i];
	pv[argc - 2] = NULL;
	const char *out = NULL, *how = NULL;
	size_t ol = 0;
	int status = 0;
	const char *var = v[2];
	size_t vl = strcspn(var, "[");
	if (!c->a.any_unknown && argc > 3 &&
	    run_pure(st, pv, argc - 2, NULL, &out, &ol, &status, &how) &&
	    !memchr(out, '\0', ol) && var[vl] == '\0') {
		var_set(st, var, vl, out, false);
		if (how)
			st->how_last = how;
		set_status(st, status);
	} else {
		var_set_unknown(st, var, vl);
		status_unknown(st);
	}
	return true;
}

/* The builtins that change the shell's state, by name (sorted for
 * bsearch). Each returns true when it handled the command (status set). */
struct ev_builtin {
	const char *name;
	bool (*run)(struct ev *st, struct ev_cmd *c);
};

static int builtin_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ev_builtin *)elem)->name);
}

static bool run_builtin(struct ev *st, struct ev_cmd *c)
{
	static const struct ev_builtin table[] = {
		{ ":", bi_true },
		{ "[", bi_test },
		{ "alias", bi_alias },
		{ "break", bi_break },
		{ "cd", bi_cd },
		{ "continue", bi_break },
		{ "declare", bi_declare_cmd },
		{ "exit", bi_exit },
		{ "export", bi_declare_cmd },
		{ "false", bi_false },
		{ "getopts", bi_getopts },
		{ "let", bi_let },
		{ "local", bi_declare_cmd },
		{ "mapfile", bi_mapfile },
		{ "printf", bi_printf },
		{ "read", bi_read_cmd },
		{ "readarray", bi_mapfile },
		{ "readonly", bi_declare_cmd },
		{ "return", bi_return },
		{ "set", bi_set },
		{ "shift", bi_shift },
		{ "shopt", bi_shopt },
		{ "test", bi_test },
		{ "trap", bi_trap },
		{ "true", bi_true },
		{ "typeset", bi_declare_cmd },
		{ "unalias", bi_unalias },
		{ "unset", bi_unset },
	};
	const char *n = c->a.v[0];
	if (strchr(n, '/'))
		return false;
	const struct ev_builtin *b = bsearch(n, table, sizeof(table) / sizeof(table[0]),
	                                     sizeof(table[0]), builtin_cmp);
	return b ? b->run(st, c) : false;
}

/* The alias that applies to a command's first word, if any. */
static const struct ev_alias *alias_for(struct ev *st, const struct av_sh_node *word)
{
	/* In the top-level text a line is parsed before it runs, so what the
	 * same line defines is not in effect yet; text parsed later (eval, an
	 * alias's own value) sees every alias defined so far. */
	bool top = st->fr.top;
	if (st->sc.naliases == 0 || st->sc.aliases_on_from == SIZE_MAX)
		return NULL;
	if (top && (st->sc.aliases_on_from == SIZE_MAX - 1 ||
	            word->start < st->sc.aliases_on_from))
		return NULL;
	const struct av_sh_node *p = word->kids;
	if (!p || p->next || p->kind != AV_SH_LIT)
		return NULL;
	for (uint32_t i = 0; i < st->sc.naliases; i++) {
		const struct ev_alias *a = &st->sc.aliases[i];
		if (!a->value || strlen(a->name) != p->len ||
		    memcmp(a->name, p->text, p->len) != 0)
			continue;
		for (uint32_t k = 0; k < st->nbusy; k++)
			if (st->busy[k] == a)
				return NULL; /* an alias does not expand inside itself */
		if (top && (a->active_from == SIZE_MAX || word->start < a->active_from))
			return NULL;
		return a;
	}
	return NULL;
}

/* Aliases: the first word is replaced by the alias text and the command is
 * read again (bash expands aliases when it reads a line, so an alias
 * defined on a line applies from the next line on). */
static bool expand_alias(struct ev *st, const struct av_sh_node *n)
{
	const struct av_sh_node *first = n->kids;
	if (!first || first->kind != AV_SH_WORD || !st->fr.src)
		return false;
	const struct ev_alias *a = alias_for(st, first);
	if (!a || n->end > st->fr.srclen || first->end > n->end)
		return false;
	for (const struct av_sh_node *k = n->kids; k; k = k->next)
		if (k->kind == AV_SH_REDIR && k->op == AV_SH_R_HEREDOC)
			return false;
	struct ev_buf b = { 0 };
	buf_putn(st, &b, a->value, strlen(a->value));
	const char *rest = st->fr.src + first->end;
	size_t rlen = n->end - first->end;
	/* a value ending in a blank makes the next word a candidate too */
	size_t vl = strlen(a->value);
	const struct ev_alias *a2 = NULL;
	if (vl && (a->value[vl - 1] == ' ' || a->value[vl - 1] == '\t') && first->next &&
	    first->next->kind == AV_SH_WORD) {
		a2 = alias_for(st, first->next);
		if (a2 == a)
			a2 = NULL;
		if (a2) {
			buf_putn(st, &b, a2->value, strlen(a2->value));
			rest = st->fr.src + first->next->end;
			rlen = n->end - first->next->end;
		}
	}
	buf_putn(st, &b, rest, rlen);
	const char *text = buf_str(st, &b);
	if (!text)
		return true;
	/* the replacement is read as text: further aliases are not expanded
	 * (bash would expand a different alias at its start; rare) */
	if (st->nbusy + 2 > EV_MAX_BUSY)
		return false;
	uint32_t nbusy = st->nbusy;
	st->busy[st->nbusy++] = a;
	if (a2)
		st->busy[st->nbusy++] = a2;
	struct ev_frame fr = st->fr;
	st->fr.top = false;
	eval_text(st, text, strlen(text), false);
	st->fr = fr;
	st->nbusy = nbusy;
	return true;
}

static void emit_redir_holder(struct ev *st, const struct ev_redirs *rs)
{
	if (rs->n == 0)
		return;
	struct av_command c;
	cmd_proto(st, &c);
	c.redirs = rs->r;
	c.nredirs = rs->n;
	(void)add_cmd(st, &c, rs->in ? rs->in : st->in);
}

/* After a command with prefix assignments: the variables they set go
 * back to what they were. A builtin's other changes (declare, read) stay. */
static void drop_prefix(struct ev *st, const struct av_sh_node *n, struct ev_scope *saved,
                        bool keep_rest)
{
	if (!keep_rest) {
		st->sc = *saved;
		return;
	}
	for (const struct av_sh_node *k = n->kids; k; k = k->next) {
		if (k->kind == AV_SH_WORD)
			break; /* ASSIGN nodes after the name are declare's */
		if (k->kind != AV_SH_ASSIGN)
			continue;
		struct ev_var *cur = var_find(st, k->text, k->len);
		if (!cur)
			continue;
		const struct ev_var *old = NULL;
		for (uint32_t i = saved->nvars; i-- > 0;)
			if (strlen(saved->vars[i].name) == k->len &&
			    memcmp(saved->vars[i].name, k->text, k->len) == 0) {
				old = &saved->vars[i];
				break;
			}
		if (old) {
			*cur = *old;
		} else {
			uint32_t at = (uint32_t)(cur - st->sc.vars);
			memmove(cur, cur + 1, sizeof(*cur) * (st->sc.nvars - at - 1));
			st->sc.nvars--;
		}
	}
}

static void ev_simple(struct ev *st, const struct av_sh_node *n)
{
	if (expand_alias(st, n))
		return;
	struct ev_cmd c;
	memset(&c, 0, sizeof(c));
	c.node = n;
	c.idx = -1;
	st->how_last = NULL;
	bool seen_word = false;
	uint32_t nprefix = 0;
	for (const struct av_sh_node *k = n->kids; k && !st->stop; k = k->next) {
		if (k->kind == AV_SH_WORD) {
			expand_word_fields(st, &c.a, k);
			seen_word = true;
		} else if (k->kind == AV_SH_ASSIGN && seen_word) {
			/* declare-style arguments: shown as NAME=value */
			const char *t = decl_arg(st, &c, k);
			if (t) {
				if (c.a.n == 0)
					c.a.unknown0 = true;
				argv_push(st, &c.a, t);
			}
		} else if (k->kind == AV_SH_ASSIGN) {
			nprefix++;
		}
	}
	if (c.a.how)
		st->how_last = c.a.how;
	argv_terminate(st, &c.a);
	if (st->stop)
		return;
	if (st->ctl == CTL_EXIT)
		return; /* ${x?} failed: the command does not run */
	for (const struct av_sh_node *k = n->kids; k && !st->stop; k = k->next)
		if (k->kind == AV_SH_REDIR)
			eval_redir(st, &c.rs, k);
	c.in = c.rs.in ? c.rs.in : st->in;

	/* prefix assignments: permanent without a command, else only for it */
	struct av_assign *as = NULL;
	struct ev_scope saved;
	bool temp = c.a.n > 0 && nprefix > 0;
	if (temp)
		scope_copy(st, &saved, &st->sc);
	if (nprefix) {
		as = av_arena_alloc(st->arena, sizeof(*as) * nprefix);
		if (!as) {
			ev_nomem(st);
			return;
		}
		uint32_t i = 0;
		struct ev_decl exp = { .attrs_on = VA_EXPORT };
		for (const struct av_sh_node *k = n->kids; k && i < nprefix; k = k->next)
			if (k->kind == AV_SH_ASSIGN)
				do_assign(st, k, temp ? &exp : NULL, &as[i++]);
	}
	struct av_command cmd;
	cmd_proto(st, &cmd);
	cmd.argv = c.a.v;
	cmd.argc = c.a.n;
	cmd.assigns = as;
	cmd.nassigns = nprefix;
	cmd.redirs = c.rs.r;
	cmd.nredirs = c.rs.n;
	if (c.a.n == 0) {
		if (nprefix || c.rs.n)
			(void)add_cmd(st, &cmd, c.in);
		set_status(st, 0);
		if (c.rs.out_path)
			note_file(st, c.rs.out_path, "", c.rs.out_append, NULL);
		return;
	}
	if (c.a.unknown0) {
		cmd.opaque = c.a.why0 ? c.a.why0
		                      : "the command name is known only at run time";
		(void)add_cmd(st, &cmd, c.in);
		status_unknown(st);
		if (!c.rs.out_elsewhere)
			sink_unknown(st);
		if (temp)
			st->sc = saved;
		return;
	}
	const struct ev_func *f = find_func(st, c.a.v[0]);
	if (f) {
		if (!f->bomb)
			emit_redir_holder(st, &c.rs);
		call_function(st, &c, f);
		/* the function's own assignments stay; the prefix ones go */
		if (temp)
			drop_prefix(st, n, &saved, true);
		return;
	}
	cmd.opaque = c.a.opaque;
	cmd.decoded = c.a.how0 ? c.a.how0 : st->fr.decoded;
	if (c.a.any_unknown)
		cmd.unresolved =
		        "some arguments depend on run-time data and are shown as "
		        "written";
	c.idx = add_cmd(st, &cmd, c.in);
	if (c.idx < 0)
		return;
	const char *name = c.a.v[0];
	bool builtin = run_builtin(st, &c);
	const char *out = NULL, *how = NULL;
	size_t ol = 0;
	int status = 0;
	bool printf_v = streq(name, "printf") && c.a.n > 1 && streq(c.a.v[1], "-v");
	if (!printf_v && !c.a.any_unknown &&
	    run_pure(st, c.a.v, c.a.n, c.in, &out, &ol, &status, &how)) {
		set_status(st, status);
		if (c.rs.out_elsewhere)
			note_file(st, c.rs.out_path, out, c.rs.out_append, how);
		else
			sink_put(st, out, ol, how);
		if (st->sink && !c.rs.out_elsewhere)
			st->sink->from = av_shell_basename(name);
		if (c.rs.out_elsewhere && c.rs.out_path)
			written_runs_later(st, (uint32_t)c.idx, out);
	} else {
		if (!builtin)
			status_unknown(st);
		bool silent = builtin || (silent_builtin(name) && !strchr(name, '/'));
		if (c.rs.out_elsewhere)
			note_file(st, c.rs.out_path, silent ? "" : NULL, c.rs.out_append,
			          NULL);
		else if (!silent)
			sink_unknown(st);
		if (st->sink && !c.rs.out_elsewhere && !silent)
			st->sink->from = av_shell_basename(name);
	}
	st->args_unknown = c.a.any_unknown;
	post_command(st, (uint32_t)c.idx);
	st->args_unknown = false;
	if (streq(name, "exec") && c.a.n > 1 && !st->uncertain)
		st->ctl = CTL_EXIT;
	if (temp)
		drop_prefix(st, n, &saved, builtin);
}

/* ---- functions ------------------------------------------------------------ */

/* Counts the calls of NAME in a function body and how many of them run
 * in a pipeline or in the background. */
static void count_calls(const struct av_sh_node *n, const char *name, bool par,
                        uint32_t *calls, uint32_t *pars, uint32_t depth)
{
	if (!n || depth > 256 || n->kind >= AV_SH_WORD)
		return;
	if (n->kind == AV_SH_SIMPLE) {
		const struct av_sh_node *w = n->kids;
		while (w && w->kind != AV_SH_WORD)
			w = w->next;
		if (w && w->kids && !w->kids->next && w->kids->kind == AV_SH_LIT &&
		    w->kids->len == strlen(name) &&
		    memcmp(w->kids->text, name, w->kids->len) == 0) {
			(*calls)++;
			*pars += par;
		}
		return;
	}
	bool kp = par || n->kind == AV_SH_PIPELINE;
	for (const struct av_sh_node *k = n->kids; k; k = k->next)
		count_calls(k, name,
		            kp || (n->kind == AV_SH_LIST && (k->flags & AV_SH_F_ASYNC)),
		            calls, pars, depth + 1);
}

static void define_function(struct ev *st, const struct av_sh_node *n)
{
	struct ev_func *f =
	        av_arena_push(st->arena, (void **)&st->sc.funcs, &st->sc.nfuncs,
	                      &st->sc.funcs_cap, sizeof(*f), EV_MAX_FUNCS);
	if (!f)
		return;
	f->name = ev_strndup(st, n->text, n->len);
	f->body = n->kids;
	f->src = st->fr.src;
	f->srclen = st->fr.srclen;
	f->top = st->fr.top;
	uint32_t calls = 0, par = 0;
	if (f->name && n->kids)
		count_calls(n->kids, f->name, false, &calls, &par, 0);
	f->bomb = calls >= 2 && par > 0;
	set_status(st, 0);
}

static void call_function(struct ev *st, struct ev_cmd *c, const struct ev_func *f)
{
	if (f->bomb) {
		struct av_command cmd;
		cmd_proto(st, &cmd);
		cmd.argv = c->a.v;
		cmd.argc = c->a.n;
		cmd.redirs = c->rs.r;
		cmd.nredirs = c->rs.n;
		cmd.opaque = av_shell_fork_bomb;
		(void)add_cmd(st, &cmd, c->in);
		if (st->bomb)
			return;
		st->bomb = f->name;
	} else if (st->calls >= EV_MAX_CALLS) {
		if (!st->uncertain)
			ev_limit(st, lim_calls);
		return;
	}
	/* a function already running, called again on a path that may not
	 * be taken: its body is being analysed already */
	for (uint32_t i = 0; i < st->calls && st->uncertain && !f->bomb; i++)
		if (streq(st->stack[i], f->name)) {
			status_unknown(st);
			return;
		}
	const char **pos = st->sc.pos;
	uint32_t npos = st->sc.npos;
	bool pk = st->sc.pos_known;
	set_positional(st, c->a.v + 1, c->a.n - 1, !c->a.any_unknown);
	struct ev_in *in = st->in;
	if (c->rs.in)
		st->in = c->rs.in;
	struct ev_frame fr = st->fr;
	st->fr.src = f->src;
	st->fr.srclen = f->srclen;
	st->fr.top = f->top;
	st->stack[st->calls] = f->name;
	st->calls++;
	uint32_t loops = st->loops;
	st->loops = 0;
	ev_command(st, f->body);
	if (st->ctl == CTL_RETURN || st->ctl == CTL_BREAK || st->ctl == CTL_CONTINUE)
		st->ctl = CTL_NONE;
	/* locals of this call go away */
	uint32_t k = 0;
	for (uint32_t i = 0; i < st->sc.nvars; i++) {
		const struct ev_var *v = &st->sc.vars[i];
		if ((v->attrs & VA_LOCAL) && v->level == st->calls)
			continue;
		st->sc.vars[k++] = *v;
	}
	st->sc.nvars = k;
	st->calls--;
	st->loops = loops;
	st->fr = fr;
	st->in = in;
	st->sc.pos = pos;
	st->sc.npos = npos;
	st->sc.pos_known = pk;
	if (f->bomb)
		st->bomb = NULL;
}

/* ---- compound commands ---------------------------------------------------- */

/* Runs X on a path that may not be taken: what it changes becomes unknown
 * unless it agrees with the state where X did not run. */
#define MAYBE(st, stmt)                                                                  \
	do {                                                                             \
		struct ev_scope before_;                                                 \
		scope_copy((st), &before_, &(st)->sc);                                   \
		(st)->uncertain++;                                                       \
		stmt;                                                                    \
		(st)->uncertain--;                                                       \
		scope_merge((st), &before_);                                             \
		status_unknown(st);                                                      \
	} while (0)

/* [[ ]]: 0 true, 1 false, -1 unknown. Operands are expanded (their
 * substitutions run) as bash would, left to right, short-circuiting. */
static int cond_eval(struct ev *st, const struct av_sh_node *n, uint32_t depth)
{
	if (!n || depth > 256 || !ev_step(st))
		return -1;
	switch (n->kind) {
	case AV_SH_COND_AND:
	case AV_SH_COND_OR: {
		bool and = n->kind == AV_SH_COND_AND;
		int r = and? 0 : 1;
		for (const struct av_sh_node *k = n->kids; k; k = k->next) {
			int x = cond_eval(st, k, depth + 1);
			if (and&&x == 1)
				return 1;
			if (!and&&x == 0)
				return 0;
			if (x < 0)
				r = -1;
		}
		return r;
	}
	case AV_SH_COND_NOT: {
		int x = cond_eval(st, n->kids, depth + 1);
		return x < 0 ? -1 : !x;
	}
	case AV_SH_COND_GROUP:
		return cond_eval(st, n->kids, depth + 1);
	case AV_SH_WORD: {
		const char *s = expand_string(st, n, false, NULL);
		return s ? (s[0] ? 0 : 1) : -1;
	}
	case AV_SH_COND_UNARY: {
		const char *s = expand_string(st, n->kids, false, NULL);
		if (!s)
			return -1;
		if (n->len == 2 && n->text[1] == 'z')
			return s[0] ? 1 : 0;
		if (n->len == 2 && n->text[1] == 'n')
			return s[0] ? 0 : 1;
		if (n->len == 2 && n->text[1] == 'v') {
			const char *v;
			if (!valid_name(s, strlen(s)) ||
			    var_get(st, s, strlen(s), 0, "0", &v))
				return -1;
			return v ? 0 : 1;
		}
		return -1;
	}
	case AV_SH_COND_BINARY: {
		const struct av_sh_node *l = n->kids, *r = l ? l->next : NULL;
		const char *a = expand_string(st, l, false, NULL);
		char op[4] = { 0 };
		memcpy(op, n->text, n->len < 3 ? n->len : 3);
		bool pat = streq(op, "==") || streq(op, "=") || streq(op, "!=");
		const char *b = expand_string(st, r, pat, NULL);
		if (!a || !b)
			return -1;
		if (pat) {
			uint32_t steps = 200000;
			/* bash 5.2 matches [[ == ]] with extglob on, whatever shopt says
			 */
			bool m = av_sh_pattern_match(b, strlen(b), a, strlen(a),
			                             pat_flags(st) | AV_SH_PAT_EXTGLOB,
			                             &steps);
			if (steps == 0)
				return -1;
			return (m != streq(op, "!=")) ? 0 : 1;
		}
		if (streq(op, "<"))
			return strcmp(a, b) < 0 ? 0 : 1;
		if (streq(op, ">"))
			return strcmp(a, b) > 0 ? 0 : 1;
		if (op[0] == '-' && strlen(op) == 3) {
			/* [[ a -lt b ]]: both sides are arithmetic expressions */
			const char *x = arith_value(st, a), *y = arith_value(st, b);
			if (!x || !y)
				return -1;
			const char *v2[3] = { x, op, y };
			return test_eval(st, v2, 3);
		}
		return -1;
	}
	default:
		return -1;
	}
}

/* Redirections of a compound command: applied to everything inside it,
 * shown as a command of their own (argc 0) after its commands. */
static void compound_redirs(struct ev *st, const struct av_sh_node *first,
                            struct ev_redirs *rs)
{
	for (const struct av_sh_node *k = first; k; k = k->next)
		if (k->kind == AV_SH_REDIR)
			eval_redir(st, rs, k);
}

static bool loop_stop(struct ev *st)
{
	if (st->ctl == CTL_BREAK || st->ctl == CTL_CONTINUE) {
		if (st->ctl_n > 1) {
			st->ctl_n--;
			return true; /* leave this loop, keep the control for outer ones
			              */
		}
		bool brk = st->ctl == CTL_BREAK;
		st->ctl = CTL_NONE;
		return brk;
	}
	return st->ctl != CTL_NONE || st->stop;
}

/* The loop variable's values, or -1 when unknown. */
static int64_t for_words(struct ev *st, const struct av_sh_node *n,
                         const struct av_sh_node **body, const char ***vals)
{
	const struct av_sh_node *k = n->kids;
	struct ev_argv a = { 0 };
	bool in = (n->flags & AV_SH_F_FOR_IN) != 0;
	for (; k && k->kind == AV_SH_WORD; k = k->next)
		if (in)
			expand_word_fields(st, &a, k);
	*body = k;
	*vals = a.v;
	if (!in) {
		*vals = st->sc.pos;
		return st->sc.pos_known ? (int64_t)st->sc.npos : -1;
	}
	return a.any_unknown || a.unknown0 ? -1 : (int64_t)a.n;
}

static void ev_for(struct ev *st, const struct av_sh_node *n)
{
	const struct av_sh_node *body;
	const char **vals;
	int64_t nv = for_words(st, n, &body, &vals);
	const char *var = n->text;
	size_t vl = n->len;
	if (nv < 0) {
		var_set_unknown(st, var, vl);
		st->loops++;
		MAYBE(st, eval_list(st, body));
		st->loops--;
		if (st->ctl == CTL_BREAK || st->ctl == CTL_CONTINUE)
			st->ctl = CTL_NONE;
		return;
	}
	if (nv > EV_MAX_LOOP) {
		ev_limit(st, lim_loop);
		return;
	}
	st->loops++;
	for (int64_t i = 0; i < nv && !st->stop; i++) {
		var_set(st, var, vl, vals[i], false);
		eval_list(st, body);
		if (loop_stop(st))
			break;
	}
	st->loops--;
}

static bool const_true(const struct av_sh_node *cond)
{
	const struct av_sh_node *c = cond ? cond->kids : NULL;
	if (!c || c->next || c->kind != AV_SH_SIMPLE || !c->kids || c->kids->next ||
	    c->kids->kind != AV_SH_WORD)
		return false;
	const struct av_sh_node *p = c->kids->kids;
	return p && !p->next && p->kind == AV_SH_LIT &&
	       ((p->len == 4 && memcmp(p->text, "true", 4) == 0) ||
	        (p->len == 1 && p->text[0] == ':'));
}

static void ev_while(struct ev *st, const struct av_sh_node *n, bool until)
{
	const struct av_sh_node *cond = n->kids, *body = cond ? cond->next : NULL;
	st->loops++;
	if (!until && const_true(cond)) {
		/* while true: the body runs at least once; the state after any
		 * number of iterations is what one pass leaves, merged */
		st->in_cond++;
		eval_list(st, cond);
		st->in_cond--;
		MAYBE(st, eval_list(st, body));
		if (st->ctl == CTL_BREAK || st->ctl == CTL_CONTINUE)
			st->ctl = CTL_NONE;
		st->loops--;
		return;
	}
	for (uint32_t i = 0; !st->stop; i++) {
		if (i >= EV_MAX_LOOP) {
			ev_limit(st, lim_loop);
			break;
		}
		st->in_cond++;
		eval_list(st, cond);
		st->in_cond--;
		if (st->ctl != CTL_NONE)
			break;
		if (!st->status_known) {
			MAYBE(st, eval_list(st, body));
			if (st->ctl == CTL_BREAK || st->ctl == CTL_CONTINUE)
				st->ctl = CTL_NONE;
			break;
		}
		if ((st->status == 0) == until)
			break;
		eval_list(st, body);
		if (loop_stop(st))
			break;
	}
	st->loops--;
}

static void ev_for_arith(struct ev *st, const struct av_sh_node *n)
{
	const struct av_sh_node *init = n->kids, *test = init ? init->next : NULL;
	const struct av_sh_node *step = test ? test->next : NULL;
	const struct av_sh_node *body = step ? step->next : NULL;
	(void)arith_value(st, expand_string(st, init, false, NULL));
	st->loops++;
	for (uint32_t i = 0; !st->stop; i++) {
		if (i >= EV_MAX_LOOP) {
			ev_limit(st, lim_loop);
			break;
		}
		const char *t =
		        test && test->kids ? expand_string(st, test, false, NULL) : "1";
		const char *tv = arith_value(st, t && t[strspn(t, " \t\n")] ? t : "1");
		int64_t x;
		if (!tv || !parse_int(tv, &x)) {
			MAYBE(st, eval_list(st, body));
			if (st->ctl == CTL_BREAK || st->ctl == CTL_CONTINUE)
				st->ctl = CTL_NONE;
			break;
		}
		if (!x)
			break;
		eval_list(st, body);
		if (loop_stop(st))
			break;
		(void)arith_value(st, expand_string(st, step, false, NULL));
	}
	st->loops--;
}

static void ev_case(struct ev *st, const struct av_sh_node *n)
{
	const struct av_sh_node *subj = n->kids;
	const char *s = expand_string(st, subj, false, NULL);
	bool fall = false;
	bool unsure = s == NULL;
	struct ev_scope start, acc;
	bool have_acc = false;
	if (unsure)
		scope_copy(st, &start, &st->sc);
	for (const struct av_sh_node *it = subj ? subj->next : NULL; it && !st->stop;
	     it = it->next) {
		if (it->kind != AV_SH_CASE_ITEM)
			continue;
		const struct av_sh_node *k = it->kids;
		int match = fall ? 0 : 1;
		for (; k && k->kind == AV_SH_WORD; k = k->next) {
			if (match == 0 && !unsure)
				continue;
			const char *p = expand_string(st, k, true, NULL);
			if (!p || unsure) {
				match = -1;
				continue;
			}
			uint32_t steps = 200000;
			if (av_sh_pattern_match(p, strlen(p), s, strlen(s), pat_flags(st),
			                        &steps))
				match = 0;
			else if (steps == 0)
				match = -1;
		}
		const struct av_sh_node *body = k;
		if (unsure || match < 0) {
			/* each body may run: analyse them all from the same state */
			if (!unsure) {
				MAYBE(st, eval_list(st, body));
				continue;
			}
			scope_copy(st, &st->sc, &start);
			st->uncertain++;
			eval_list(st, body);
			st->uncertain--;
			if (have_acc)
				scope_merge(st, &acc);
			scope_copy(st, &acc, &st->sc);
			have_acc = true;
			continue;
		}
		if (match == 1)
			continue;
		eval_list(st, body);
		if (it->op == AV_SH_CASE_FALL) {
			fall = true;
			continue;
		}
		fall = false;
		if (it->op != AV_SH_CASE_CONT)
			break;
	}
	if (unsure) {
		if (have_acc)
			scope_merge(st, &start);
		status_unknown(st);
	}
}

static void ev_if(struct ev *st, const struct av_sh_node *n)
{
	const struct av_sh_node *k = n->kids;
	struct ev_scope start, acc;
	bool unsure = false, have_acc = false;
	while (k && k->kind == AV_SH_LIST && !st->stop) {
		const struct av_sh_node *cond = k, *then = k->next;
		if (!then || then->kind != AV_SH_LIST) {
			/* the else part */
			if (unsure) {
				st->uncertain++;
				eval_list(st, cond);
				st->uncertain--;
				scope_merge(st, &acc);
				have_acc = false;
				status_unknown(st);
				return;
			}
			eval_list(st, cond);
			return;
		}
		if (unsure)
			st->uncertain++;
		st->in_cond++;
		eval_list(st, cond);
		st->in_cond--;
		bool known = st->status_known && !unsure;
		int s = st->status;
		if (unsure)
			st->uncertain--;
		if (known && s != 0) {
			k = then->next;
			continue;
		}
		if (known) {
			eval_list(st, then);
			return;
		}
		/* unknown condition: this branch and the rest may each run */
		if (!unsure) {
			unsure = true;
			scope_copy(st, &start, &st->sc);
		}
		st->uncertain++;
		eval_list(st, then);
		st->uncertain--;
		if (have_acc)
			scope_merge(st, &acc);
		scope_copy(st, &acc, &st->sc);
		have_acc = true;
		scope_copy(st, &st->sc, &start);
		k = then->next;
	}
	if (unsure) {
		/* no branch taken is possible too */
		if (have_acc)
			scope_merge(st, &acc);
		status_unknown(st);
	}
}

static void ev_andor(struct ev *st, const struct av_sh_node *n)
{
	bool unsure = false;
	struct ev_scope start;
	bool skip = false;
	for (const struct av_sh_node *k = n->kids; k && !st->stop && st->ctl == CTL_NONE;
	     k = k->next) {
		if (!skip) {
			if (unsure)
				st->uncertain++;
			st->in_cond += k->next != NULL;
			ev_command(st, k);
			st->in_cond -= k->next != NULL;
			if (unsure)
				st->uncertain--;
		}
		if (!k->next)
			break;
		bool and = (k->flags & AV_SH_F_AND) != 0;
		if (skip) {
			/* a skipped item keeps the status; the next runs when the
			 * connector after it agrees with it */
			skip = st->status_known && ((st->status == 0) != and);
			continue;
		}
		if (!st->status_known || unsure) {
			if (!unsure) {
				unsure = true;
				scope_copy(st, &start, &st->sc);
			}
			status_unknown(st);
			continue;
		}
		skip = (st->status == 0) != and;
	}
	if (unsure) {
		scope_merge(st, &start);
		status_unknown(st);
	}
}

static void ev_subshell_list(struct ev *st, const struct av_sh_node *list)
{
	struct ev_scope saved;
	scope_copy(st, &saved, &st->sc);
	enum ev_ctl ctl = st->ctl;
	uint32_t loops = st->loops;
	st->loops = 0;
	eval_list(st, list);
	st->sc = saved;
	st->ctl = ctl;
	st->loops = loops;
}

static void ev_pipeline(struct ev *st, const struct av_sh_node *n)
{
	uint32_t len = av_sh_nkids(n);
	uint32_t id = st->next_pipeline++;
	bool in_pipe = st->in_pipe;
	uint32_t pid = st->pipe_id;
	uint16_t pidx = st->pipe_index, plen = st->pipe_len;
	struct ev_in *in0 = st->in;
	struct ev_sink *out = st->sink;
	struct ev_in *prev = in0;
	uint32_t i = 0;
	for (const struct av_sh_node *k = n->kids; k && !st->stop; k = k->next, i++) {
		struct ev_sink *sk = NULL;
		if (k->next) {
			sk = av_arena_alloc(st->arena, sizeof(*sk));
			if (!sk) {
				ev_nomem(st);
				break;
			}
			memset(sk, 0, sizeof(*sk));
		} else {
			sk = out;
		}
		st->in_pipe = true;
		st->pipe_id = id;
		st->pipe_index = (uint16_t)(i > 0xffff ? 0xffff : i);
		st->pipe_len = (uint16_t)(len > 0xffff ? 0xffff : len);
		st->in = prev;
		st->sink = sk;
		/* every stage runs in a subshell */
		struct ev_scope saved;
		scope_copy(st, &saved, &st->sc);
		enum ev_ctl ctl = st->ctl;
		ev_command(st, k);
		st->sc = saved;
		st->ctl = ctl;
		if (k->next) {
			struct ev_in *pin = av_arena_alloc(st->arena, sizeof(*pin));
			if (!pin) {
				ev_nomem(st);
				break;
			}
			memset(pin, 0, sizeof(*pin));
			pin->text = sk->unknown ? NULL : (sk->buf ? sk->buf : "");
			pin->len = sk->unknown ? 0 : sk->len;
			pin->how = sk->how;
			pin->from = sk->from;
			prev = pin;
		}
	}
	st->in_pipe = in_pipe;
	st->pipe_id = pid;
	st->pipe_index = pidx;
	st->pipe_len = plen;
	st->in = in0;
	st->sink = out;
}

/* Runs a compound command's body with its redirections in force. */
static void with_redirs(struct ev *st, const struct av_sh_node *body_first,
                        const struct av_sh_node *n, int kind)
{
	struct ev_redirs rs = { 0 };
	const struct av_sh_node *r = n->kids;
	while (r && r->kind != AV_SH_REDIR)
		r = r->next;
	compound_redirs(st, r, &rs);
	struct ev_in *in = st->in;
	struct ev_sink *sink = st->sink;
	struct ev_sink tmp = { .unknown = true };
	if (rs.in)
		st->in = rs.in;
	if (rs.out_elsewhere)
		st->sink = &tmp; /* output goes to a file */
	switch (kind) {
	case AV_SH_GROUP:
		eval_list(st, body_first);
		break;
	case AV_SH_SUBSHELL:
		ev_subshell_list(st, body_first);
		break;
	case AV_SH_IF:
		ev_if(st, n);
		break;
	case AV_SH_WHILE:
		ev_while(st, n, false);
		break;
	case AV_SH_UNTIL:
		ev_while(st, n, true);
		break;
	case AV_SH_FOR:
	case AV_SH_SELECT:
		if (kind == AV_SH_SELECT) {
			/* select reads the choice at run time */
			const struct av_sh_node *body;
			const char **vals;
			(void)for_words(st, n, &body, &vals);
			var_set_unknown(st, n->text, n->len);
			st->loops++;
			MAYBE(st, eval_list(st, body));
			st->loops--;
			if (st->ctl == CTL_BREAK || st->ctl == CTL_CONTINUE)
				st->ctl = CTL_NONE;
		} else {
			ev_for(st, n);
		}
		break;
	case AV_SH_FOR_ARITH:
		ev_for_arith(st, n);
		break;
	case AV_SH_CASE:
		ev_case(st, n);
		break;
	default:
		break;
	}
	st->in = in;
	st->sink = sink;
	if (rs.out_elsewhere && rs.out_path)
		note_file(st, rs.out_path, NULL, rs.out_append, NULL);
	emit_redir_holder(st, &rs);
}

/* set -e: a command that fails outside a condition ends the shell. */
static void errexit(struct ev *st)
{
	if (st->sc.errexit && st->status_known && st->status != 0 && st->in_cond == 0 &&
	    st->uncertain == 0 && st->ctl == CTL_NONE)
		st->ctl = CTL_EXIT;
}

static void ev_command(struct ev *st, const struct av_sh_node *n)
{
	if (!n || !ev_step(st) || st->ctl != CTL_NONE)
		return;
	switch (n->kind) {
	case AV_SH_SIMPLE:
		ev_simple(st, n);
		errexit(st);
		break;
	case AV_SH_LIST:
		eval_list(st, n);
		break;
	case AV_SH_ANDOR:
		ev_andor(st, n);
		break;
	case AV_SH_PIPELINE:
		ev_pipeline(st, n);
		errexit(st);
		break;
	case AV_SH_NOT:
	case AV_SH_TIME:
		st->in_cond += n->kind == AV_SH_NOT;
		if (n->kids)
			ev_command(st, n->kids);
		st->in_cond -= n->kind == AV_SH_NOT;
		if (n->kind == AV_SH_NOT) {
			if (st->status_known)
				st->status = !st->status;
		}
		break;
	case AV_SH_GROUP:
	case AV_SH_SUBSHELL:
		with_redirs(st, n->kids, n, n->kind);
		break;
	case AV_SH_IF:
	case AV_SH_WHILE:
	case AV_SH_UNTIL:
	case AV_SH_FOR:
	case AV_SH_SELECT:
	case AV_SH_FOR_ARITH:
	case AV_SH_CASE:
		with_redirs(st, NULL, n, n->kind);
		break;
	case AV_SH_FUNCDEF:
		define_function(st, n);
		break;
	case AV_SH_COPROC: {
		bool bg = st->bg;
		st->bg = true;
		const struct av_sh_node *k = n->kids;
		ev_subshell_list(st, k);
		st->bg = bg;
		break;
	}
	case AV_SH_COND: {
		int r = cond_eval(st, n->kids, 0);
		if (r < 0)
			status_unknown(st);
		else
			set_status(st, r);
		break;
	}
	case AV_SH_ARITH_CMD: {
		const char *v = arith_value(st, expand_string(st, n->kids, false, NULL));
		int64_t x;
		if (v && parse_int(v, &x))
			set_status(st, x ? 0 : 1);
		else
			status_unknown(st);
		break;
	}
	default:
		break;
	}
}

/* Aliases and `shopt -s expand_aliases` take effect from the line after the
 * one that ran them (bash reads and parses a whole line first). */
static void activate_pending(struct ev *st, const struct av_sh_node *item)
{
	if (!st->fr.top)
		return;
	size_t at = item->end;
	while (at < st->fr.srclen && st->fr.src[at] != '\n')
		at++;
	/* no newline after it: in effect only for text parsed later */
	size_t from = at < st->fr.srclen ? at + 1 : st->fr.srclen + 1;
	for (uint32_t i = 0; i < st->sc.naliases; i++)
		if (st->sc.aliases[i].active_from == SIZE_MAX)
			st->sc.aliases[i].active_from = from;
	if (st->sc.aliases_on_from == SIZE_MAX - 1)
		st->sc.aliases_on_from = from;
	if (st->sc.aliases_off_pending) {
		st->sc.aliases_off_pending = 0;
		st->sc.aliases_on_from = SIZE_MAX;
	}
}

static void eval_list(struct ev *st, const struct av_sh_node *list)
{
	if (!list)
		return;
	const struct av_sh_node *k = list->kind == AV_SH_LIST ? list->kids : list;
	bool top = st->fr.top && list == st->root;
	for (; k && !st->stop && st->ctl == CTL_NONE; k = k->next) {
		if (k->flags & AV_SH_F_ASYNC) {
			bool bg = st->bg;
			st->bg = true;
			struct ev_scope saved;
			scope_copy(st, &saved, &st->sc);
			ev_command(st, k);
			st->sc = saved;
			st->bg = bg;
			set_status(st, 0);
		} else {
			ev_command(st, k);
		}
		if (top && list->kind == AV_SH_LIST)
			activate_pending(st, k);
		if (list->kind != AV_SH_LIST)
			break;
	}
}

/* ---- texts ---------------------------------------------------------------- */

static unsigned pat_flags(struct ev *st)
{
	return (st->extglob ? AV_SH_PAT_EXTGLOB : 0u) |
	       (st->nocasematch ? AV_SH_PAT_NOCASE : 0u);
}

static void opaque_text(struct ev *st, const char *why)
{
	struct av_command c;
	cmd_proto(st, &c);
	c.opaque = why ? why : "the shell text cannot be parsed";
	(void)add_cmd(st, &c, st->in);
	status_unknown(st);
}

static void eval_parsed(struct ev *st, const char *text, size_t len, bool top,
                        const struct av_sh_node *root)
{
	struct ev_frame fr = st->fr;
	const struct av_sh_node *oroot = st->root;
	st->fr.src = text;
	st->fr.srclen = len;
	st->fr.top = top;
	if (top)
		st->root = root;
	eval_list(st, root);
	st->fr = fr;
	st->root = oroot;
}

/* Parses and evaluates text. A syntax error: bash runs the complete lines
 * before the one with the error, then stops; the rest is one opaque
 * command quoting the parser's message. */
static void eval_text(struct ev *st, const char *text, size_t len, bool top)
{
	if (st->stop)
		return;
	struct av_sh_node *root = NULL;
	struct av_sh_error err;
	memset(&err, 0, sizeof(err));
	if (av_sh_parse(text, len, NULL, st->arena, &root, &err) == 0) {
		eval_parsed(st, text, len, top, root);
		return;
	}
	if (err.code == AV_SH_E_NOMEM) {
		ev_nomem(st);
		return;
	}
	if (err.code == AV_SH_E_LIMIT && strstr(err.message, "nested too deeply")) {
		opaque_text(st, ev_printf(st, "the shell text is nested too deeply: %s",
		                          err.message));
		ev_limit(st, lim_depth);
		return;
	}
	if (err.code == AV_SH_E_LIMIT) {
		/* a huge text: bash reads it line by line, so do the same in
		 * chunks that end at a newline */
		size_t pos = 0;
		while (pos < len && !st->stop && st->ctl == CTL_NONE) {
			size_t end = pos + EV_CHUNK < len ? pos + EV_CHUNK : len;
			if (end < len) {
				size_t e = end;
				while (e > pos && text[e - 1] != '\n')
					e--;
				if (e == pos) {
					opaque_text(st, ev_printf(st,
					                          "the shell text has a "
					                          "line longer "
					                          "than %zu bytes",
					                          (size_t)EV_CHUNK));
					ev_limit(st, lim_word);
					return;
				}
				end = e;
			}
			struct av_sh_node *r = NULL;
			struct av_sh_error e2;
			if (av_sh_parse(text + pos, end - pos, NULL, st->arena, &r,
			                &e2) != 0) {
				if (e2.code == AV_SH_E_NOMEM)
					ev_nomem(st);
				else
					opaque_text(st, ev_printf(st,
					                          "the shell cannot "
					                          "parse this text: %s",
					                          e2.message));
				return;
			}
			eval_parsed(st, text + pos, end - pos, false, r);
			pos = end;
		}
		return;
	}
	/* a syntax error: the lines before it run */
	size_t line_start = err.offset < len ? err.offset : len;
	while (line_start > 0 && text[line_start - 1] != '\n')
		line_start--;
	if (line_start > 0) {
		struct av_sh_node *r = NULL;
		struct av_sh_error e2;
		if (av_sh_parse(text, line_start, NULL, st->arena, &r, &e2) == 0)
			eval_parsed(st, text, line_start, top, r);
	}
	if (!st->stop && st->ctl == CTL_NONE)
		opaque_text(st, ev_printf(st, "the shell cannot parse this text: %s",
		                          err.message));
}

/* ---- entry ---------------------------------------------------------------- */

static void init_context(struct ev *st, const struct av_context *ctx)
{
	/* Built in place rather than through var_set: this runs for every
	 * decision. Values are borrowed from ctx, which outlives the call.
	 * bash sets IFS itself at startup, whatever the environment says. */
	struct {
		const char *name;
		const char *value;
		uint8_t attrs;
	} env[] = {
		{ "IFS", " \t\n", 0 },
		{ "HOME", ctx ? ctx->home : NULL, VA_EXPORT },
		{ "PWD", ctx ? ctx->cwd : NULL, VA_EXPORT },
		{ "USER", ctx ? ctx->user : NULL, VA_EXPORT },
		{ "LOGNAME", ctx ? ctx->user : NULL, VA_EXPORT },
	};
	const uint32_t cap = 8;
	struct ev_var *vars = av_arena_alloc(st->arena, sizeof(*vars) * cap);
	struct ev_elem *els = av_arena_alloc(st->arena, sizeof(*els) * cap);
	if (!vars || !els) {
		ev_nomem(st);
		return;
	}
	uint32_t n = 0;
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		if (!env[i].value)
			continue;
		memset(&vars[n], 0, sizeof(vars[n]));
		memset(&els[n], 0, sizeof(els[n]));
		els[n].val = env[i].value;
		vars[n].name = env[i].name;
		vars[n].attrs = env[i].attrs;
		vars[n].el = &els[n];
		vars[n].nel = 1;
		n++;
	}
	st->sc.vars = vars;
	st->sc.nvars = n;
	st->sc.vars_cap = cap;
}

int av_shell_analyze(const char *src, size_t len, const struct av_context *ctx,
                     struct av_arena *arena, struct av_shell_result *out,
                     struct av_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!src) {
		src = "";
		len = 0;
	}
	struct ev *st = av_arena_alloc(arena, sizeof(*st));
	if (!st)
		return av_error_set(
		        err, AV_E_NOMEM, "",
		        "the shell analysis ran out of memory (arena cap reached)");
	memset(st, 0, sizeof(*st));
	st->arena = arena;
	st->ctx = ctx;
	st->out = out;
	st->budget = EV_EXPANSION;
	st->fr.parent = -1;
	st->sc.aliases_on_from = SIZE_MAX;
	/* the action's text is the whole program (bash -c TEXT): there are
	 * no positional parameters; $0 is the shell's name, not known */
	st->sc.pos_known = true;
	init_context(st, ctx);
	eval_text(st, src, len, true);
	run_exit_trap(st);
	if (st->nomem)
		return av_error_set(
		        err, AV_E_NOMEM, "",
		        "the shell analysis ran out of memory (arena cap reached)");
	return 0;
}
