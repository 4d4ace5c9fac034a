/* knowledge.c - what common programs do, by their arguments: a sorted table
 * of command names to handlers that parse options the way the program does
 * (bundled short options, --long[=value] with GNU unique-prefix matching,
 * options with arguments, "--") and emit effects. Every command also gets
 * proc.exec from effects.c; a handler adds what that program does beyond
 * running. */
#include "agentvisor/effects.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "effects_internal.h"
#include "shell/shell_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- option scanning ---------------------------------------------------- */

enum { ARG_NONE = 0, ARG_REQUIRED, ARG_OPTIONAL };

/* Long option ids share the space of short option characters; ids above
 * 255 have no short form. OPT_SKIP: takes an argument we do not use. */
enum {
	OPT_OPERAND = 0,
	OPT_END = -1,
	OPT_UNKNOWN = '?',
	OPT_SKIP = 256,
	OPT_L1,
	OPT_L2,
	OPT_L3,
	OPT_L4,
	OPT_L5,
	OPT_L6,
	OPT_L7
};

struct lopt {
	const char *name;
	int has_arg;
	int id;
};

struct opt_it {
	const char *const *argv;
	uint32_t argc, i;
	const char *sarg;         /* short options taking an argument */
	const struct lopt *lopts; /* terminated by a NULL name */
	bool posix;               /* the first operand ends the options */
	bool exact;               /* no unique-prefix matching (curl) */
	bool done;
	size_t bundle;
	const char *arg; /* the option's argument, or the operand */
};

static void opt_init(struct opt_it *it, const struct av_command *c, uint32_t start,
                     const char *sarg, const struct lopt *lopts)
{
	memset(it, 0, sizeof(*it));
	it->argv = (const char *const *)c->argv;
	it->argc = c->argc;
	it->i = start;
	it->sarg = sarg ? sarg : "";
	it->lopts = lopts;
}

static const struct lopt *find_long(const struct opt_it *it, const char *name, size_t n)
{
	const struct lopt *hit = NULL;
	int hits = 0;
	for (const struct lopt *l = it->lopts; l && l->name; l++) {
		if (strncmp(l->name, name, n) != 0)
			continue;
		if (l->name[n] == '\0')
			return l;
		if (!it->exact) {
			hit = l;
			hits++;
		}
	}
	return hits == 1 ? hit : NULL;
}

/* Returns the next option id, OPT_OPERAND (it->arg = operand) or OPT_END. */
static int opt_next(struct opt_it *it)
{
	it->arg = NULL;
	if (it->bundle) {
		const char *a = it->argv[it->i];
		char ch = a[it->bundle];
		it->bundle++;
		if (strchr(it->sarg, ch)) {
			if (a[it->bundle]) {
				it->arg = a + it->bundle;
			} else if (it->i + 1 < it->argc) {
				it->arg = it->argv[++it->i];
			}
			it->bundle = 0;
			it->i++;
		} else if (!a[it->bundle]) {
			it->bundle = 0;
			it->i++;
		}
		return (unsigned char)ch;
	}
	while (it->i < it->argc) {
		const char *a = it->argv[it->i];
		if (it->done || a[0] != '-' || a[1] == '\0') {
			it->arg = a;
			it->i++;
			if (it->posix)
				it->done = true;
			return OPT_OPERAND;
		}
		if (a[1] == '-') {
			it->i++;
			if (a[2] == '\0') {
				it->done = true;
				continue;
			}
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			const struct lopt *l = find_long(it, name, n);
			it->arg = eq ? eq + 1 : NULL;
			if (!l)
				return OPT_UNKNOWN;
			if (l->has_arg == ARG_REQUIRED && !eq && it->i < it->argc)
				it->arg = it->argv[it->i++];
			return l->id;
		}
		it->bundle = 1;
		return opt_next(it);
	}
	return OPT_END;
}

/* ---- small helpers ------------------------------------------------------ */

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool in_set(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq(s, set[i]))
			return true;
	return false;
}

static bool is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

/* The operands of the command, after option parsing, into a small array. */
#define MAX_OPERANDS 256
struct operands {
	const char *v[MAX_OPERANDS];
	uint32_t n;
};

static void add_operand(struct operands *o, const char *s)
{
	if (o->n < MAX_OPERANDS)
		o->v[o->n++] = s;
}

/* Joins dir and the last component of name into the arena. */
static const char *join_base(struct fx_ctx *x, const char *dir, const char *name)
{
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	if (!b[0])
		return dir;
	const char *s = av_arena_printf(x->arena, "%s/%s", dir, b);
	return s ? s : dir;
}

static const char *cwd_or_dot(struct fx_ctx *x)
{
	return x->ctx && x->ctx->cwd ? x->ctx->cwd : ".";
}

/* The path part of a URL's last segment ("" when none). */
static const char *url_basename(struct fx_ctx *x, const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	p = strchr(p, '/');
	if (!p)
		return "";
	size_t n = strcspn(p, "?#");
	const char *end = p + n;
	const char *b = end;
	while (b > p && b[-1] != '/')
		b--;
	const char *s = av_arena_strndup(x->arena, b, (size_t)(end - b));
	return s ? s : "";
}

/* The source of data a command reads on standard input. */
static const char *stdin_source(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	for (uint32_t i = c->nredirs; i-- > 0;) {
		const struct av_redir *r = &c->redirs[i];
		if (r->fd == 0 && r->op == AV_REDIR_IN)
			return r->target;
		if (r->fd == 0 &&
		    (r->op == AV_REDIR_HEREDOC || r->op == AV_REDIR_HERESTRING))
			return "inline";
	}
	return c->pipe_index > 0 ? "pipe" : NULL;
}

static void set_data_source(struct fx_ctx *x, struct av_effect *e, const char *src)
{
	if (!src || streq(src, "pipe") || streq(src, "stdin") || streq(src, "inline"))
		e->source = src;
	else
		fx_source_path(x, e, src);
}

/* ---- file system -------------------------------------------------------- */

static const struct lopt rm_lopts[] = {
	{ "recursive", ARG_NONE, 'r' },
	{ "force", ARG_NONE, 'f' },
	{ "dir", ARG_NONE, 'd' },
	{ "interactive", ARG_OPTIONAL, 'i' },
	{ "one-file-system", ARG_NONE, OPT_L1 },
	{ "no-preserve-root", ARG_NONE, OPT_L2 },
	{ "preserve-root", ARG_OPTIONAL, OPT_L3 },
	{ "verbose", ARG_NONE, 'v' },
	{ "ignore-fail-on-non-empty", ARG_NONE, OPT_L4 },
	{ "parents", ARG_NONE, 'p' },
	{ NULL, 0, 0 },
};

static void h_rm(struct fx_ctx *x)
{
	struct opt_it it;
	uint32_t flags = 0;
	const char *detail = NULL;
	struct operands o = { .n = 0 };
	opt_init(&it, x->c, 1, "", rm_lopts);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == 'r' || id == 'R')
			flags |= AV_FXF_RECURSIVE;
		else if (id == 'f')
			flags |= AV_FXF_FORCE;
		else if (id == OPT_L2)
			detail = "--no-preserve-root";
		else if (id == OPT_OPERAND)
			add_operand(&o, it.arg);
	}
	if (streq(x->name, "rmdir"))
		flags &= ~AV_FXF_RECURSIVE;
	for (uint32_t i = 0; i < o.n; i++)
		fx_path(x, AV_FX_FS_DELETE, o.v[i], flags)->detail = detail;
}

static const struct lopt shred_lopts[] = {
	{ "iterations", ARG_REQUIRED, 'n' },
	{ "size", ARG_REQUIRED, 's' },
	{ "remove", ARG_OPTIONAL, 'u' },
	{ "force", ARG_NONE, 'f' },
	{ "zero", ARG_NONE, 'z' },
	{ "random-source", ARG_REQUIRED, OPT_SKIP },
	{ NULL, 0, 0 },
};

static void h_shred(struct fx_ctx *x)
{
	struct opt_it it;
	opt_init(&it, x->c, 1, "ns", shred_lopts);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id != OPT_OPERAND || streq(it.arg, "-"))
			continue;
		const char *r = av_path_resolve(it.arg, x->ctx, x->arena);
		if (av_path_classify(r, x->ctx) == AV_PATH_DEVICE)
			fx_path(x, AV_FX_DISK_WRITE, it.arg, AV_FXF_FORCE)->detail =
			        "shred overwrites the device";
		else
			fx_path(x, AV_FX_FS_DELETE, it.arg, AV_FXF_FORCE)->detail =
			        "shred destroys the file's content";
	}
}

static const struct lopt cp_lopts[] = {
	{ "recursive", ARG_NONE, 'r' },
	{ "archive", ARG_NONE, 'a' },
	{ "force", ARG_NONE, 'f' },
	{ "target-directory", ARG_REQUIRED, 't' },
	{ "no-target-directory", ARG_NONE, 'T' },
	{ "suffix", ARG_REQUIRED, 'S' },
	{ "backup", ARG_OPTIONAL, OPT_SKIP },
	{ "mode", ARG_REQUIRED, 'm' },
	{ "owner", ARG_REQUIRED, 'o' },
	{ "group", ARG_REQUIRED, 'g' },
	{ "directory", ARG_NONE, 'd' },
	{ "symbolic", ARG_NONE, 's' },
	{ "relative", ARG_NONE, OPT_L1 },
	{ "preserve", ARG_OPTIONAL, OPT_SKIP },
	{ "reflink", ARG_OPTIONAL, OPT_SKIP },
	{ "sparse", ARG_REQUIRED, OPT_SKIP },
	{ "context", ARG_OPTIONAL, OPT_SKIP },
	{ "strip-program", ARG_REQUIRED, OPT_SKIP },
	{ NULL, 0, 0 },
};

/* cp, mv, ln, install: SOURCE... DEST or -t DIR SOURCE... */
static void h_copylike(struct fx_ctx *x)
{
	bool mv = streq(x->name, "mv"), ln = streq(x->name, "ln");
	bool install = streq(x->name, "install");
	const char *sarg = install ? "tSmogC" : ln ? "tS" : "tS";
	struct opt_it it;
	uint32_t flags = 0;
	const char *target = NULL, *mode = NULL, *owner = NULL;
	bool notarget = false, symbolic = false, mkdirs = false;
	struct operands o = { .n = 0 };
	opt_init(&it, x->c, 1, sarg, cp_lopts);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		switch (id) {
		case 'r':
		case 'R':
		case 'a':
			if (!install)
				flags |= AV_FXF_RECURSIVE;
			break;
		case 'f':
			flags |= AV_FXF_FORCE;
			break;
		case 't':
			target = it.arg;
			break;
		case 'T':
			notarget = true;
			break;
		case 'm':
			mode = it.arg;
			break;
		case 'o':
		case 'g':
			owner = it.arg;
			break;
		case 'd':
			mkdirs = install;
			break;
		case 's':
			symbolic = true;
			break;
		case OPT_OPERAND:
			add_operand(&o, it.arg);
			break;
		default:
			break;
		}
	}
	if (mkdirs) { /* install -d DIR... */
		for (uint32_t i = 0; i < o.n; i++)
			fx_write(x, o.v[i], 0, "creates a directory");
		return;
	}
	uint32_t nsrc = o.n;
	const char *dest = target;
	if (!dest) {
		if (o.n == 0)
			return;
		if (o.n == 1 && ln) { /* ln TARGET: link in the current directory */
			dest = cwd_or_dot(x);
		} else {
			dest = o.v[o.n - 1];
			nsrc = o.n - 1;
		}
	}
	size_t dl = strlen(dest);
	bool dir = target || nsrc > 1 || (!notarget && dl > 0 && dest[dl - 1] == '/');
	if (o.n == 1 && ln && !target)
		dir = true;
	for (uint32_t i = 0; i < nsrc; i++) {
		const char *src = o.v[i];
		const char *to = dir ? join_base(x, dest, src) : dest;
		if (mv) {
			struct av_effect *e = fx_path(x, AV_FX_FS_MOVE, src, flags);
			const char *rd = av_path_resolve(to, x->ctx, x->arena);
			e->dest = rd ? rd : to;
			e->dest_class = av_path_classify(e->dest, x->ctx);
			fx_write(x, to, flags, "destination of a move");
			continue;
		}
		if (ln) {
			struct av_effect *e =
			        fx_write(x, to, flags,
			                 symbolic ? "creates a symbolic link"
			                          : "creates a hard link");
			e->source = src;
			continue;
		}
		fx_path(x, AV_FX_FS_READ, src, flags);
		struct av_effect *w = fx_write(x, to, flags, "destination of a copy");
		fx_source_path(x, w, src);
		if (mode)
			fx_path(x, AV_FX_FS_CHMOD, to, 0)->mode = mode;
		if (owner)
			fx_path(x, AV_FX_FS_CHOWN, to, 0)->detail = owner;
	}
}

static const struct lopt mkdir_lopts[] = {
	{ "mode", ARG_REQUIRED, 'm' },
	{ "parents", ARG_NONE, 'p' },
	{ "verbose", ARG_NONE, 'v' },
	{ "context", ARG_OPTIONAL, OPT_SKIP },
	{ "date", ARG_REQUIRED, 'd' },
	{ "reference", ARG_REQUIRED, 'r' },
	{ "no-create", ARG_NONE, 'c' },
	{ "time", ARG_REQUIRED, OPT_SKIP },
	{ "size", ARG_REQUIRED, 's' },
	{ "append", ARG_NONE, 'a' },
	{ "ignore-interrupts", ARG_NONE, 'i' },
	{ "output-error", ARG_OPTIONAL, OPT_SKIP },
	{ NULL, 0, 0 },
};

/* mkdir, touch, truncate, tee: each operand is written. */
static void h_writer(struct fx_ctx *x)
{
	bool tee = streq(x->name, "tee"), mkdir = streq(x->name, "mkdir");
	const char *sarg = mkdir                     ? "mZ"
	                   : tee                     ? ""
	                   : streq(x->name, "touch") ? "drt"
	                                             : "sro";
	const char *detail = mkdir                     ? "creates a directory"
	                     : tee                     ? NULL
	                     : streq(x->name, "touch") ? "touch"
	                                               : "truncate";
	const char *mode = NULL;
	struct opt_it it;
	opt_init(&it, x->c, 1, sarg, mkdir_lopts);
	struct operands o = { .n = 0 };
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == OPT_OPERAND)
			add_operand(&o, it.arg);
		else if (id == 'a' && tee)
			detail = "append";
		else if (id == 'm' && mkdir)
			mode = it.arg;
	}
	for (uint32_t i = 0; i < o.n; i++) {
		if (tee && streq(o.v[i], "-"))
			continue;
		fx_write(x, o.v[i], 0, detail);
		if (mode)
			fx_path(x, AV_FX_FS_CHMOD, o.v[i], 0)->mode = mode;
	}
}

/* Readers: per program, which short options take an argument and whether
 * the first operand is a pattern or program rather than a file. */
struct reader {
	const char *name;
	const char *sarg;
	bool pattern_first; /* grep, sed, awk, jq: unless -e/-f/--expression */
	char pattern_opt1, pattern_opt2; /* options that supply the pattern */
	char file_opt;      /* option whose argument is a file that is read */
	char write_opt;     /* sed -i: operands are rewritten */
	char recursive_opt; /* grep -r */
	char output_opt;    /* sort -o FILE */
};

static const struct reader readers[] = {
	{ .name = "awk",
	  .sarg = "fFv",
	  .pattern_first = true,
	  .pattern_opt1 = 'f',
	  .file_opt = 'f' },
	{ .name = "base32", .sarg = "w" },
	{ .name = "base64", .sarg = "w" },
	{ .name = "cat", .sarg = "" },
	{ .name = "cmp", .sarg = "inI" },
	{ .name = "diff", .sarg = "CDFILSUWx" },
	{ .name = "egrep",
	  .sarg = "efmABCdD",
	  .pattern_first = true,
	  .pattern_opt1 = 'e',
	  .pattern_opt2 = 'f',
	  .file_opt = 'f',
	  .recursive_opt = 'r' },
	{ .name = "fgrep",
	  .sarg = "efmABCdD",
	  .pattern_first = true,
	  .pattern_opt1 = 'e',
	  .pattern_opt2 = 'f',
	  .file_opt = 'f',
	  .recursive_opt = 'r' },
	{ .name = "gawk",
	  .sarg = "fFv",
	  .pattern_first = true,
	  .pattern_opt1 = 'f',
	  .file_opt = 'f' },
	{ .name = "grep",
	  .sarg = "efmABCdD",
	  .pattern_first = true,
	  .pattern_opt1 = 'e',
	  .pattern_opt2 = 'f',
	  .file_opt = 'f',
	  .recursive_opt = 'r' },
	{ .name = "head", .sarg = "nc" },
	{ .name = "hexdump", .sarg = "efns", .file_opt = 'f' },
	{ .name = "jq",
	  .sarg = "fL",
	  .pattern_first = true,
	  .pattern_opt1 = 'f',
	  .file_opt = 'f' },
	{ .name = "less", .sarg = "bhjkoOpPtTxyz#", .output_opt = 'o' },
	{ .name = "md5sum", .sarg = "" },
	{ .name = "more", .sarg = "n" },
	{ .name = "nl", .sarg = "bdfhilnsvw" },
	{ .name = "od", .sarg = "AjNSstw" },
	{ .name = "rg",
	  .sarg = "efmABCgtTM",
	  .pattern_first = true,
	  .pattern_opt1 = 'e',
	  .pattern_opt2 = 'f',
	  .file_opt = 'f' },
	{ .name = "sed",
	  .sarg = "efl",
	  .pattern_first = true,
	  .pattern_opt1 = 'e',
	  .pattern_opt2 = 'f',
	  .file_opt = 'f',
	  .write_opt = 'i' },
	{ .name = "sha1sum", .sarg = "" },
	{ .name = "sha256sum", .sarg = "" },
	{ .name = "sha512sum", .sarg = "" },
	{ .name = "sort", .sarg = "kotTS", .output_opt = 'o' },
	{ .name = "strings", .sarg = "nteT" },
	{ .name = "tac", .sarg = "s" },
	{ .name = "tail", .sarg = "ncs" },
	{ .name = "uniq", .sarg = "fsw" },
	{ .name = "wc", .sarg = "" },
};

static const struct lopt reader_lopts[] = {
	{ "regexp", ARG_REQUIRED, 'e' },
	{ "file", ARG_REQUIRED, 'f' },
	{ "expression", ARG_REQUIRED, 'e' },
	{ "in-place", ARG_OPTIONAL, 'i' },
	{ "recursive", ARG_NONE, 'r' },
	{ "dereference-recursive", ARG_NONE, 'R' },
	{ "output", ARG_REQUIRED, 'o' },
	{ "lines", ARG_REQUIRED, 'n' },
	{ "bytes", ARG_REQUIRED, 'c' },
	{ "max-count", ARG_REQUIRED, 'm' },
	{ "after-context", ARG_REQUIRED, 'A' },
	{ "before-context", ARG_REQUIRED, 'B' },
	{ "context", ARG_REQUIRED, 'C' },
	{ "include", ARG_REQUIRED, OPT_SKIP },
	{ "exclude", ARG_REQUIRED, OPT_SKIP },
	{ "exclude-dir", ARG_REQUIRED, OPT_SKIP },
	{ "label", ARG_REQUIRED, OPT_SKIP },
	{ "color", ARG_OPTIONAL, OPT_SKIP },
	{ "colour", ARG_OPTIONAL, OPT_SKIP },
	{ "key", ARG_REQUIRED, 'k' },
	{ "field-separator", ARG_REQUIRED, 't' },
	{ "wrap", ARG_REQUIRED, 'w' },
	{ "decode", ARG_NONE, 'd' },
	{ "assign", ARG_REQUIRED, 'v' },
	{ "separator", ARG_REQUIRED, 's' },
	{ "pid", ARG_REQUIRED, OPT_SKIP },
	{ "sleep-interval", ARG_REQUIRED, 's' },
	{ "bytes-per-line", ARG_REQUIRED, OPT_SKIP },
	{ "glob", ARG_REQUIRED, 'g' },
	{ "type", ARG_REQUIRED, 't' },
	{ NULL, 0, 0 },
};

static int reader_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct reader *)e)->name);
}

static void h_reader(struct fx_ctx *x)
{
	const struct reader *r =
	        bsearch(x->name, readers, COUNT(readers), sizeof(readers[0]), reader_cmp);
	if (!r)
		return;
	struct opt_it it;
	opt_init(&it, x->c, 1, r->sarg, reader_lopts);
	bool have_pattern = !r->pattern_first, write = false;
	uint32_t flags = 0;
	struct operands o = { .n = 0 };
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == OPT_OPERAND) {
			if (!have_pattern)
				have_pattern = true;
			else
				add_operand(&o, it.arg);
			continue;
		}
		if (id && (id == r->pattern_opt1 || id == r->pattern_opt2))
			have_pattern = true;
		if (id && id == r->file_opt && it.arg)
			fx_path(x, AV_FX_FS_READ, it.arg, 0);
		if (id && id == r->write_opt)
			write = true;
		if (id && r->recursive_opt && (id == 'r' || id == 'R'))
			flags |= AV_FXF_RECURSIVE;
		if (id && id == r->output_opt && it.arg)
			fx_write(x, it.arg, 0, NULL);
	}
	if (o.n == 0 && (flags & AV_FXF_RECURSIVE))
		fx_path(x, AV_FX_FS_READ, cwd_or_dot(x), flags);
	for (uint32_t i = 0; i < o.n; i++) {
		if (streq(o.v[i], "-"))
			continue;
		if (streq(x->name, "uniq") && i == 1) {
			fx_write(x, o.v[i], 0, NULL);
			continue;
		}
		fx_path(x, AV_FX_FS_READ, o.v[i], flags);
		if (write)
			fx_write(x, o.v[i], 0, "edits in place");
	}
}

static void h_xxd(struct fx_ctx *x)
{
	struct opt_it it;
	struct operands o = { .n = 0 };
	opt_init(&it, x->c, 1, "cglosn", NULL);
	for (int id; (id = opt_next(&it)) != OPT_END;)
		if (id == OPT_OPERAND)
			add_operand(&o, it.arg);
	if (o.n >= 1 && !streq(o.v[0], "-"))
		fx_path(x, AV_FX_FS_READ, o.v[0], 0);
	if (o.n >= 2 && !streq(o.v[1], "-"))
		fx_write(x, o.v[1], 0, NULL);
}

static const struct lopt ls_lopts[] = {
	{ "recursive", ARG_NONE, 'R' },
	{ "hide", ARG_REQUIRED, OPT_SKIP },
	{ "ignore", ARG_REQUIRED, 'I' },
	{ "width", ARG_REQUIRED, 'w' },
	{ "tabsize", ARG_REQUIRED, 'T' },
	{ "format", ARG_REQUIRED, OPT_SKIP },
	{ "sort", ARG_REQUIRED, OPT_SKIP },
	{ "time", ARG_REQUIRED, OPT_SKIP },
	{ "color", ARG_OPTIONAL, OPT_SKIP },
	{ "block-size", ARG_REQUIRED, OPT_SKIP },
	{ "indicator-style", ARG_REQUIRED, OPT_SKIP },
	{ "quoting-style", ARG_REQUIRED, OPT_SKIP },
	{ "time-style", ARG_REQUIRED, OPT_SKIP },
	{ NULL, 0, 0 },
};

static void h_list(struct fx_ctx *x)
{
	bool tree = streq(x->name, "tree");
	struct opt_it it;
	uint32_t flags = tree ? AV_FXF_RECURSIVE : 0;
	struct operands o = { .n = 0 };
	opt_init(&it, x->c, 1, tree ? "LPIo" : "ITw", ls_lopts);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == OPT_OPERAND)
			add_operand(&o, it.arg);
		else if (id == 'R' && !tree)
			flags |= AV_FXF_RECURSIVE;
		else if (id == 'o' && tree && it.arg)
			fx_write(x, it.arg, 0, NULL);
	}
	if (o.n == 0)
		fx_path(x, AV_FX_FS_LIST, cwd_or_dot(x), flags);
	for (uint32_t i = 0; i < o.n; i++)
		fx_path(x, AV_FX_FS_LIST, o.v[i], flags);
}

/* True when a find -name pattern matches the names private keys and
 * credential files have. */
static bool secret_name_pattern(const char *pat)
{
	static const char *const names[] = {
		"id_rsa",       "id_ed25519", "id_ecdsa",     "server.pem",
		"private.key",  ".env",       "credentials",  ".git-credentials",
		".netrc",       "wallet.dat", "keystore.p12", ".pgpass",
		"secrets.yaml", "token.json"
	};
	if (streq(pat, "*") || streq(pat, "*.*"))
		return false;
	for (size_t i = 0; i < COUNT(names); i++)
		if (fnmatch(pat, names[i], 0) == 0)
			return true;
	return false;
}

/* find START... EXPRESSION */
static void h_find(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	uint32_t i = 1;
	while (i < c->argc &&
	       (streq(c->argv[i], "-H") || streq(c->argv[i], "-L") ||
	        streq(c->argv[i], "-P") || strncmp(c->argv[i], "-O", 2) == 0 ||
	        streq(c->argv[i], "-D"))) {
		i += streq(c->argv[i], "-D") ? 2 : 1;
	}
	struct operands starts = { .n = 0 };
	for (; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (a[0] == '-' || a[0] == '(' || a[0] == '!' || a[0] == ',')
			break;
		add_operand(&starts, a);
	}
	if (starts.n == 0)
		add_operand(&starts, ".");
	bool del = false, force = false, filtered = false;
	const char *hunt = NULL;
	for (; i < c->argc; i++) {
		const char *a = c->argv[i];
		if ((streq(a, "-name") || streq(a, "-iname") || streq(a, "-path") ||
		     streq(a, "-ipath") || streq(a, "-wholename") || streq(a, "-regex") ||
		     streq(a, "-iregex") || streq(a, "-newer") || streq(a, "-mtime") ||
		     streq(a, "-mmin") || streq(a, "-size") || streq(a, "-user") ||
		     streq(a, "-empty") || streq(a, "-perm"))) {
			filtered = true;
			if (i + 1 < c->argc &&
			    (streq(a, "-name") || streq(a, "-iname")) &&
			    secret_name_pattern(c->argv[i + 1]))
				hunt = c->argv[i + 1];
			if (!streq(a, "-empty"))
				i++;
			continue;
		}
		if (streq(a, "-delete")) {
			del = true;
		} else if (streq(a, "-exec") || streq(a, "-execdir") || streq(a, "-ok") ||
		           streq(a, "-okdir")) {
			if (i + 1 >= c->argc)
				break;
			const char *prog = c->argv[++i];
			struct av_effect *e = fx_push(x, AV_FX_PROC_EXEC);
			e->binary = prog;
			e->detail = "run by find -exec for each match";
			const char *base = av_shell_basename(prog);
			bool rm = streq(base, "rm") || streq(base, "shred") ||
			          streq(base, "unlink");
			if (av_shell_is_shell(base)) {
				struct av_effect *ce = fx_push(x, AV_FX_CODE_EXEC);
				ce->binary = base;
				ce->source = "inline";
				ce->detail = "shell run by find -exec (not analysed)";
			}
			for (i++; i < c->argc && !streq(c->argv[i], ";") &&
			          !streq(c->argv[i], "+");
			     i++) {
				if (rm && c->argv[i][0] == '-' && strchr(c->argv[i], 'f'))
					force = true;
			}
			del = del || rm;
		} else if ((streq(a, "-fprint") || streq(a, "-fprint0") ||
		            streq(a, "-fls") || streq(a, "-fprintf")) &&
		           i + 1 < c->argc) {
			fx_write(x, c->argv[++i], 0, NULL);
		}
	}
	/* A command run by -exec (unwrapped by the shell analysis, possibly
	 * inside sh -c) that deletes: the matches are deleted. */
	for (uint32_t j = x->idx + 1; j < x->sh->ncmds && !del; j++) {
		const struct av_command *d = &x->sh->cmds[j];
		int32_t p = d->parent;
		for (int g = 0; p > (int32_t)x->idx && g < 16; g++)
			p = x->sh->cmds[p].parent;
		if (p != (int32_t)x->idx || d->argc == 0)
			continue;
		const char *b = av_shell_basename(d->argv[0]);
		if (streq(b, "rm") || streq(b, "shred") || streq(b, "unlink"))
			del = true;
	}
	/* A filter (-name, -mtime, ...) narrows the matches: the effect applies
	 * to matching names under the start, like a glob (the wildcard flag). */
	uint32_t narrow = filtered ? AV_FXF_WILDCARD : 0;
	for (uint32_t k = 0; k < starts.n; k++) {
		fx_path(x, AV_FX_FS_LIST, starts.v[k], AV_FXF_RECURSIVE | narrow);
		if (del)
			fx_path(x, AV_FX_FS_DELETE, starts.v[k],
			        AV_FXF_RECURSIVE | narrow | (force ? AV_FXF_FORCE : 0))
			        ->detail = "find deletes matching files";
		if (hunt) {
			struct av_effect *e = fx_path(x, AV_FX_CRED_READ, starts.v[k],
			                              AV_FXF_RECURSIVE | AV_FXF_WILDCARD);
			e->binary = "find";
			e->detail = av_arena_printf(x->arena,
			                            "searches %s for credential files "
			                            "named %s",
			                            starts.v[k], hunt);
		}
	}
}

static const struct lopt chmod_lopts[] = {
	{ "recursive", ARG_NONE, 'R' },
	{ "reference", ARG_REQUIRED, OPT_L1 },
	{ "changes", ARG_NONE, 'c' },
	{ "silent", ARG_NONE, 'f' },
	{ "quiet", ARG_NONE, 'f' },
	{ "verbose", ARG_NONE, 'v' },
	{ "preserve-root", ARG_NONE, OPT_SKIP },
	{ "no-preserve-root", ARG_NONE, OPT_L2 },
	{ "from", ARG_REQUIRED, OPT_SKIP },
	{ "dereference", ARG_NONE, OPT_SKIP },
	{ "no-dereference", ARG_NONE, 'h' },
	{ NULL, 0, 0 },
};

/* chmod MODE FILE..., chown OWNER FILE..., chgrp GROUP FILE...; chmod
 * accepts modes that look like options (-x, -w). */
static void h_chmod(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	bool chmod = streq(x->name, "chmod");
	const char *first = NULL;
	bool have_ref = false, done = false;
	uint32_t flags = 0;
	struct operands o = { .n = 0 };
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (!done && streq(a, "--")) {
			done = true;
			continue;
		}
		if (!done && a[0] == '-' && a[1] == '-') {
			struct opt_it it = { .lopts = chmod_lopts };
			const char *eq = strchr(a + 2, '=');
			const struct lopt *l = find_long(
			        &it, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			if (l && l->id == 'R')
				flags |= AV_FXF_RECURSIVE;
			if (l && l->id == OPT_L1) {
				have_ref = true;
				if (!eq)
					i++;
			}
			continue;
		}
		if (!done && a[0] == '-' && a[1]) {
			if (chmod && !first && strspn(a + 1, "rwxXst") == strlen(a + 1)) {
				first = a; /* a mode such as -x */
				continue;
			}
			if (strchr(a, 'R'))
				flags |= AV_FXF_RECURSIVE;
			continue;
		}
		if (!first && !have_ref)
			first = a;
		else
			add_operand(&o, a);
	}
	for (uint32_t i = 0; i < o.n; i++) {
		struct av_effect *e = fx_path(x, chmod ? AV_FX_FS_CHMOD : AV_FX_FS_CHOWN,
		                              o.v[i], flags);
		if (chmod)
			e->mode = first ? first : "(from --reference)";
		else
			e->detail = first;
	}
}

/* dd if=IN of=OUT */
static void h_dd(struct fx_ctx *x)
{
	/* dd from an endless source into a file with no count fills the
	 * disk until it is full. */
	bool endless = false, bounded = false;
	const char *of = NULL;
	for (uint32_t i = 1; i < x->c->argc; i++) {
		const char *a = x->c->argv[i];
		if (streq(a, "if=/dev/zero") || streq(a, "if=/dev/urandom") ||
		    streq(a, "if=/dev/random"))
			endless = true;
		else if (strncmp(a, "count=", 6) == 0 ||
		         strncmp(a, "iflag=count", 11) == 0)
			bounded = true;
		else if (strncmp(a, "of=", 3) == 0)
			of = a + 3;
	}
	if (endless && !bounded && of) {
		const char *r = av_path_resolve(of, x->ctx, x->arena);
		enum av_path_class pc = av_path_classify(r, x->ctx);
		if (pc != AV_PATH_DEVICE && pc != AV_PATH_NULL) {
			struct av_effect *e = fx_push(x, AV_FX_RESOURCE);
			e->binary = x->name;
			e->detail =
			        av_arena_printf(x->arena,
			                        "dd writes an endless stream to %s until "
			                        "the disk is full",
			                        of);
		}
	}
	for (uint32_t i = 1; i < x->c->argc; i++) {
		const char *a = x->c->argv[i];
		if (strncmp(a, "if=", 3) == 0) {
			fx_path(x, AV_FX_FS_READ, a + 3, 0);
		} else if (strncmp(a, "of=", 3) == 0) {
			const char *r = av_path_resolve(a + 3, x->ctx, x->arena);
			if (av_path_classify(r, x->ctx) == AV_PATH_DEVICE)
				fx_path(x, AV_FX_DISK_WRITE, a + 3, 0)->detail =
				        "dd writes the device";
			else
				fx_write(x, a + 3, 0, NULL);
		}
	}
}

/* mkfs and friends: the device operand(s) are rewritten. */
static void h_disk(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	bool readonly = false, wipe_all = false, wipefs = streq(x->name, "wipefs");
	bool parted = streq(x->name, "parted");
	uint32_t devs = 0;
	const char *first = NULL;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (streq(a, "-l") || streq(a, "--list") || streq(a, "-d") ||
		    streq(a, "--dump") || (parted && streq(a, "print")))
			readonly = true;
		if (streq(a, "-a") || streq(a, "--all") ||
		    strncmp(a, "--offset", 8) == 0 || streq(a, "-o"))
			wipe_all = true;
		if (a[0] != '-' && !first)
			first = a;
	}
	if (wipefs && !wipe_all)
		readonly = true;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (strncmp(a, "/dev/", 5) != 0)
			continue;
		devs++;
		if (readonly)
			fx_path(x, AV_FX_FS_READ, a, 0);
		else
			fx_path(x, AV_FX_DISK_WRITE, a, 0)->detail = x->name;
	}
	if (devs == 0 && first && !readonly) {
		/* A regular file is a file system image; a device is a disk. */
		const char *r = av_path_resolve(first, x->ctx, x->arena);
		if (av_path_classify(r, x->ctx) == AV_PATH_DEVICE)
			fx_path(x, AV_FX_DISK_WRITE, first, 0)->detail = x->name;
		else
			fx_write(x, first, 0, "creates a file system image");
	}
}

/* ---- network ------------------------------------------------------------ */

enum { CURL_DATA = OPT_L1, CURL_RAW, CURL_URLENC, CURL_FORMSTR, CURL_URL, CURL_OUTDIR };

static const struct lopt curl_lopts[] = {
	{ "data", ARG_REQUIRED, 'd' },
	{ "data-ascii", ARG_REQUIRED, 'd' },
	{ "data-binary", ARG_REQUIRED, 'd' },
	{ "json", ARG_REQUIRED, 'd' },
	{ "data-raw", ARG_REQUIRED, CURL_RAW },
	{ "data-urlencode", ARG_REQUIRED, CURL_URLENC },
	{ "form", ARG_REQUIRED, 'F' },
	{ "form-string", ARG_REQUIRED, CURL_FORMSTR },
	{ "upload-file", ARG_REQUIRED, 'T' },
	{ "output", ARG_REQUIRED, 'o' },
	{ "remote-name", ARG_NONE, 'O' },
	{ "remote-name-all", ARG_NONE, 'O' },
	{ "output-dir", ARG_REQUIRED, CURL_OUTDIR },
	{ "request", ARG_REQUIRED, 'X' },
	{ "url", ARG_REQUIRED, CURL_URL },
	{ "header", ARG_REQUIRED, 'H' },
	{ "user", ARG_REQUIRED, 'u' },
	{ "user-agent", ARG_REQUIRED, 'A' },
	{ "referer", ARG_REQUIRED, 'e' },
	{ "cookie", ARG_REQUIRED, 'b' },
	{ "cookie-jar", ARG_REQUIRED, 'c' },
	{ "config", ARG_REQUIRED, 'K' },
	{ "proxy", ARG_REQUIRED, 'x' },
	{ "max-time", ARG_REQUIRED, 'm' },
	{ "cert", ARG_REQUIRED, 'E' },
	{ "write-out", ARG_REQUIRED, 'w' },
	{ "range", ARG_REQUIRED, 'r' },
	{ "dump-header", ARG_REQUIRED, 'D' },
	{ "continue-at", ARG_REQUIRED, 'C' },
	{ "time-cond", ARG_REQUIRED, 'z' },
	{ "speed-limit", ARG_REQUIRED, 'Y' },
	{ "speed-time", ARG_REQUIRED, 'y' },
	{ "quote", ARG_REQUIRED, 'Q' },
	{ "telnet-option", ARG_REQUIRED, 't' },
	{ "ftp-port", ARG_REQUIRED, 'P' },
	{ "proxy-user", ARG_REQUIRED, 'U' },
	{ "connect-timeout", ARG_REQUIRED, OPT_SKIP },
	{ "retry", ARG_REQUIRED, OPT_SKIP },
	{ "retry-delay", ARG_REQUIRED, OPT_SKIP },
	{ "retry-max-time", ARG_REQUIRED, OPT_SKIP },
	{ "cacert", ARG_REQUIRED, OPT_SKIP },
	{ "capath", ARG_REQUIRED, OPT_SKIP },
	{ "key", ARG_REQUIRED, OPT_SKIP },
	{ "pass", ARG_REQUIRED, OPT_SKIP },
	{ "resolve", ARG_REQUIRED, OPT_SKIP },
	{ "connect-to", ARG_REQUIRED, OPT_SKIP },
	{ "interface", ARG_REQUIRED, OPT_SKIP },
	{ "limit-rate", ARG_REQUIRED, OPT_SKIP },
	{ "max-filesize", ARG_REQUIRED, OPT_SKIP },
	{ "oauth2-bearer", ARG_REQUIRED, OPT_SKIP },
	{ "unix-socket", ARG_REQUIRED, OPT_SKIP },
	{ "abstract-unix-socket", ARG_REQUIRED, OPT_SKIP },
	{ "trace", ARG_REQUIRED, OPT_SKIP },
	{ "trace-ascii", ARG_REQUIRED, OPT_SKIP },
	{ "stderr", ARG_REQUIRED, OPT_SKIP },
	{ "dns-servers", ARG_REQUIRED, OPT_SKIP },
	{ "expect100-timeout", ARG_REQUIRED, OPT_SKIP },
	{ "mail-from", ARG_REQUIRED, OPT_SKIP },
	{ "mail-rcpt", ARG_REQUIRED, OPT_SKIP },
	{ "netrc-file", ARG_REQUIRED, OPT_SKIP },
	{ "preproxy", ARG_REQUIRED, OPT_SKIP },
	{ "proxy-header", ARG_REQUIRED, OPT_SKIP },
	{ "keepalive-time", ARG_REQUIRED, OPT_SKIP },
	{ "local-port", ARG_REQUIRED, OPT_SKIP },
	{ "max-redirs", ARG_REQUIRED, OPT_SKIP },
	{ "aws-sigv4", ARG_REQUIRED, OPT_SKIP },
	{ "variable", ARG_REQUIRED, OPT_SKIP },
	{ "url-query", ARG_REQUIRED, OPT_SKIP },
	{ "ciphers", ARG_REQUIRED, OPT_SKIP },
	{ "cert-type", ARG_REQUIRED, OPT_SKIP },
	{ "key-type", ARG_REQUIRED, OPT_SKIP },
	{ "proxy-cacert", ARG_REQUIRED, OPT_SKIP },
	{ "hostpubmd5", ARG_REQUIRED, OPT_SKIP },
	{ "hostpubsha256", ARG_REQUIRED, OPT_SKIP },
	{ NULL, 0, 0 },
};

struct data_item {
	const char *src; /* "inline", "stdin"/"pipe", or a path */
};

/* @file / @- in curl's data options. */
static const char *curl_data_source(struct fx_ctx *x, int id, const char *v)
{
	const char *pipe = x->c->pipe_index > 0 ? "pipe" : "stdin";
	if (!v)
		return "inline";
	const char *file = NULL;
	if (id == 'd' && v[0] == '@')
		file = v + 1;
	else if (id == 'T')
		file = v;
	else if (id == CURL_URLENC) {
		const char *at = strchr(v, '@');
		const char *eq = strchr(v, '=');
		if (at && (!eq || at < eq))
			file = at + 1;
	} else if (id == 'F') {
		const char *eq = strchr(v, '=');
		if (eq && (eq[1] == '@' || eq[1] == '<')) {
			file = eq + 2;
			size_t n = strcspn(file, ";");
			file = av_arena_strndup(x->arena, file, n);
		}
	}
	if (!file)
		return "inline";
	if (streq(file, "-") || streq(file, "."))
		return pipe;
	return file;
}

static void h_curl(struct fx_ctx *x)
{
	struct opt_it it;
	struct operands urls = { .n = 0 }, outs = { .n = 0 };
	struct data_item data[32];
	uint32_t ndata = 0;
	bool remote_name = false;
	const char *outdir = NULL, *method = NULL;
	opt_init(&it, x->c, 1, "AbcCdDeEFHKmoPQrtTuUwxXyYz", curl_lopts);
	it.exact = true;
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		switch (id) {
		case OPT_OPERAND:
		case CURL_URL:
			if (it.arg)
				add_operand(&urls, it.arg);
			break;
		case 'd':
		case 'F':
		case 'T':
		case CURL_RAW:
		case CURL_URLENC:
		case CURL_FORMSTR:
			if (ndata < COUNT(data))
				data[ndata++].src = curl_data_source(x, id, it.arg);
			break;
		case 'o':
			if (it.arg)
				add_operand(&outs, it.arg);
			break;
		case 'O':
			remote_name = true;
			break;
		case CURL_OUTDIR:
			outdir = it.arg;
			break;
		case 'X':
			method = it.arg;
			break;
		default:
			break;
		}
	}
	for (uint32_t u = 0; u < urls.n; u++) {
		struct av_effect *e = fx_push(x, AV_FX_NET_FETCH);
		fx_host(x, e, urls.v[u], true);
		/* An HTTP DELETE to a remote API destroys what the URL names
		 * (an index, a bucket, a repository); a local dev server is
		 * the project's own business. A wildcard or _all is the whole
		 * store. */
		if (method && (streq(method, "DELETE") || streq(method, "delete")) &&
		    e->host_class != AV_HOST_LOOPBACK) {
			const char *u8 = urls.v[u];
			size_t ul = strlen(u8);
			struct av_effect *d = fx_push(x, AV_FX_DATA_DESTROY);
			fx_host(x, d, u8, true);
			if (strstr(u8, "/_all") || strstr(u8, "/*") ||
			    (ul && u8[ul - 1] == '*'))
				d->flags |= AV_FXF_RECURSIVE;
			d->detail = av_arena_printf(x->arena, "HTTP DELETE %s", u8);
		}
	}
	for (uint32_t d = 0; d < ndata; d++) {
		const char *src = data[d].src;
		bool file = !streq(src, "inline") && !streq(src, "pipe") &&
		            !streq(src, "stdin");
		if (file)
			fx_path(x, AV_FX_FS_READ, src, 0);
		for (uint32_t u = 0; u < (urls.n ? urls.n : 1); u++) {
			struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
			if (urls.n)
				fx_host(x, e, urls.v[u], true);
			set_data_source(x, e, src);
		}
	}
	for (uint32_t i = 0; i < outs.n; i++)
		if (!streq(outs.v[i], "-"))
			fx_write(x, outdir ? join_base(x, outdir, outs.v[i]) : outs.v[i],
			         0, "download");
	if (remote_name)
		for (uint32_t u = 0; u < urls.n; u++) {
			const char *b = url_basename(x, urls.v[u]);
			if (b[0])
				fx_write(x,
				         join_base(x, outdir ? outdir : cwd_or_dot(x), b),
				         0, "download");
		}
}

static const struct lopt wget_lopts[] = {
	{ "output-document", ARG_REQUIRED, 'O' },
	{ "output-file", ARG_REQUIRED, 'o' },
	{ "append-output", ARG_REQUIRED, 'a' },
	{ "directory-prefix", ARG_REQUIRED, 'P' },
	{ "input-file", ARG_REQUIRED, 'i' },
	{ "post-data", ARG_REQUIRED, OPT_L1 },
	{ "post-file", ARG_REQUIRED, OPT_L2 },
	{ "body-data", ARG_REQUIRED, OPT_L1 },
	{ "body-file", ARG_REQUIRED, OPT_L2 },
	{ "method", ARG_REQUIRED, OPT_SKIP },
	{ "header", ARG_REQUIRED, OPT_SKIP },
	{ "user-agent", ARG_REQUIRED, 'U' },
	{ "tries", ARG_REQUIRED, 't' },
	{ "timeout", ARG_REQUIRED, 'T' },
	{ "wait", ARG_REQUIRED, 'w' },
	{ "execute", ARG_REQUIRED, 'e' },
	{ "level", ARG_REQUIRED, 'l' },
	{ "accept", ARG_REQUIRED, 'A' },
	{ "reject", ARG_REQUIRED, 'R' },
	{ "domains", ARG_REQUIRED, 'D' },
	{ "base", ARG_REQUIRED, 'B' },
	{ "quota", ARG_REQUIRED, 'Q' },
	{ "recursive", ARG_NONE, 'r' },
	{ "mirror", ARG_NONE, 'm' },
	{ "user", ARG_REQUIRED, OPT_SKIP },
	{ "password", ARG_REQUIRED, OPT_SKIP },
	{ "http-user", ARG_REQUIRED, OPT_SKIP },
	{ "http-password", ARG_REQUIRED, OPT_SKIP },
	{ "load-cookies", ARG_REQUIRED, OPT_SKIP },
	{ "save-cookies", ARG_REQUIRED, OPT_SKIP },
	{ "ca-certificate", ARG_REQUIRED, OPT_SKIP },
	{ "certificate", ARG_REQUIRED, OPT_SKIP },
	{ "private-key", ARG_REQUIRED, OPT_SKIP },
	{ "referer", ARG_REQUIRED, OPT_SKIP },
	{ "limit-rate", ARG_REQUIRED, OPT_SKIP },
	{ "exclude-domains", ARG_REQUIRED, OPT_SKIP },
	{ "config", ARG_REQUIRED, OPT_SKIP },
	{ NULL, 0, 0 },
};

static void h_wget(struct fx_ctx *x)
{
	struct opt_it it;
	struct operands urls = { .n = 0 };
	const char *out = NULL, *prefix = NULL;
	uint32_t rec = 0;
	opt_init(&it, x->c, 1, "OoaPiUtTwelARDBQ", wget_lopts);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		switch (id) {
		case OPT_OPERAND:
			add_operand(&urls, it.arg);
			break;
		case 'O':
			out = it.arg;
			break;
		case 'P':
			prefix = it.arg;
			break;
		case 'i':
			if (it.arg && !streq(it.arg, "-"))
				fx_path(x, AV_FX_FS_READ, it.arg, 0);
			break;
		case 'r':
		case 'm':
			rec = AV_FXF_RECURSIVE;
			break;
		case OPT_L1: {
			struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
			e->source = "inline";
			break;
		}
		case OPT_L2:
			if (it.arg) {
				fx_path(x, AV_FX_FS_READ, it.arg, 0);
				struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
				fx_source_path(x, e, it.arg);
			}
			break;
		default:
			break;
		}
	}
	/* Sends found before the URLs get the first URL's host. */
	for (uint32_t k = 0; k < x->out->count && urls.n; k++) {
		struct av_effect *e = &x->out->items[k];
		if (e->cmd == (int32_t)x->idx && e->kind == AV_FX_NET_SEND && !e->host)
			fx_host(x, e, urls.v[0], true);
	}
	for (uint32_t u = 0; u < urls.n; u++) {
		struct av_effect *e = fx_push(x, AV_FX_NET_FETCH);
		fx_host(x, e, urls.v[u], true);
		if (out) {
			if (!streq(out, "-") && u == 0)
				fx_write(x, out, 0, "download");
			continue;
		}
		const char *b = url_basename(x, urls.v[u]);
		const char *dir = prefix ? prefix : cwd_or_dot(x);
		fx_write(x, rec ? dir : join_base(x, dir, b[0] ? b : "index.html"), rec,
		         "download");
	}
}

/* "host:path", "user@host:path", "scp://host/path", "host::module",
 * "rsync://host/module": a remote location, not a local path. */
static bool is_remote_spec(const char *s)
{
	if (is_url(s))
		return true;
	const char *colon = strchr(s, ':');
	if (!colon || colon == s)
		return false;
	const char *slash = strchr(s, '/');
	return !slash || slash > colon;
}

static const struct lopt rsync_lopts[] = {
	{ "rsh", ARG_REQUIRED, 'e' },
	{ "rsync-path", ARG_REQUIRED, OPT_SKIP },
	{ "filter", ARG_REQUIRED, 'f' },
	{ "exclude", ARG_REQUIRED, OPT_SKIP },
	{ "include", ARG_REQUIRED, OPT_SKIP },
	{ "exclude-from", ARG_REQUIRED, OPT_SKIP },
	{ "include-from", ARG_REQUIRED, OPT_SKIP },
	{ "files-from", ARG_REQUIRED, OPT_SKIP },
	{ "temp-dir", ARG_REQUIRED, 'T' },
	{ "compare-dest", ARG_REQUIRED, OPT_SKIP },
	{ "copy-dest", ARG_REQUIRED, OPT_SKIP },
	{ "link-dest", ARG_REQUIRED, OPT_SKIP },
	{ "backup-dir", ARG_REQUIRED, OPT_SKIP },
	{ "suffix", ARG_REQUIRED, OPT_SKIP },
	{ "chmod", ARG_REQUIRED, OPT_SKIP },
	{ "chown", ARG_REQUIRED, OPT_SKIP },
	{ "log-file", ARG_REQUIRED, OPT_SKIP },
	{ "out-format", ARG_REQUIRED, OPT_SKIP },
	{ "password-file", ARG_REQUIRED, OPT_SKIP },
	{ "port", ARG_REQUIRED, OPT_SKIP },
	{ "bwlimit", ARG_REQUIRED, OPT_SKIP },
	{ "timeout", ARG_REQUIRED, OPT_SKIP },
	{ "partial-dir", ARG_REQUIRED, OPT_SKIP },
	{ "max-size", ARG_REQUIRED, OPT_SKIP },
	{ "min-size", ARG_REQUIRED, OPT_SKIP },
	{ "max-delete", ARG_REQUIRED, OPT_SKIP },
	{ "block-size", ARG_REQUIRED, 'B' },
	{ "recursive", ARG_NONE, 'r' },
	{ "archive", ARG_NONE, 'a' },
	{ "delete", ARG_NONE, OPT_L1 },
	{ "delete-before", ARG_NONE, OPT_L1 },
	{ "delete-during", ARG_NONE, OPT_L1 },
	{ "delete-after", ARG_NONE, OPT_L1 },
	{ "delete-delay", ARG_NONE, OPT_L1 },
	{ "delete-excluded", ARG_NONE, OPT_L1 },
	{ "remove-source-files", ARG_NONE, OPT_L2 },
	{ NULL, 0, 0 },
};

/* scp / rsync SOURCE... DEST */
static void h_copy_remote(struct fx_ctx *x)
{
	bool rsync = streq(x->name, "rsync");
	struct opt_it it;
	struct operands o = { .n = 0 };
	uint32_t flags = 0;
	bool del = false, remove_src = false;
	opt_init(&it, x->c, 1, rsync ? "efBTM" : "cDFiJloPSX",
	         rsync ? rsync_lopts : NULL);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == OPT_OPERAND)
			add_operand(&o, it.arg);
		else if (id == 'r' || id == 'a')
			flags |= AV_FXF_RECURSIVE;
		else if (id == OPT_L1)
			del = true;
		else if (id == OPT_L2)
			remove_src = true;
	}
	if (o.n < 2)
		return;
	const char *dest = o.v[o.n - 1];
	bool dest_remote = is_remote_spec(dest);
	for (uint32_t i = 0; i + 1 < o.n; i++) {
		const char *src = o.v[i];
		if (is_remote_spec(src)) {
			struct av_effect *e = fx_push(x, AV_FX_NET_FETCH);
			fx_host(x, e, src, is_url(src));
			e->url = src;
			if (!dest_remote)
				fx_write(x, dest, flags, "download");
		} else {
			fx_path(x, AV_FX_FS_READ, src, flags);
			if (remove_src)
				fx_path(x, AV_FX_FS_DELETE, src, flags)->detail =
				        "rsync --remove-source-files";
		}
		if (dest_remote) {
			struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
			fx_host(x, e, dest, is_url(dest));
			e->url = dest;
			e->flags |= flags;
			if (!is_remote_spec(src))
				fx_source_path(x, e, src);
			if (del)
				e->detail = "deletes files on the remote side that the "
				            "source lacks";
		}
	}
	if (del && !dest_remote)
		fx_path(x, AV_FX_FS_DELETE, dest, AV_FXF_RECURSIVE)->detail =
		        "rsync --delete removes files the source lacks";
}

static const struct lopt nc_lopts[] = {
	{ "exec", ARG_REQUIRED, 'e' },
	{ "sh-exec", ARG_REQUIRED, 'c' },
	{ "lua-exec", ARG_REQUIRED, OPT_L1 },
	{ "listen", ARG_NONE, 'l' },
	{ "source-port", ARG_REQUIRED, 'p' },
	{ "source", ARG_REQUIRED, 's' },
	{ "wait", ARG_REQUIRED, 'w' },
	{ "proxy", ARG_REQUIRED, OPT_SKIP },
	{ "proxy-type", ARG_REQUIRED, OPT_SKIP },
	{ "output", ARG_REQUIRED, 'o' },
	{ "idle-timeout", ARG_REQUIRED, 'i' },
	{ "send-only", ARG_NONE, OPT_SKIP },
	{ NULL, 0, 0 },
};

/* Adds net.send when the command's standard input carries data out. */
static void send_stdin(struct fx_ctx *x, const struct av_effect *conn)
{
	const char *src = stdin_source(x);
	if (!src)
		return;
	const char *host = conn->host, *url = conn->url;
	enum av_host_class hc = conn->host_class;
	struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
	e->host = host;
	e->url = url;
	e->host_class = hc;
	set_data_source(x, e, src);
}

static void h_netcat(struct fx_ctx *x)
{
	struct opt_it it;
	struct operands o = { .n = 0 };
	bool listen = false;
	const char *exec = NULL;
	opt_init(&it, x->c, 1, "eciIMmOpqsTVwXxo", nc_lopts);
	if (streq(x->name, "telnet"))
		opt_init(&it, x->c, 1, "belnk", NULL);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == OPT_OPERAND)
			add_operand(&o, it.arg);
		else if (id == 'l')
			listen = true;
		else if ((id == 'e' || id == 'c' || id == OPT_L1) &&
		         !streq(x->name, "telnet"))
			exec = it.arg;
	}
	struct av_effect *e = fx_push(x, AV_FX_NET_CONNECT);
	if (listen) {
		e->detail = "listens for incoming connections";
	} else if (o.n > 0) {
		fx_host(x, e, o.v[0], false);
		if (o.n > 1)
			e->detail = o.v[1];
	}
	struct av_effect conn = *e;
	if (exec) {
		struct av_effect *ce = fx_push(x, AV_FX_CODE_EXEC);
		ce->binary = av_shell_basename(exec);
		ce->source = "network";
		ce->host = conn.host;
		ce->host_class = conn.host_class;
		ce->detail = "runs a program wired to a network connection";
	}
	send_stdin(x, &conn);
}

static void h_socat(struct fx_ctx *x)
{
	static const char *const net[] = { "TCP",     "TCP4",  "TCP6",      "TCP-CONNECT",
		                           "OPENSSL", "SSL",   "UDP",       "UDP4",
		                           "UDP6",    "SCTP",  "SOCKS4",    "SOCKS4A",
		                           "SOCKS5",  "PROXY", "UDP-SENDTO" };
	struct av_effect conn = { 0 };
	bool any = false, exec = false;
	for (uint32_t i = 1; i < x->c->argc; i++) {
		const char *a = x->c->argv[i];
		if (a[0] == '-' && a[1])
			continue;
		char type[24];
		size_t n = strcspn(a, ":");
		if (n >= sizeof(type) || a[n] != ':')
			continue;
		for (size_t k = 0; k < n; k++)
			type[k] = (a[k] >= 'a' && a[k] <= 'z') ? (char)(a[k] - 32) : a[k];
		type[n] = '\0';
		if (in_set(type, net, COUNT(net))) {
			struct av_effect *e = fx_push(x, AV_FX_NET_CONNECT);
			fx_host(x, e, a + n + 1, false);
			conn = *e;
			any = true;
		} else if (strstr(type, "LISTEN")) {
			fx_push(x, AV_FX_NET_CONNECT)->detail =
			        "listens for incoming connections";
			any = true;
		} else if (streq(type, "EXEC") || streq(type, "SYSTEM")) {
			exec = true;
		} else if (streq(type, "FILE") || streq(type, "OPEN") ||
		           streq(type, "GOPEN")) {
			/* FILE:path reads (or writes) a file as one end of the
			 * relay: with a TCP end, its content crosses the wire. */
			char path[4096];
			size_t pl = strcspn(a + n + 1, ",");
			if (pl > 0 && pl < sizeof(path)) {
				memcpy(path, a + n + 1, pl);
				path[pl] = '\0';
				const char *p = av_arena_strdup(x->arena, path);
				if (p)
					fx_path(x, AV_FX_FS_READ, p, 0);
			}
		}
	}
	if (exec && any) {
		struct av_effect *ce = fx_push(x, AV_FX_CODE_EXEC);
		ce->binary = "socat";
		ce->source = "network";
		ce->host = conn.host;
		ce->host_class = conn.host_class;
		ce->detail = "runs a program wired to a network connection";
	}
}

static void h_ssh(struct fx_ctx *x)
{
	struct opt_it it;
	opt_init(&it, x->c, 1, "BbcDEeFIiJLlmOopQRSWw", NULL);
	it.posix = true;
	const char *dest = NULL;
	uint32_t rest = x->c->argc;
	const char *fwd[8];
	char fwd_kind[8];
	uint32_t nfwd = 0;
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == OPT_OPERAND) {
			dest = it.arg;
			rest = it.i;
			break;
		}
		if ((id == 'R' || id == 'L' || id == 'D') && it.arg &&
		    nfwd < COUNT(fwd)) {
			fwd[nfwd] = it.arg;
			fwd_kind[nfwd++] = (char)id;
		}
	}
	if (!dest)
		return;
	struct av_effect *e = fx_push(x, AV_FX_NET_CONNECT);
	fx_host(x, e, dest, is_url(dest));
	struct av_effect conn = *e;
	/* -R publishes a local port on the remote host; -L and -D only give
	 * this machine a way in to the remote side. */
	for (uint32_t i = 0; i < nfwd; i++) {
		struct av_effect *f = fx_push(x, fwd_kind[i] == 'R' ? AV_FX_NET_EXPOSE
		                                                    : AV_FX_NET_CONNECT);
		f->host = conn.host;
		f->host_class = conn.host_class;
		f->binary = "ssh";
		f->detail = av_arena_printf(
		        x->arena,
		        fwd_kind[i] == 'R'   ? "ssh -R %s exposes a local port on %s"
		        : fwd_kind[i] == 'L' ? "ssh -L %s forwards a local port to %s"
		                             : "ssh -D %s opens a SOCKS proxy through %s",
		        fwd[i], conn.host ? conn.host : "?");
	}
	if (rest < x->c->argc) {
		struct av_effect *p = fx_push(x, AV_FX_PROC_EXEC);
		p->binary = x->c->argv[rest];
		p->host = conn.host;
		p->host_class = conn.host_class;
		p->detail = "runs on the remote host";
	}
	send_stdin(x, &conn);
}

/* ---- privilege ---------------------------------------------------------- */

static int32_t first_child(const struct fx_ctx *x)
{
	for (uint32_t j = x->idx + 1; j < x->sh->ncmds; j++)
		if (x->sh->cmds[j].parent == (int32_t)x->idx)
			return (int32_t)j;
	return -1;
}

static bool interactive_shell(const struct av_command *c)
{
	if (c->argc == 0 || !av_shell_is_shell(av_shell_basename(c->argv[0])))
		return false;
	struct av_sh_invocation inv;
	av_shell_sh_invocation((const char *const *)c->argv, c->argc, &inv);
	if (inv.mode != AV_SH_STDIN || c->pipe_index > 0)
		return false;
	for (uint32_t i = 0; i < c->nredirs; i++)
		if (c->redirs[i].fd == 0)
			return false;
	return true;
}

static void h_priv(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	bool sudo = streq(x->name, "sudo");
	bool su = streq(x->name, "su");
	bool listing = false, login = false;
	for (uint32_t i = 1; i < c->argc && (sudo || su || streq(x->name, "doas")); i++) {
		const char *a = c->argv[i];
		if (a[0] != '-' || a[1] == '-')
			continue;
		if (sudo && (strpbrk(a + 1, "lvkKVe") && !strpbrk(a + 1, "ugpCDrtTUR")))
			listing = true;
		if (strpbrk(a + 1, "is") && !su)
			login = true;
	}
	struct av_effect *e = fx_push(x, AV_FX_PRIV);
	e->binary = x->name;
	int32_t child = first_child(x);
	if (child >= 0 && !interactive_shell(&x->sh->cmds[child])) {
		e->detail = "runs a command with elevated privileges";
	} else if (listing && child < 0) {
		e->detail = "lists or refreshes sudo rights";
	} else {
		e->detail = "interactive root shell";
	}
	(void)login;
}

/* ---- code execution ----------------------------------------------------- */

static void code_exec_stdin(struct fx_ctx *x, struct av_effect *e)
{
	const struct av_command *c = x->c;
	for (uint32_t i = c->nredirs; i-- > 0;) {
		const struct av_redir *r = &c->redirs[i];
		if (r->fd != 0)
			continue;
		if (r->op == AV_REDIR_IN && r->target) {
			const char *t = r->target;
			fx_source_path(x, e, t);
			return;
		}
		if (r->op == AV_REDIR_HEREDOC || r->op == AV_REDIR_HERESTRING) {
			e->source = "inline";
			e->detail = r->target;
			return;
		}
	}
	if (c->pipe_index > 0) {
		const struct av_effect *f = fx_stdin_fetch(x);
		if (f) {
			e->source = "network";
			e->host = f->host;
			e->host_class = f->host_class;
			e->url = f->url;
			e->detail = "script piped from a download";
			return;
		}
		const char *dec = fx_stdin_decoded(x);
		if (dec) {
			e->source = "decoded";
			e->detail = av_arena_printf(x->arena,
			                            "runs a script decoded by %s", dec);
			return;
		}
		int32_t j = av_shell_pipe_source(x->sh, x->idx);
		/* A literal script piped in was analysed: its commands are ours. */
		e->source = first_child(x) >= 0 ? "inline" : "stdin";
		e->detail = j >= 0 && x->sh->cmds[j].argc
		                    ? av_arena_printf(
		                              x->arena, "script piped from %s",
		                              av_shell_basename(x->sh->cmds[j].argv[0]))
		                    : "script piped from another command";
		return;
	}
	e->source = "stdin";
	e->detail = "interactive shell";
}

static void network_from_subst(struct fx_ctx *x, struct av_effect *e)
{
	const struct av_effect *f = fx_subst_fetch(x);
	if (!f) {
		const char *dec = fx_subst_decoded(x);
		if (dec) {
			e->source = "decoded";
			e->detail =
			        av_arena_printf(x->arena, "runs text decoded by %s", dec);
		}
		return;
	}
	e->source = "network";
	e->host = f->host;
	e->host_class = f->host_class;
	e->url = f->url;
}

static void h_shell(struct fx_ctx *x)
{
	struct av_sh_invocation inv;
	av_shell_sh_invocation((const char *const *)x->c->argv, x->c->argc, &inv);
	struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
	e->binary = x->name;
	switch (inv.mode) {
	case AV_SH_INLINE:
		e->source = "inline";
		e->detail = inv.code;
		/* the code may come out of the shell's own substitutions, even
		 * when the evaluator resolved it: where it came from counts */
		if (inv.code)
			network_from_subst(x, e);
		break;
	case AV_SH_SCRIPT:
		if (strncmp(inv.script, "<(", 2) == 0) {
			e->source = "stdin";
			e->detail = "script from a process substitution";
			network_from_subst(x, e);
		} else {
			fx_source_path(x, e, inv.script);
		}
		break;
	case AV_SH_STDIN:
		code_exec_stdin(x, e);
		break;
	}
}

static void h_source(struct fx_ctx *x)
{
	struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
	e->binary = x->name;
	if (streq(x->name, "eval")) {
		e->source = "inline";
		network_from_subst(x, e);
		return;
	}
	if (x->c->argc < 2) {
		e->source = "stdin";
		return;
	}
	const char *a = x->c->argv[1];
	if (strncmp(a, "<(", 2) == 0 || strncmp(a, "/dev/stdin", 10) == 0 ||
	    strncmp(a, "/dev/fd/", 8) == 0) {
		e->source = "stdin";
		e->detail = "sources a stream";
		network_from_subst(x, e);
		if (!strcmp(e->source, "stdin") && x->c->pipe_index > 0)
			code_exec_stdin(x, e);
		return;
	}
	fx_source_path(x, e, a);
}

struct interp {
	const char *name;
	const char *sarg;      /* short options with an argument */
	char inline1, inline2; /* options whose argument is code */
	char module;           /* python -m */
	char script_opt;       /* php -f FILE */
};

static const struct interp interps[] = {
	{ .name = "deno", .sarg = "" },
	{ .name = "lua", .sarg = "el", .inline1 = 'e' },
	{ .name = "node", .sarg = "epr", .inline1 = 'e', .inline2 = 'p' },
	{ .name = "nodejs", .sarg = "epr", .inline1 = 'e', .inline2 = 'p' },
	{ .name = "perl", .sarg = "eEIM", .inline1 = 'e', .inline2 = 'E' },
	{ .name = "php", .sarg = "rcdfzSt", .inline1 = 'r', .script_opt = 'f' },
	{ .name = "python", .sarg = "cmWXQ", .inline1 = 'c', .module = 'm' },
	{ .name = "python2", .sarg = "cmWXQ", .inline1 = 'c', .module = 'm' },
	{ .name = "python3", .sarg = "cmWXQ", .inline1 = 'c', .module = 'm' },
	{ .name = "ruby", .sarg = "eIr", .inline1 = 'e' },
};

static const struct lopt interp_lopts[] = {
	{ "eval", ARG_REQUIRED, 'e' },
	{ "print", ARG_REQUIRED, 'p' },
	{ "require", ARG_REQUIRED, 'r' },
	{ "import", ARG_REQUIRED, OPT_SKIP },
	{ NULL, 0, 0 },
};

static int interp_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct interp *)e)->name);
}

static void h_pkg_argv(struct fx_ctx *x, const char *manager, uint32_t start);

/* python -m http.server [--directory DIR] [--bind ADDR], php -S ADDR
 * [-t DIR]: serves a directory (the current one by default) over HTTP. */
static void http_server(struct fx_ctx *x, uint32_t from, const char *dir_long,
                        char dir_short, const char *bind_long, char bind_short)
{
	const struct av_command *c = x->c;
	const char *dir = NULL, *bind = NULL;
	for (uint32_t i = from; i < c->argc; i++) {
		const char *a = c->argv[i];
		const char *next = i + 1 < c->argc ? c->argv[i + 1] : NULL;
		size_t dl = dir_long ? strlen(dir_long) : 0,
		       bl = bind_long ? strlen(bind_long) : 0;
		if (dir_long && strncmp(a, dir_long, dl) == 0 && a[dl] == '=')
			dir = a + dl + 1;
		else if ((dir_long && streq(a, dir_long)) ||
		         (a[0] == '-' && a[1] == dir_short && !a[2]))
			dir = next, i++;
		else if (bind_long && strncmp(a, bind_long, bl) == 0 && a[bl] == '=')
			bind = a + bl + 1;
		else if ((bind_long && streq(a, bind_long)) ||
		         (bind_short && a[0] == '-' && a[1] == bind_short && !a[2]))
			bind = next, i++;
	}
	struct av_effect *e = fx_path(x, AV_FX_NET_EXPOSE, dir ? dir : cwd_or_dot(x), 0);
	e->binary = x->name;
	e->detail = "serves a directory over HTTP";
	if (bind) {
		e->host = bind;
		/* A server bound to the wildcard address answers on every
		 * interface: for exposure that is the public case, although a
		 * client connecting to 0.0.0.0 reaches this machine. */
		e->host_class =
		        streq(bind, "0.0.0.0") || streq(bind, "::") || streq(bind, "[::]")
		                ? AV_HOST_PUBLIC
		                : av_host_classify(bind);
	}
}

/* deno run|eval|install|compile [options] SCRIPT: a URL script is remote
 * code run (or installed) without a look at it. */
static void deno_sub(struct fx_ctx *x, struct av_effect *e, uint32_t from)
{
	const struct av_command *c = x->c;
	const char *sub = c->argv[from - 1];
	for (uint32_t i = from; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (a[0] == '-')
			continue;
		if (streq(sub, "eval")) {
			e->source = "inline";
			e->detail = a;
		} else if (is_url(a)) {
			e->source = "network";
			fx_host(x, e, a, true);
			e->detail = av_arena_printf(x->arena, "deno %s %s", sub, a);
		} else {
			fx_source_path(x, e, a);
		}
		return;
	}
}

static void h_interp(struct fx_ctx *x)
{
	const char *name = x->name;
	/* python3.11 -> python3 */
	char base[16];
	size_t n = strcspn(name, ".");
	if (n < sizeof(base)) {
		memcpy(base, name, n);
		base[n] = '\0';
		name = base;
	}
	const struct interp *ip =
	        bsearch(name, interps, COUNT(interps), sizeof(interps[0]), interp_cmp);
	if (!ip)
		return;
	struct opt_it it;
	opt_init(&it, x->c, 1, ip->sarg, interp_lopts);
	it.posix = true;
	struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
	e->binary = x->name;
	uint32_t eidx = x->out->count - 1;
	bool done = false;
	for (int id; !done && (id = opt_next(&it)) != OPT_END;) {
		e = x->failed ? &x->sink : &x->out->items[eidx];
		if (id == OPT_OPERAND) {
			if (streq(it.arg, "-"))
				break; /* "-": the program comes from standard input */
			if (streq(ip->name, "deno") &&
			    (streq(it.arg, "run") || streq(it.arg, "eval") ||
			     streq(it.arg, "install") || streq(it.arg, "compile"))) {
				deno_sub(x, e, it.i);
				done = true;
				continue;
			}
			if (strncmp(it.arg, "<(", 2) == 0) {
				e->source = "stdin";
				e->detail = "script from a process substitution";
				network_from_subst(x, e);
			} else if (is_url(it.arg)) {
				e->source = "network";
				fx_host(x, e, it.arg, true);
				e->detail = "runs a script straight from a URL";
			} else {
				fx_source_path(x, e, it.arg);
			}
			done = true;
		} else if (id && (id == ip->inline1 || id == ip->inline2)) {
			/* "perl -e" as the last word: no program text at all
			 * (a fuzz finding; the interpreter would complain). */
			e->source = "inline";
			e->detail = it.arg ? it.arg : "";
			if (it.arg && strpbrk(it.arg, "$`"))
				network_from_subst(x, e);
			done = true;
		} else if (id && id == ip->module) {
			e->source = "module";
			e->detail = it.arg;
			if (streq(it.arg, "pip"))
				h_pkg_argv(x, "pip", it.i);
			else if (streq(it.arg, "http.server") ||
			         streq(it.arg, "SimpleHTTPServer"))
				http_server(x, it.i, "--directory", 'd', "--bind", 'b');
			done = true;
		} else if (id == 'S' && streq(ip->name, "php")) {
			const char *addr = it.arg;
			http_server(x, it.i, NULL, 't', NULL, 0);
			struct av_effect *s = &x->out->items[x->out->count - 1];
			if (!x->failed && s->kind == AV_FX_NET_EXPOSE && addr) {
				size_t hn = strcspn(addr, ":");
				s->host = av_arena_strndup(x->arena, addr, hn);
				s->host_class = av_host_classify(s->host);
			}
			done = true;
		} else if (id && id == ip->script_opt && it.arg) {
			fx_source_path(x, e, it.arg);
			done = true;
		}
	}
	e = x->failed ? &x->sink : &x->out->items[eidx];
	if (!done)
		code_exec_stdin(x, e);
}

/* ---- persistence and system state --------------------------------------- */

static void h_crontab(struct fx_ctx *x)
{
	struct opt_it it;
	const char *user = x->ctx && x->ctx->user ? x->ctx->user : "root";
	bool list = false, rm = false, edit = false;
	struct operands o = { .n = 0 };
	opt_init(&it, x->c, 1, "us", NULL);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == 'u' && it.arg)
			user = it.arg;
		else if (id == 'l')
			list = true;
		else if (id == 'r')
			rm = true;
		else if (id == 'e')
			edit = true;
		else if (id == OPT_OPERAND)
			add_operand(&o, it.arg);
	}
	if (list) {
		const char *p =
		        av_arena_printf(x->arena, "/var/spool/cron/crontabs/%s", user);
		fx_path(x, AV_FX_FS_READ, p, 0);
		return;
	}
	if (rm) {
		fx_push(x, AV_FX_SYS_CONFIG)->detail = "removes the crontab";
		return;
	}
	struct av_effect *e = fx_push(x, AV_FX_PERSIST);
	e->mechanism = "cron";
	e->binary = "crontab";
	if (edit) {
		e->detail = "edits the crontab";
	} else if (o.n > 0 && !streq(o.v[0], "-")) {
		const char *src = o.v[0];
		fx_source_path(x, e, src);
		e->detail = "installs a crontab from a file";
		fx_path(x, AV_FX_FS_READ, src, 0);
	} else {
		const char *s = stdin_source(x);
		e->source = s && (streq(s, "pipe") || streq(s, "inline")) ? s : "stdin";
		e->detail = "installs a crontab from standard input";
	}
}

static void h_at(struct fx_ctx *x)
{
	for (uint32_t i = 1; i < x->c->argc; i++) {
		const char *a = x->c->argv[i];
		if (streq(a, "-l") || streq(a, "-r") || streq(a, "-d") || streq(a, "-c"))
			return;
	}
	struct av_effect *e = fx_push(x, AV_FX_PERSIST);
	e->mechanism = "at";
	e->detail = "schedules a job";
}

static const struct lopt systemctl_lopts[] = {
	{ "type", ARG_REQUIRED, 't' },
	{ "property", ARG_REQUIRED, 'p' },
	{ "host", ARG_REQUIRED, 'H' },
	{ "machine", ARG_REQUIRED, 'M' },
	{ "lines", ARG_REQUIRED, 'n' },
	{ "output", ARG_REQUIRED, 'o' },
	{ "signal", ARG_REQUIRED, 's' },
	{ "root", ARG_REQUIRED, OPT_SKIP },
	{ "state", ARG_REQUIRED, OPT_SKIP },
	{ "job-mode", ARG_REQUIRED, OPT_SKIP },
	{ "kill-whom", ARG_REQUIRED, OPT_SKIP },
	{ "what", ARG_REQUIRED, OPT_SKIP },
	{ "now", ARG_NONE, OPT_L1 },
	{ "user", ARG_NONE, OPT_L2 },
	{ NULL, 0, 0 },
};

static void h_systemctl(struct fx_ctx *x)
{
	static const char *const persist[] = { "enable",    "reenable",     "link",
		                               "add-wants", "add-requires", "edit",
		                               "preset",    "set-default" };
	static const char *const change[] = {
		"start",
		"stop",
		"restart",
		"reload",
		"try-restart",
		"reload-or-restart",
		"disable",
		"mask",
		"unmask",
		"kill",
		"isolate",
		"daemon-reload",
		"daemon-reexec",
		"reboot",
		"poweroff",
		"halt",
		"suspend",
		"hibernate",
		"rescue",
		"emergency",
		"default",
		"revert",
		"set-property",
		"reset-failed",
		"try-reload-or-restart",
		"condrestart",
		"force-reload",
		"kexec",
	};
	struct opt_it it;
	struct operands o = { .n = 0 };
	bool now = false, user = false;
	opt_init(&it, x->c, 1, "tpHMnos", systemctl_lopts);
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == OPT_OPERAND)
			add_operand(&o, it.arg);
		else if (id == OPT_L1)
			now = true;
		else if (id == OPT_L2)
			user = true;
	}
	if (o.n == 0)
		return;
	const char *verb = o.v[0];
	const char *units = o.n > 1 ? o.v[1] : "";
	if (in_set(verb, persist, COUNT(persist))) {
		struct av_effect *e = fx_push(x, AV_FX_PERSIST);
		e->mechanism = "systemd";
		e->detail = av_arena_printf(x->arena, "systemctl %s%s %s",
		                            user ? "--user " : "", verb, units);
		if (now)
			fx_push(x, AV_FX_SYS_CONFIG)->detail =
			        av_arena_printf(x->arena, "systemctl start %s", units);
	} else if (in_set(verb, change, COUNT(change))) {
		/* Stopping a security or logging service blinds the machine:
		 * named in the detail so a rule can tell it from a restart of
		 * the app's own service. */
		static const char *const guards[] = {
			"apparmor", "auditd",    "clamav",   "crowdstrike", "falcon",
			"fail2ban", "firewalld", "journald", "osquery",     "rsyslog",
			"selinux",  "syslog",    "ufw",      "wazuh",       "nftables",
		};
		bool off = streq(verb, "stop") || streq(verb, "disable") ||
		           streq(verb, "mask") || streq(verb, "kill");
		bool guard = false;
		for (uint32_t u = 1; off && u < o.n && !guard; u++)
			for (size_t g = 0; g < COUNT(guards) && !guard; g++)
				guard = strstr(o.v[u], guards[g]) != NULL;
		fx_push(x, AV_FX_SYS_CONFIG)->detail =
		        guard ? av_arena_printf(x->arena,
		                                "systemctl %s %s stops a security or "
		                                "logging service",
		                                verb, units)
		              : av_arena_printf(x->arena, "systemctl %s %s", verb, units);
	}
}

static void h_service(struct fx_ctx *x)
{
	if (x->c->argc >= 3 && !streq(x->c->argv[2], "status"))
		fx_push(x, AV_FX_SYS_CONFIG)->detail = av_arena_printf(
		        x->arena, "service %s %s", x->c->argv[1], x->c->argv[2]);
}

/* Programs whose every run changes system state (h_sysconf, below the
 * table): the table's detail says how. */
static void h_sysconf(struct fx_ctx *x);

static void h_accounts(struct fx_ctx *x)
{
	struct av_effect *e = fx_push(x, AV_FX_SYS_CONFIG);
	e->binary = x->name;
	e->detail = av_arena_printf(x->arena, "%s changes user accounts or passwords",
	                            x->name);
	if (streq(x->name, "visudo")) {
		fx_write(x, "/etc/sudoers", 0, "edits sudo rights");
		fx_push(x, AV_FX_PRIV)->detail = "changes who may use sudo";
	}
	if (streq(x->name, "usermod") || streq(x->name, "useradd") ||
	    streq(x->name, "gpasswd") || streq(x->name, "adduser")) {
		static const char *const groups[] = { "sudo", "wheel", "admin", "root",
			                              "docker" };
		for (uint32_t i = 1; i < x->c->argc; i++) {
			for (size_t g = 0; g < COUNT(groups); g++) {
				const char *s = strstr(x->c->argv[i], groups[g]);
				size_t gl = strlen(groups[g]);
				if (s && (s == x->c->argv[i] || s[-1] == ',') &&
				    (s[gl] == '\0' || s[gl] == ',')) {
					struct av_effect *p = fx_push(x, AV_FX_PRIV);
					p->binary = x->name;
					p->detail = av_arena_printf(
					        x->arena, "adds a user to the %s group",
					        groups[g]);
				}
			}
		}
	}
}

static void h_history(struct fx_ctx *x)
{
	for (uint32_t i = 1; i < x->c->argc; i++) {
		const char *a = x->c->argv[i];
		if (a[0] == '-' && (strchr(a, 'c') || strchr(a, 'd') || strchr(a, 'w'))) {
			fx_push(x, AV_FX_SYS_CONFIG)->detail = "clears shell history";
			return;
		}
	}
}

static void h_unset_export(struct fx_ctx *x)
{
	bool set = streq(x->name, "set");
	for (uint32_t i = 1; i < x->c->argc; i++) {
		const char *a = x->c->argv[i];
		const char *eq = strchr(a, '=');
		if (!set && eq) {
			char name[32];
			size_t nl = (size_t)(eq - a);
			if (nl < sizeof(name)) {
				memcpy(name, a, nl);
				name[nl] = '\0';
				av_fx_env_hook(x, name, eq + 1);
				av_fx_export(x, name, eq + 1);
			}
		}
		if ((!set &&
		     (strncmp(a, "HISTFILE", 8) == 0 &&
		      (a[8] == '\0' || (streq(x->name, "export") && a[8] == '=')))) ||
		    (!set && (streq(a, "HISTSIZE=0") || streq(a, "HISTFILESIZE=0"))) ||
		    (set && streq(a, "history") && i > 1 &&
		     streq(x->c->argv[i - 1], "+o"))) {
			fx_push(x, AV_FX_SYS_CONFIG)->detail = "disables shell history";
			return;
		}
	}
}

static void h_firewall(struct fx_ctx *x)
{
	for (uint32_t i = 1; i < x->c->argc; i++) {
		const char *a = x->c->argv[i];
		if (streq(a, "-L") || streq(a, "-S") || streq(a, "--list") ||
		    streq(a, "list") || streq(a, "status") ||
		    strncmp(a, "--list", 6) == 0 || streq(a, "-nL") || streq(a, "-vnL") ||
		    streq(a, "-nvL"))
			return;
	}
	/* Forms that open the machine rather than adjust it: every rule flushed,
	 * the firewall disabled or reset, or a chain's default turned to ACCEPT.
	 * No development task needs them; a specific allow rule does the job. */
	static const char *const off_words[] = { "-F",          "--flush",       "-X",
		                                 "disable",     "reset",         "flush",
		                                 "--panic-off", "--delete-chain" };
	bool off = false;
	for (uint32_t i = 1; i < x->c->argc && !off; i++) {
		const char *a = x->c->argv[i];
		for (size_t k = 0; k < COUNT(off_words); k++)
			if (streq(a, off_words[k]))
				off = true;
		if ((streq(a, "-P") || streq(a, "--policy")) && i + 2 < x->c->argc &&
		    streq(x->c->argv[i + 2], "ACCEPT"))
			off = true;
	}
	fx_push(x, AV_FX_SYS_CONFIG)->detail =
	        off ? av_arena_printf(x->arena,
	                              "%s turns the firewall off (flush, disable or "
	                              "accept everything)",
	                              x->name)
	            : av_arena_printf(x->arena, "%s changes firewall rules", x->name);
}

static void h_launchctl(struct fx_ctx *x)
{
	if (x->c->argc < 2)
		return;
	const char *v = x->c->argv[1];
	/* Unloading an endpoint agent or the audit daemon blinds the machine. */
	static const char *const guards[] = { "crowdstrike", "falcon",    "sentinel",
		                              "carbonblack", "cbdefense", "jamf",
		                              "auditd",      "osquery",   "santa",
		                              "xprotect",    "mdatp",     "wdav" };
	if (streq(v, "unload") || streq(v, "bootout") || streq(v, "disable") ||
	    streq(v, "remove") || streq(v, "stop")) {
		for (uint32_t i = 2; i < x->c->argc; i++)
			for (size_t k = 0; k < COUNT(guards); k++)
				if (strcasestr(x->c->argv[i], guards[k])) {
					fx_push(x, AV_FX_SYS_CONFIG)->detail =
					        av_arena_printf(x->arena,
					                        "launchctl %s stops a "
					                        "security or logging "
					                        "service (%s)",
					                        v, x->c->argv[i]);
					return;
				}
	}
	if (streq(v, "load") || streq(v, "bootstrap") || streq(v, "enable") ||
	    streq(v, "submit")) {
		struct av_effect *e = fx_push(x, AV_FX_PERSIST);
		e->mechanism = "launchagent";
		e->detail = av_arena_printf(x->arena, "launchctl %s", v);
	}
}

/* ---- packages ----------------------------------------------------------- */

struct pkg {
	const char *name;
	const char *manager;
	const char *sarg;
	const char *const *url_opts; /* long options whose argument is a URL */
	char url_short;              /* pip -i URL */
	char install_short;          /* dpkg -i, pacman -S, rpm -i */
};

static const char *const pip_url_opts[] = { "index-url", "extra-index-url", "find-links",
	                                    NULL };
static const char *const npm_url_opts[] = { "registry", NULL };
static const char *const cargo_url_opts[] = { "git", "index", "registry", NULL };
static const char *const gem_url_opts[] = { "source", NULL };

static const struct pkg pkgs[] = {
	{ .name = "apk", .manager = "apk", .sarg = "X" },
	{ .name = "apt", .manager = "apt", .sarg = "ocCt" },
	{ .name = "apt-get", .manager = "apt", .sarg = "ocCt" },
	{ .name = "aptitude", .manager = "apt", .sarg = "ot" },
	{ .name = "brew", .manager = "brew", .sarg = "" },
	{ .name = "bun", .manager = "bun", .sarg = "", .url_opts = npm_url_opts },
	{ .name = "bundle", .manager = "bundler", .sarg = "j" },
	{ .name = "cargo", .manager = "cargo", .sarg = "Zj", .url_opts = cargo_url_opts },
	{ .name = "composer", .manager = "composer", .sarg = "d" },
	{ .name = "dnf", .manager = "dnf", .sarg = "cdex" },
	{ .name = "dpkg", .manager = "dpkg", .sarg = "", .install_short = 'i' },
	{ .name = "gem", .manager = "gem", .sarg = "vs", .url_opts = gem_url_opts },
	{ .name = "go", .manager = "go", .sarg = "" },
	{ .name = "mix", .manager = "mix", .sarg = "" },
	{ .name = "npm", .manager = "npm", .sarg = "", .url_opts = npm_url_opts },
	{ .name = "pacman", .manager = "pacman", .sarg = "", .install_short = 'S' },
	{ .name = "pip",
	  .manager = "pip",
	  .sarg = "rcietb",
	  .url_opts = pip_url_opts,
	  .url_short = 'i' },
	{ .name = "pip3",
	  .manager = "pip",
	  .sarg = "rcietb",
	  .url_opts = pip_url_opts,
	  .url_short = 'i' },
	{ .name = "pipx", .manager = "pipx", .sarg = "", .url_opts = pip_url_opts },
	{ .name = "pnpm", .manager = "pnpm", .sarg = "", .url_opts = npm_url_opts },
	{ .name = "poetry", .manager = "poetry", .sarg = "EG" },
	{ .name = "rpm", .manager = "rpm", .sarg = "", .install_short = 'i' },
	{ .name = "snap", .manager = "snap", .sarg = "" },
	{ .name = "uv", .manager = "uv", .sarg = "", .url_opts = pip_url_opts },
	{ .name = "yarn", .manager = "yarn", .sarg = "", .url_opts = npm_url_opts },
	{ .name = "yum", .manager = "yum", .sarg = "cdex" },
	{ .name = "zypper", .manager = "zypper", .sarg = "" },
};

static int pkg_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct pkg *)e)->name);
}

static bool pkg_is_url(const char *s)
{
	return is_url(s) || strncmp(s, "git+", 4) == 0 || strncmp(s, "github:", 7) == 0 ||
	       (strchr(s, '@') && strstr(s, "://"));
}

/* Package manager settings that decide where packages come from or whether
 * their transport is checked: "npm config set registry URL", "npm set
 * KEY=VALUE", "pip config set global.index-url URL", "go env -w
 * GOPROXY=URL", "gem sources --add URL". */
static bool source_key(const char *key)
{
	static const char *const keys[] = { "registry",
		                            "index-url",
		                            "extra-index-url",
		                            "find-links",
		                            "proxy",
		                            "https-proxy",
		                            "http-proxy",
		                            "npmregistryserver",
		                            "goproxy",
		                            "gonosumdb",
		                            "gonosumcheck",
		                            "goprivate",
		                            "gosumdb",
		                            "trusted-host",
		                            "strict-ssl",
		                            "goinsecure",
		                            "cert",
		                            "cafile",
		                            "ca",
		                            "unsafeHttpWhitelist" };
	const char *k = strrchr(key, '.');
	k = k ? k + 1 : key;
	const char *colon = strrchr(k, ':'); /* @scope:registry */
	k = colon ? colon + 1 : k;
	for (size_t i = 0; i < COUNT(keys); i++)
		if (strcasecmp(k, keys[i]) == 0)
			return true;
	return false;
}

static void pkg_setting(struct fx_ctx *x, const char *manager, const char *key,
                        const char *value)
{
	if (!key || !value || !source_key(key))
		return;
	struct av_effect *e = fx_push(x, AV_FX_CONFIG_TAMPER);
	e->binary = x->name;
	if (strstr(value, "://"))
		fx_host(x, e, value, true);
	e->detail = av_arena_printf(x->arena, "%s setting %s = %s", manager, key, value);
}

/* Returns true when argv from start is a configuration command (handled). */
static bool pkg_config(struct fx_ctx *x, const char *manager, uint32_t start)
{
	const struct av_command *c = x->c;
	const char *w[8];
	uint32_t n = 0;
	for (uint32_t i = start; i < c->argc && n < COUNT(w); i++) {
		const char *a = c->argv[i];
		if (a[0] == '-' && a[1]) {
			/* gem sources --add URL / -a URL; conda config --add channels URL
			 */
			if ((streq(a, "--add") || streq(a, "-a") ||
			     streq(a, "--prepend") || streq(a, "--append")) &&
			    i + 1 < c->argc && n > 0 &&
			    (streq(w[0], "sources") || streq(w[0], "config"))) {
				const char *v = c->argv[i + 1];
				if (streq(v, "channels") && i + 2 < c->argc)
					v = c->argv[i + 2];
				pkg_setting(x, manager, "registry", v);
				return true;
			}
			continue;
		}
		w[n++] = a;
	}
	if (n == 0)
		return false;
	uint32_t k;
	if (streq(w[0], "config") && n > 1 && streq(w[1], "set"))
		k = 2;
	else if (streq(w[0], "set") || (streq(w[0], "env") && streq(manager, "go")))
		k = 1;
	else
		return streq(w[0], "config");
	for (uint32_t i = start; i < c->argc && streq(manager, "go"); i++)
		if (streq(c->argv[i], "-w") && i + 1 < c->argc) {
			const char *eq = strchr(c->argv[i + 1], '=');
			if (eq)
				pkg_setting(
				        x, manager,
				        av_arena_strndup(x->arena, c->argv[i + 1],
				                         (size_t)(eq - c->argv[i + 1])),
				        eq + 1);
		}
	if (streq(manager, "go"))
		return true;
	for (uint32_t i = k; i < n; i++) {
		const char *eq = strchr(w[i], '=');
		if (eq) {
			pkg_setting(x, manager,
			            av_arena_strndup(x->arena, w[i], (size_t)(eq - w[i])),
			            eq + 1);
		} else if (i + 1 < n) {
			pkg_setting(x, manager, w[i], w[i + 1]);
			i++;
		}
	}
	return true;
}

/* Package names that have been published as malware, or that squat on a
 * popular name (historic npm, PyPI and RubyGems incidents). */
static const char *const malicious_packages[] = {
	"acqusition",       "apidev-coop",  "babelcli",      "colourama",
	"crossenv",         "cross-env.js", "d3.js",         "fabric-js",
	"ffmepg",           "gruntcli",     "http-proxy.js", "jeIlyfish",
	"jquery.js",        "libpeshnx",    "mongose",       "mssql-node",
	"mssql.js",         "mysqljs",      "node-fabric",   "node-opencv",
	"node-opensl",      "node-openssl", "node-sqlite",   "node-tkinter",
	"nodecaffe",        "nodefabric",   "nodeffmpeg",    "nodemailer-js",
	"nodemssql",        "noderequest",  "nodesass",      "nodesqlite",
	"opencv.js",        "openssl.js",   "proxy.js",      "python-sqlite",
	"python3-dateutil", "setup-tools",  "shadowsock",    "sqlite.js",
	"sqliter",          "urlib3",
};

/* Real packages of which one published version carried malware (the
 * registry later pulled it): name@version or name==version installs it. */
static const struct {
	const char *name, *version;
} malicious_versions[] = {
	{ "coa", "2.0.3" },
	{ "coa", "2.0.4" },
	{ "coa", "2.1.1" },
	{ "coa", "2.1.3" },
	{ "coa", "3.0.1" },
	{ "coa", "3.1.3" },
	{ "ctx", "0.2.2" },
	{ "ctx", "0.2.6" },
	{ "eslint-scope", "3.7.2" },
	{ "event-stream", "3.3.6" },
	{ "flatmap-stream", "0.1.1" },
	{ "node-ipc", "10.1.1" },
	{ "node-ipc", "10.1.2" },
	{ "node-ipc", "10.1.3" },
	{ "rc", "1.2.9" },
	{ "rc", "1.3.9" },
	{ "rc", "2.3.9" },
	{ "ua-parser-js", "0.7.29" },
	{ "ua-parser-js", "0.8.0" },
	{ "ua-parser-js", "1.0.0" },
	{ "ultralytics", "8.3.41" },
	{ "ultralytics", "8.3.42" },
};

/* The version pinned by "name@1.2.3" or "name==1.2.3", or NULL. */
static const char *pinned_version(const char *spec)
{
	const char *v = strstr(spec, "==");
	if (v)
		return v + 2;
	v = strrchr(spec, '@');
	return v && v != spec ? v + 1 : NULL;
}

/* Popular packages whose names attackers imitate; a name one edit away
 * from one of them (reqeusts, lodahs) is a typosquat. */
static const char *const popular_packages[] = {
	"requests",   "urllib3",        "numpy",    "pandas",     "django",
	"flask",      "boto3",          "botocore", "setuptools", "cryptography",
	"pyyaml",     "certifi",        "lodash",   "express",    "react",
	"chalk",      "commander",      "axios",    "moment",     "webpack",
	"typescript", "eslint",         "prettier", "dotenv",     "rails",
	"nokogiri",   "rest-client",    "colorama", "jellyfish",  "matplotlib",
	"pillow",     "beautifulsoup4", "scipy",    "tensorflow", "pytorch",
	"fastapi",
};

/* Real packages one edit away from a popular one. */
static const char *const near_but_real[] = { "preact", "tslint", "request", "chai",
	                                     "pyyml",  "boto",   "flake",   "numba" };

/* Damerau-Levenshtein distance of at most one (one insertion, deletion,
 * substitution or adjacent transposition), a != b. */
static bool one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > lb + 1 || lb > la + 1 || streq(a, b))
		return false;
	size_t i = 0;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb)
		return streq(a + i + 1, b + i + 1) ||
		       (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		        streq(a + i + 2, b + i + 2));
	return la > lb ? streq(a + i + 1, b + i) : streq(a + i, b + i + 1);
}

/* The bare name of a package operand: "pkg==1.0", "pkg[extra]",
 * "pkg@^2", "@scope/pkg@1" lose their version and extras. */
static const char *package_name(struct fx_ctx *x, const char *op)
{
	size_t n = strcspn(op + (op[0] == '@'), "=<>~![@:;, ") + (op[0] == '@');
	return av_arena_strndup(x->arena, op, n);
}

/* Emits a pkg.install with mechanism "known-malicious" or "typosquat" for
 * each operand that is one. */
static void suspicious_packages(struct fx_ctx *x, const struct operands *pk)
{
	for (uint32_t i = 0; i < pk->n; i++) {
		if (strchr(pk->v[i], '/') && pk->v[i][0] != '@')
			continue; /* a path or URL, not a registry name */
		const char *name = package_name(x, pk->v[i]);
		if (!name)
			continue;
		const char *mech = NULL, *like = NULL;
		if (in_set(name, malicious_packages, COUNT(malicious_packages)))
			mech = "known-malicious";
		const char *ver = pinned_version(pk->v[i]);
		for (size_t k = 0; !mech && ver && k < COUNT(malicious_versions); k++)
			if (streq(name, malicious_versions[k].name) &&
			    streq(ver, malicious_versions[k].version))
				mech = "known-malicious";
		for (size_t k = 0;
		     !mech && strlen(name) >= 4 && k < COUNT(popular_packages); k++)
			if (strlen(popular_packages[k]) >= 5 &&
			    one_edit(name, popular_packages[k]) &&
			    !in_set(name, near_but_real, COUNT(near_but_real)))
				mech = "typosquat", like = popular_packages[k];
		if (!mech)
			continue;
		struct av_effect *e = fx_push(x, AV_FX_PKG_INSTALL);
		e->binary = x->name;
		e->source = name;
		e->mechanism = mech;
		e->detail =
		        like ? av_arena_printf(x->arena, "%s imitates %s", name, like)
		             : av_arena_printf(x->arena, "%s was published as malware",
		                               ver ? pk->v[i] : name);
	}
}

/* Installs that go outside the project: npm -g, yarn global add, go
 * install, cargo install, pipx install. */
static bool global_install(const struct av_command *c, uint32_t start, const char *sub,
                           const char *manager)
{
	if (sub && streq(sub, "install") &&
	    (streq(manager, "go") || streq(manager, "cargo") || streq(manager, "pipx")))
		return true;
	if (sub && streq(sub, "global"))
		return true;
	for (uint32_t i = start; i < c->argc; i++)
		if ((streq(c->argv[i], "-g") || streq(c->argv[i], "--global")) &&
		    (streq(manager, "npm") || streq(manager, "pnpm") ||
		     streq(manager, "yarn") || streq(manager, "bun")))
			return true;
	return false;
}

/* Installs by argv from start (the token after the program or after
 * "python -m pip"). */
static void h_pkg_argv(struct fx_ctx *x, const char *manager_name, uint32_t start)
{
	const struct pkg *p =
	        bsearch(manager_name, pkgs, COUNT(pkgs), sizeof(pkgs[0]), pkg_cmp);
	if (!p)
		return;
	if (pkg_config(x, p->manager, start))
		return;
	static const char *const installs[] = {
		"install",      "add",     "i",      "in", "ci",   "reinstall", "get",
		"localinstall", "upgrade", "update", "up", "sync", "require",   "deps.get"
	};
	const struct av_command *c = x->c;
	const char *sub = NULL;
	bool install_flag = false;
	struct operands pk = { .n = 0 }, urls = { .n = 0 };
	for (uint32_t i = start; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (a[0] == '-' && a[1] == '-') {
			const char *eq = strchr(a, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			bool urlopt = false;
			for (const char *const *u = p->url_opts; u && *u; u++)
				if (strlen(*u) == n && strncmp(*u, a + 2, n) == 0)
					urlopt = true;
			if (urlopt) {
				const char *v =
				        eq ? eq + 1
				           : (i + 1 < c->argc ? c->argv[++i] : NULL);
				if (v)
					add_operand(&urls, v);
			}
			if (n == 7 && strncmp(a + 2, "install", 7) == 0)
				install_flag = true;
			continue;
		}
		if (a[0] == '-' && a[1]) {
			if (p->install_short && strchr(a + 1, p->install_short) &&
			    !(streq(p->name, "pacman") && strpbrk(a + 1, "sciy")))
				install_flag = true;
			char last = a[strlen(a) - 1];
			if (p->url_short && last == p->url_short && i + 1 < c->argc)
				add_operand(&urls, c->argv[++i]);
			else if (a[2] == '\0' && strchr(p->sarg, last) && i + 1 < c->argc)
				i++;
			continue;
		}
		if (!sub && !install_flag) {
			sub = a;
			continue;
		}
		if (streq(sub ? sub : "", "global") && pk.n == 0 && streq(a, "add"))
			continue; /* yarn global add */
		add_operand(&pk, a);
	}
	/* poetry source add NAME URL: where packages come from. */
	if (sub && streq(sub, "source") && pk.n >= 3 && streq(pk.v[0], "add")) {
		pkg_setting(x, p->manager, "registry", pk.v[2]);
		return;
	}
	bool global = global_install(c, start, sub, p->manager);
	bool apt_like = streq(p->manager, "apt") || streq(p->manager, "dnf") ||
	                streq(p->manager, "yum");
	if (!install_flag) {
		if (sub && streq(sub, "global"))
			sub = "add";
		if (!sub || !in_set(sub, installs, COUNT(installs)))
			return;
		/* "apt update" refreshes indexes; it installs nothing. */
		if ((streq(sub, "update") && apt_like) ||
		    (streq(sub, "get") && !streq(p->name, "go")))
			return;
	}
	for (uint32_t i = 0; i < pk.n; i++)
		if (pkg_is_url(pk.v[i]))
			add_operand(&urls, pk.v[i]);
	char list[512];
	size_t k = 0;
	list[0] = '\0';
	for (uint32_t i = 0; i < pk.n && k + 2 < sizeof(list); i++) {
		int w = snprintf(list + k, sizeof(list) - k, "%s%s", k ? " " : "",
		                 pk.v[i]);
		if (w < 0)
			break;
		k += (size_t)w < sizeof(list) - k ? (size_t)w : sizeof(list) - k - 1;
	}
	if (urls.n == 0) {
		struct av_effect *e = fx_push(x, AV_FX_PKG_INSTALL);
		e->binary = x->name;
		e->detail = p->manager;
		e->source = k ? av_arena_strdup(x->arena, list) : NULL;
		e->mechanism = global ? "global" : NULL;
		suspicious_packages(x, &pk);
		return;
	}
	for (uint32_t u = 0; u < urls.n; u++) {
		struct av_effect *e = fx_push(x, AV_FX_PKG_INSTALL);
		e->binary = x->name;
		e->detail = p->manager;
		e->source = k ? av_arena_strdup(x->arena, list) : NULL;
		const char *url = urls.v[u];
		if (strncmp(url, "git+", 4) == 0)
			url += 4;
		fx_host(x, e, url, true);
		e->url = urls.v[u];
	}
}

static void h_pkg(struct fx_ctx *x)
{
	if (av_fx_publish_or_run(x))
		return;
	h_pkg_argv(x, x->name, 1);
}

/* ---- git ---------------------------------------------------------------- */

static const struct lopt git_lopts[] = {
	{ "git-dir", ARG_REQUIRED, OPT_SKIP },
	{ "work-tree", ARG_REQUIRED, OPT_SKIP },
	{ "namespace", ARG_REQUIRED, OPT_SKIP },
	{ "exec-path", ARG_OPTIONAL, OPT_SKIP },
	{ "config-env", ARG_REQUIRED, OPT_SKIP },
	{ "no-pager", ARG_NONE, OPT_SKIP },
	{ "paginate", ARG_NONE, OPT_SKIP },
	{ "bare", ARG_NONE, OPT_SKIP },
	{ NULL, 0, 0 },
};

static const struct lopt git_sub_lopts[] = {
	{ "hard", ARG_NONE, OPT_L1 },
	{ "force", ARG_NONE, 'f' },
	{ "dry-run", ARG_NONE, 'n' },
	{ "staged", ARG_NONE, 'S' },
	{ "force-with-lease", ARG_OPTIONAL, OPT_L3 },
	{ "force-if-includes", ARG_NONE, OPT_SKIP },
	{ "delete", ARG_NONE, 'd' },
	{ "all", ARG_NONE, OPT_L4 },
	{ "global", ARG_NONE, OPT_L5 },
	{ "system", ARG_NONE, OPT_L5 },
	{ "mirror", ARG_NONE, OPT_L2 },
	{ "branch", ARG_REQUIRED, 'b' },
	{ "origin", ARG_REQUIRED, 'o' },
	{ "config", ARG_REQUIRED, 'c' },
	{ "depth", ARG_REQUIRED, OPT_SKIP },
	{ "reference", ARG_REQUIRED, OPT_SKIP },
	{ "upload-pack", ARG_REQUIRED, 'u' },
	{ "template", ARG_REQUIRED, OPT_SKIP },
	{ "separate-git-dir", ARG_REQUIRED, OPT_SKIP },
	{ "jobs", ARG_REQUIRED, 'j' },
	{ "filter", ARG_REQUIRED, OPT_SKIP },
	{ "exclude", ARG_REQUIRED, 'e' },
	{ "message", ARG_REQUIRED, 'm' },
	{ "repo", ARG_REQUIRED, OPT_SKIP },
	{ "push-option", ARG_REQUIRED, 'o' },
	{ "source", ARG_REQUIRED, 's' },
	{ "file", ARG_REQUIRED, OPT_SKIP },
	{ NULL, 0, 0 },
};

/* The URL a git remote argument stands for: itself when it is a URL or
 * scp-style spec, or one added earlier by "git remote add". */
static const char *remote_url(const struct fx_ctx *x, const char *arg)
{
	if (is_remote_spec(arg))
		return arg;
	for (int i = x->nremotes; i-- > 0;)
		if (streq(x->remotes[i][0], arg))
			return x->remotes[i][1];
	return NULL;
}

/* Branches whose history others build on: rewriting or deleting them
 * loses shared work. */
static bool protected_branch(const char *ref)
{
	static const char *const names[] = { "main",    "master",      "trunk",
		                             "develop", "development", "production",
		                             "prod",    "stable",      "release" };
	if (strncmp(ref, "refs/heads/", 11) == 0)
		ref += 11;
	if (strncmp(ref, "release/", 8) == 0 || strncmp(ref, "releases/", 9) == 0)
		return true;
	return in_set(ref, names, COUNT(names));
}

/* git push [REMOTE [REFSPEC...]]: a refspec "+src:dst" forces dst, ":dst"
 * deletes it, "src" pushes to the branch of the same name. A forced or
 * deleting push to a protected branch destroys shared history. */
static void git_push(struct fx_ctx *x, const struct operands *o, int force, bool del,
                     bool all, bool mirror, bool lease, const char *cwd)
{
	struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
	e->flags |= force ? AV_FXF_FORCE : 0;
	const char *url = o->n > 0 ? remote_url(x, o->v[0]) : NULL;
	if (url)
		fx_host(x, e, url, true);
	fx_source_path(x, e, cwd);
	e->detail = mirror  ? "git push --mirror"
	            : force ? "git push --force"
	            : lease ? "git push --force-with-lease"
	                    : "git push";
	const char *host = e->host, *eurl = e->url;
	enum av_host_class hc = e->host_class;
	if ((force || mirror) && all) {
		struct av_effect *d = fx_push(x, AV_FX_DATA_DESTROY);
		d->binary = "git";
		d->flags |= AV_FXF_FORCE;
		d->host = host, d->url = eurl, d->host_class = hc;
		d->detail = "force-pushes every branch, overwriting the remote's history";
		return;
	}
	for (uint32_t i = 1; i < o->n; i++) {
		const char *r = o->v[i];
		bool plus = r[0] == '+';
		if (plus)
			r++;
		const char *colon = strchr(r, ':');
		const char *dst = colon ? colon + 1 : r;
		bool deleting = del || (colon && colon == r);
		if (!(force || plus || deleting) || !dst[0] || !protected_branch(dst))
			continue;
		struct av_effect *d = fx_push(x, AV_FX_DATA_DESTROY);
		d->binary = "git";
		d->flags |= AV_FXF_FORCE;
		d->host = host, d->url = eurl, d->host_class = hc;
		d->detail = av_arena_printf(
		        x->arena,
		        deleting ? "deletes the shared branch %s on the remote"
		                 : "force-pushes over the shared branch %s",
		        dst);
	}
}

static void h_git(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	struct opt_it it;
	struct av_context sub_ctx;
	opt_init(&it, c, 1, "Cc", git_lopts);
	it.posix = true;
	const char *sub = NULL;
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == 'C' && it.arg) {
			sub_ctx = x->ctx ? *x->ctx : (struct av_context){ 0 };
			sub_ctx.cwd = av_path_resolve(it.arg, x->ctx, x->arena);
			x->ctx = &sub_ctx;
		} else if (id == OPT_OPERAND) {
			sub = it.arg;
			break;
		}
	}
	if (!sub)
		return;
	uint32_t start = it.i;
	const char *sarg = streq(sub, "clean")    ? "e"
	                   : streq(sub, "commit") ? "mFcC"
	                   : streq(sub, "clone")  ? "bocuj"
	                                          : "o";
	opt_init(&it, c, start, sarg, git_sub_lopts);
	struct operands o = { .n = 0 };
	int force = 0;
	bool dry = false, hard = false, staged = false, dashdash = false, mirror = false;
	bool x_ignored = false, del = false, all = false, lease = false, global = false;
	for (int id; (id = opt_next(&it)) != OPT_END;) {
		if (id == OPT_OPERAND) {
			add_operand(&o, it.arg);
			if (it.done && !dashdash) {
				dashdash = true;
			}
		} else if (id == 'f') {
			force++;
		} else if (id == 'n') {
			dry = true;
		} else if (id == OPT_L1) {
			hard = true;
		} else if (id == 'S') {
			staged = true;
		} else if (id == OPT_L2) {
			mirror = true;
		} else if (id == 'x' || id == 'X') {
			x_ignored = true;
		} else if (id == 'd') {
			del = true;
		} else if (id == OPT_L3) {
			lease = true;
		} else if (id == OPT_L4) {
			all = true;
		} else if (id == OPT_L5) {
			global = true;
		}
	}
	for (uint32_t i = start; i < c->argc; i++)
		if (streq(c->argv[i], "--"))
			dashdash = true;
	const char *cwd = cwd_or_dot(x);
	if (streq(sub, "clone")) {
		if (o.n == 0)
			return;
		struct av_effect *e = fx_push(x, AV_FX_NET_FETCH);
		fx_host(x, e, o.v[0], true);
		const char *dir = o.n > 1 ? o.v[1] : NULL;
		if (!dir) {
			const char *b = strrchr(o.v[0], '/');
			b = b ? b + 1 : o.v[0];
			size_t n = strlen(b);
			if (n > 4 && strcmp(b + n - 4, ".git") == 0)
				n -= 4;
			dir = av_arena_strndup(x->arena, b, n);
		}
		if (dir && dir[0])
			fx_write(x, dir, AV_FXF_RECURSIVE, "git clone");
	} else if (streq(sub, "remote")) {
		/* git remote add NAME URL: later pushes to NAME go to URL. */
		if (o.n >= 3 && streq(o.v[0], "add") && x->nremotes < AV_FX_MAX_REMOTES) {
			x->remotes[x->nremotes][0] = o.v[1];
			x->remotes[x->nremotes][1] = o.v[2];
			x->nremotes++;
		}
	} else if (streq(sub, "fetch") || streq(sub, "pull")) {
		struct av_effect *e = fx_push(x, AV_FX_NET_FETCH);
		const char *url = o.n > 0 ? remote_url(x, o.v[0]) : NULL;
		if (url)
			fx_host(x, e, url, true);
		else
			e->detail = o.n > 0 ? o.v[0] : "default remote";
		if (streq(sub, "pull"))
			fx_write(x, cwd, AV_FXF_RECURSIVE,
			         "git pull merges fetched changes");
	} else if (streq(sub, "push")) {
		git_push(x, &o, force, del, all || mirror, mirror, lease, cwd);
	} else if (streq(sub, "clean")) {
		if (force && !dry) {
			uint32_t fl = AV_FXF_RECURSIVE | AV_FXF_FORCE;
			const char *d =
			        x_ignored
			                ? "git clean removes untracked and ignored files"
			                : "git clean removes untracked files";
			if (o.n == 0)
				fx_path(x, AV_FX_FS_DELETE, cwd, fl)->detail = d;
			/* Named paths (git clean -fd build/) clear what the
			 * user pointed at, not the whole tree: no warning. */
			for (uint32_t i = 0; i < o.n; i++)
				fx_path(x, AV_FX_FS_DELETE, o.v[i], fl)->detail =
				        streq(o.v[i], ".") ? d
				                           : "removes untracked files "
				                             "under a named path";
		}
	} else if (streq(sub, "reset")) {
		if (hard)
			fx_write(x, cwd, AV_FXF_RECURSIVE | AV_FXF_FORCE,
			         "discards uncommitted changes");
	} else if (streq(sub, "checkout") || streq(sub, "restore")) {
		bool discard = streq(sub, "restore") ? !staged : (force || dashdash);
		if (!discard && !(streq(sub, "restore") && staged))
			for (uint32_t i = 0; i < o.n; i++)
				if (streq(o.v[i], "."))
					discard = true;
		if (discard) {
			bool any = false;
			for (uint32_t i = 0; i < o.n; i++) {
				if (streq(sub, "checkout") && i == 0 && !dashdash &&
				    !streq(o.v[i], "."))
					continue;
				/* One named file back to its committed state is
				 * the everyday undo; the whole tree is a warning. */
				fx_write(x, o.v[i], AV_FXF_FORCE,
				         streq(o.v[i], ".")
				                 ? "discards uncommitted changes"
				                 : "restores the committed version");
				any = true;
			}
			if (!any)
				fx_write(x, cwd, AV_FXF_RECURSIVE | AV_FXF_FORCE,
				         "discards uncommitted changes");
		}
	} else if (streq(sub, "config")) {
		/* git config [--global] KEY VALUE; "git config set KEY VALUE" (2.46) */
		uint32_t k = o.n > 0 && streq(o.v[0], "set") ? 1 : 0;
		if (o.n >= k + 2 && !strchr(o.v[k], '='))
			av_git_config_effect(x, o.v[k], o.v[k + 1], global);
	} else if (streq(sub, "credential") && o.n > 0 && streq(o.v[0], "fill")) {
		struct av_effect *e = fx_push(x, AV_FX_CRED_READ);
		e->binary = "git";
		e->detail = "git credential fill prints a stored password or token";
	} else if (streq(sub, "filter-branch") || streq(sub, "filter-repo")) {
		struct av_effect *e = fx_push(x, AV_FX_DATA_DESTROY);
		e->binary = "git";
		e->detail = av_arena_printf(x->arena,
		                            "git %s rewrites every commit of the "
		                            "repository's history",
		                            sub);
	}
}

/* What setting one git configuration key does (for "git config KEY VALUE"
 * and for config files written with the file tool). Keys whose value git
 * runs as a command persist code; hooksPath, URL rewrites, proxies and TLS
 * switches redirect or weaken git. */
void av_git_config_effect(struct fx_ctx *x, const char *key, const char *value,
                          bool global)
{
	char k[128];
	size_t n = strlen(key);
	if (n >= sizeof(k) || !value)
		return;
	for (size_t i = 0; i <= n; i++)
		k[i] = (key[i] >= 'A' && key[i] <= 'Z') ? (char)(key[i] + 32) : key[i];
	const char *last = strrchr(k, '.');
	if (!last)
		return;
	last++;
	const char *scope = global ? "--global " : "";
	static const char *const always_code[] = { "core.fsmonitor",
		                                   "core.sshcommand",
		                                   "core.askpass",
		                                   "diff.external",
		                                   "gpg.program",
		                                   "core.gitproxy",
		                                   "uploadpack.packobjectshook",
		                                   "ssh.variant" };
	static const char *const editor_like[] = { "core.pager", "core.editor",
		                                   "sequence.editor" };
	bool code = false;
	if (in_set(k, always_code, COUNT(always_code)))
		code = !(streq(k, "core.fsmonitor") &&
		         (streq(value, "true") || streq(value, "false"))) &&
		       !streq(k, "ssh.variant");
	else if (in_set(k, editor_like, COUNT(editor_like)) ||
	         strncmp(k, "pager.", 6) == 0)
		code = strpbrk(value, "|;&$`<>()") != NULL ||
		       av_shell_is_shell(av_shell_basename(value));
	else if (strncmp(k, "alias.", 6) == 0)
		code = value[0] == '!';
	else if (streq(k, "credential.helper") || strncmp(k, "credential.", 11) == 0)
		code = streq(last, "helper") && (value[0] == '!' || value[0] == '/');
	else if (strncmp(k, "filter.", 7) == 0)
		code = streq(last, "clean") || streq(last, "smudge") ||
		       streq(last, "process");
	else if (strncmp(k, "diff.", 5) == 0 || strncmp(k, "merge.", 6) == 0)
		code = streq(last, "textconv") || streq(last, "driver") ||
		       streq(last, "command");
	if (code) {
		struct av_effect *e = fx_push(x, AV_FX_PERSIST);
		e->mechanism = "git-config";
		e->detail = av_arena_printf(
		        x->arena, "git config %s%s %s: git runs it as a command", scope,
		        key, value);
		return;
	}
	struct av_effect *e = NULL;
	if (streq(k, "core.hookspath")) {
		e = fx_path(x, AV_FX_CONFIG_TAMPER, value, 0);
		e->detail = av_arena_printf(x->arena, "git config %score.hooksPath %s",
		                            scope, value);
	} else if (strncmp(k, "url.", 4) == 0 &&
	           (streq(last, "insteadof") || streq(last, "pushinsteadof"))) {
		const char *base =
		        av_arena_strndup(x->arena, key + 4, n - 4 - strlen(last) - 1);
		e = fx_push(x, AV_FX_CONFIG_TAMPER);
		if (base)
			fx_host(x, e, base, true);
		e->detail = av_arena_printf(x->arena,
		                            "git config %s%s %s: rewrites %s URLs to %s",
		                            scope, key, value, value, base ? base : "?");
	} else if (streq(last, "proxy") &&
	           (strncmp(k, "http.", 5) == 0 || strncmp(k, "https.", 6) == 0)) {
		e = fx_push(x, AV_FX_CONFIG_TAMPER);
		fx_host(x, e, value, true);
		e->detail = av_arena_printf(x->arena,
		                            "git config %s%s %s: routes git through a "
		                            "proxy",
		                            scope, key, value);
	} else if (streq(last, "sslverify") &&
	           (streq(value, "false") || streq(value, "0") || streq(value, "no") ||
	            streq(value, "off"))) {
		e = fx_push(x, AV_FX_CONFIG_TAMPER);
		e->detail = av_arena_printf(x->arena,
		                            "git config %s%s %s turns off TLS "
		                            "verification",
		                            scope, key, value);
	} else if (streq(k, "credential.helper") || streq(k, "core.hookspath") ||
	           streq(k, "safe.directory") || global) {
		/* Any --global setting changes git for every repository of the
		 * user: the rubric's low, with a warning. */
		e = fx_push(x, AV_FX_CONFIG_TAMPER);
		e->detail = av_arena_printf(x->arena, "git config %s%s %s", scope, key,
		                            value);
	}
}

/* ---- system protections -------------------------------------------------- */

/* diskutil VERB ... DISK: the erase and partition verbs rewrite the disk
 * (macOS names disks "disk2" as well as "/dev/disk2"). */
static void h_diskutil(struct fx_ctx *x)
{
	static const char *const erase[] = { "eraseDisk", "eraseVolume", "secureErase",
		                             "zeroDisk",  "randomDisk",  "partitionDisk",
		                             "reformat",  "erase" };
	const struct av_command *c = x->c;
	if (c->argc < 3 || !in_set(c->argv[1], erase, COUNT(erase)))
		return;
	const char *d = c->argv[c->argc - 1];
	if (strncmp(d, "disk", 4) == 0)
		d = av_arena_printf(x->arena, "/dev/%s", d);
	fx_path(x, AV_FX_DISK_WRITE, d, 0)->detail =
	        av_arena_printf(x->arena, "diskutil %s", c->argv[1]);
}

/* Tools that switch off auditing, logging or platform protections:
 * auditctl -D / -e 0, journalctl --vacuum-* / --rotate, csrutil disable,
 * spctl --master-disable. */
static void h_protection(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *detail = NULL;
	for (uint32_t i = 1; i < c->argc && !detail; i++) {
		const char *a = c->argv[i];
		const char *next = i + 1 < c->argc ? c->argv[i + 1] : "";
		if (streq(x->name, "auditctl") &&
		    (streq(a, "-D") || (streq(a, "-e") && streq(next, "0"))))
			detail = "auditctl removes audit rules or disables auditing";
		else if (streq(x->name, "journalctl") &&
		         (strncmp(a, "--vacuum", 8) == 0 || streq(a, "--rotate")))
			detail = "journalctl deletes system logs";
		else if (streq(x->name, "csrutil") && streq(a, "disable"))
			detail = "csrutil disables System Integrity Protection";
		else if (streq(x->name, "spctl") &&
		         (streq(a, "--master-disable") || streq(a, "--global-disable")))
			detail = "spctl disables Gatekeeper";
	}
	if (!detail)
		return;
	struct av_effect *e = fx_push(x, AV_FX_SYS_CONFIG);
	e->binary = x->name;
	e->detail = detail;
}

/* nsenter -t 1: joins the namespaces of the host's init process, which
 * from a container is a root shell on the host. */
static void h_nsenter(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if ((streq(a, "-t") || streq(a, "--target")) && i + 1 < c->argc &&
		    streq(c->argv[i + 1], "1")) {
			struct av_effect *e = fx_push(x, AV_FX_PRIV);
			e->binary = x->name;
			e->detail = "nsenter into PID 1: a root shell in the host's "
			            "namespaces";
			return;
		}
		if (streq(a, "--target=1") || streq(a, "-t1")) {
			struct av_effect *e = fx_push(x, AV_FX_PRIV);
			e->binary = x->name;
			e->detail = "nsenter into PID 1: a root shell in the host's "
			            "namespaces";
			return;
		}
	}
}

/* ---- the table ---------------------------------------------------------- */

struct knowledge {
	const char *name;
	fx_handler fn;
	const char *detail; /* for h_sysconf */
};

/* Sorted by name (strcmp order); av_knowledge_apply uses bsearch. */
static const struct knowledge table[] = {
	{ .name = ".", .fn = h_source },
	{ .name = "adduser", .fn = h_accounts },
	{ .name = "apk", .fn = h_pkg },
	{ .name = "apt", .fn = h_pkg },
	{ .name = "apt-get", .fn = h_pkg },
	{ .name = "aptitude", .fn = h_pkg },
	{ .name = "ash", .fn = h_shell },
	{ .name = "at", .fn = h_at },
	{ .name = "auditctl", .fn = h_protection },
	{ .name = "awk", .fn = h_reader },
	{ .name = "base32", .fn = h_reader },
	{ .name = "base64", .fn = h_reader },
	{ .name = "bash", .fn = h_shell },
	{ .name = "batch", .fn = h_at },
	{ .name = "blkdiscard", .fn = h_disk },
	{ .name = "brew", .fn = h_pkg },
	{ .name = "bun", .fn = h_pkg },
	{ .name = "bundle", .fn = h_pkg },
	{ .name = "cargo", .fn = h_pkg },
	{ .name = "cat", .fn = h_reader },
	{ .name = "chattr", .fn = h_sysconf, .detail = "changes file attributes" },
	{ .name = "chgrp", .fn = h_chmod },
	{ .name = "chmod", .fn = h_chmod },
	{ .name = "chown", .fn = h_chmod },
	{ .name = "chpasswd", .fn = h_accounts },
	{ .name = "chsh", .fn = h_accounts },
	{ .name = "cmp", .fn = h_reader },
	{ .name = "composer", .fn = h_pkg },
	{ .name = "cp", .fn = h_copylike },
	{ .name = "crontab", .fn = h_crontab },
	{ .name = "csh", .fn = h_shell },
	{ .name = "csrutil", .fn = h_protection },
	{ .name = "curl", .fn = h_curl },
	{ .name = "dash", .fn = h_shell },
	{ .name = "dd", .fn = h_dd },
	{ .name = "deluser", .fn = h_accounts },
	{ .name = "deno", .fn = h_interp },
	{ .name = "diff", .fn = h_reader },
	{ .name = "diskutil", .fn = h_diskutil },
	{ .name = "dnf", .fn = h_pkg },
	{ .name = "doas", .fn = h_priv },
	{ .name = "dpkg", .fn = h_pkg },
	{ .name = "egrep", .fn = h_reader },
	{ .name = "eval", .fn = h_source },
	{ .name = "export", .fn = h_unset_export },
	{ .name = "fdisk", .fn = h_disk },
	{ .name = "fgrep", .fn = h_reader },
	{ .name = "find", .fn = h_find },
	{ .name = "firewall-cmd", .fn = h_firewall },
	{ .name = "fish", .fn = h_shell },
	{ .name = "gawk", .fn = h_reader },
	{ .name = "gdisk", .fn = h_disk },
	{ .name = "gem", .fn = h_pkg },
	{ .name = "git", .fn = h_git },
	{ .name = "go", .fn = h_pkg },
	{ .name = "gpasswd", .fn = h_accounts },
	{ .name = "grep", .fn = h_reader },
	{ .name = "groupadd", .fn = h_accounts },
	{ .name = "groupdel", .fn = h_accounts },
	{ .name = "groupmod", .fn = h_accounts },
	{ .name = "halt", .fn = h_sysconf, .detail = "halts the machine" },
	{ .name = "head", .fn = h_reader },
	{ .name = "hexdump", .fn = h_reader },
	{ .name = "history", .fn = h_history },
	{ .name = "insmod", .fn = h_sysconf, .detail = "loads a kernel module" },
	{ .name = "install", .fn = h_copylike },
	{ .name = "ip6tables", .fn = h_firewall },
	{ .name = "iptables", .fn = h_firewall },
	{ .name = "journalctl", .fn = h_protection },
	{ .name = "jq", .fn = h_reader },
	{ .name = "killall", .fn = h_sysconf, .detail = "signals processes by name" },
	{ .name = "ksh", .fn = h_shell },
	{ .name = "launchctl", .fn = h_launchctl },
	{ .name = "less", .fn = h_reader },
	{ .name = "ln", .fn = h_copylike },
	{ .name = "ls", .fn = h_list },
	{ .name = "lua", .fn = h_interp },
	{ .name = "md5sum", .fn = h_reader },
	{ .name = "mix", .fn = h_pkg },
	{ .name = "mkdir", .fn = h_writer },
	{ .name = "mke2fs", .fn = h_disk },
	{ .name = "mkfs", .fn = h_disk },
	{ .name = "mksh", .fn = h_shell },
	{ .name = "mkswap", .fn = h_disk },
	{ .name = "modprobe",
	  .fn = h_sysconf,
	  .detail = "loads or removes a kernel module" },
	{ .name = "more", .fn = h_reader },
	{ .name = "mount", .fn = h_sysconf, .detail = "mounts a file system" },
	{ .name = "mv", .fn = h_copylike },
	{ .name = "nc", .fn = h_netcat },
	{ .name = "ncat", .fn = h_netcat },
	{ .name = "netcat", .fn = h_netcat },
	{ .name = "nft", .fn = h_firewall },
	{ .name = "nl", .fn = h_reader },
	{ .name = "node", .fn = h_interp },
	{ .name = "nodejs", .fn = h_interp },
	{ .name = "npm", .fn = h_pkg },
	{ .name = "nsenter", .fn = h_nsenter },
	{ .name = "od", .fn = h_reader },
	{ .name = "pacman", .fn = h_pkg },
	{ .name = "parted", .fn = h_disk },
	{ .name = "passwd", .fn = h_accounts },
	{ .name = "perl", .fn = h_interp },
	{ .name = "php", .fn = h_interp },
	{ .name = "pip", .fn = h_pkg },
	{ .name = "pip3", .fn = h_pkg },
	{ .name = "pipx", .fn = h_pkg },
	{ .name = "pkexec", .fn = h_priv },
	{ .name = "pkill", .fn = h_sysconf, .detail = "signals processes by pattern" },
	{ .name = "pnpm", .fn = h_pkg },
	{ .name = "poetry", .fn = h_pkg },
	{ .name = "poweroff", .fn = h_sysconf, .detail = "powers the machine off" },
	{ .name = "python", .fn = h_interp },
	{ .name = "python2", .fn = h_interp },
	{ .name = "python3", .fn = h_interp },
	{ .name = "rbash", .fn = h_shell },
	{ .name = "reboot", .fn = h_sysconf, .detail = "reboots the machine" },
	{ .name = "rg", .fn = h_reader },
	{ .name = "rm", .fn = h_rm },
	{ .name = "rmdir", .fn = h_rm },
	{ .name = "rmmod", .fn = h_sysconf, .detail = "removes a kernel module" },
	{ .name = "rpm", .fn = h_pkg },
	{ .name = "rsync", .fn = h_copy_remote },
	{ .name = "ruby", .fn = h_interp },
	{ .name = "scp", .fn = h_copy_remote },
	{ .name = "sed", .fn = h_reader },
	{ .name = "service", .fn = h_service },
	{ .name = "set", .fn = h_unset_export },
	{ .name = "sfdisk", .fn = h_disk },
	{ .name = "sgdisk", .fn = h_disk },
	{ .name = "sh", .fn = h_shell },
	{ .name = "sha1sum", .fn = h_reader },
	{ .name = "sha256sum", .fn = h_reader },
	{ .name = "sha512sum", .fn = h_reader },
	{ .name = "shred", .fn = h_shred },
	{ .name = "shutdown", .fn = h_sysconf, .detail = "shuts the machine down" },
	{ .name = "snap", .fn = h_pkg },
	{ .name = "socat", .fn = h_socat },
	{ .name = "sort", .fn = h_reader },
	{ .name = "source", .fn = h_source },
	{ .name = "spctl", .fn = h_protection },
	{ .name = "ssh", .fn = h_ssh },
	{ .name = "strings", .fn = h_reader },
	{ .name = "su", .fn = h_priv },
	{ .name = "sudo", .fn = h_priv },
	{ .name = "swapoff", .fn = h_sysconf, .detail = "disables swap" },
	{ .name = "sysctl", .fn = h_sysconf, .detail = "changes kernel parameters" },
	{ .name = "systemctl", .fn = h_systemctl },
	{ .name = "tac", .fn = h_reader },
	{ .name = "tail", .fn = h_reader },
	{ .name = "tcsh", .fn = h_shell },
	{ .name = "tee", .fn = h_writer },
	{ .name = "telnet", .fn = h_netcat },
	{ .name = "touch", .fn = h_writer },
	{ .name = "tree", .fn = h_list },
	{ .name = "truncate", .fn = h_writer },
	{ .name = "ufw", .fn = h_firewall },
	{ .name = "umount", .fn = h_sysconf, .detail = "unmounts a file system" },
	{ .name = "uniq", .fn = h_reader },
	{ .name = "unlink", .fn = h_rm },
	{ .name = "unset", .fn = h_unset_export },
	{ .name = "useradd", .fn = h_accounts },
	{ .name = "userdel", .fn = h_accounts },
	{ .name = "usermod", .fn = h_accounts },
	{ .name = "uv", .fn = h_pkg },
	{ .name = "visudo", .fn = h_accounts },
	{ .name = "wc", .fn = h_reader },
	{ .name = "wget", .fn = h_wget },
	{ .name = "wipefs", .fn = h_disk },
	{ .name = "xxd", .fn = h_xxd },
	{ .name = "yarn", .fn = h_pkg },
	{ .name = "yum", .fn = h_pkg },
	{ .name = "zsh", .fn = h_shell },
	{ .name = "zypper", .fn = h_pkg },
};

static int knowledge_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct knowledge *)e)->name);
}

static const struct knowledge *lookup(const char *name)
{
	const struct knowledge *k =
	        bsearch(name, table, COUNT(table), sizeof(table[0]), knowledge_cmp);
	if (k)
		return k;
	/* Families named by prefix: mkfs.ext4, python3.11, pip3.11. */
	static const struct {
		const char *prefix;
		const char *as;
	} families[] = { { "mkfs.", "mkfs" },
		         { "python3.", "python3" },
		         { "python2.", "python2" },
		         { "pip3.", "pip3" } };
	for (size_t i = 0; i < COUNT(families); i++)
		if (strncmp(name, families[i].prefix, strlen(families[i].prefix)) == 0)
			return bsearch(families[i].as, table, COUNT(table),
			               sizeof(table[0]), knowledge_cmp);
	return NULL;
}

static void h_sysconf(struct fx_ctx *x)
{
	const struct knowledge *k = lookup(x->name);
	if (streq(x->name, "sysctl")) {
		bool write = false;
		for (uint32_t i = 1; i < x->c->argc; i++)
			if (streq(x->c->argv[i], "-w") || strchr(x->c->argv[i], '=') ||
			    streq(x->c->argv[i], "-p"))
				write = true;
		if (!write)
			return;
	}
	if ((streq(x->name, "mount") || streq(x->name, "umount")) && x->c->argc == 1)
		return; /* lists mounts */
	struct av_effect *e = fx_push(x, AV_FX_SYS_CONFIG);
	e->binary = x->name;
	e->detail = k && k->detail ? k->detail : x->name;
}

static int infra_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct fx_handler_entry *)e)->name);
}

/* The handler tables after the main one, searched in order. */
static const struct {
	const struct fx_handler_entry *v;
	const size_t *n;
} more_tables[] = {
	{ av_infra_handlers, &av_infra_handlers_count },
	{ av_extra_handlers, &av_extra_handlers_count },
	{ av_tools_handlers, &av_tools_handlers_count },
};

void av_knowledge_apply(struct fx_ctx *x)
{
	const struct knowledge *k = lookup(x->name);
	if (k) {
		k->fn(x);
	} else {
		for (size_t t = 0; t < COUNT(more_tables); t++) {
			const struct fx_handler_entry *h =
			        bsearch(x->name, more_tables[t].v, *more_tables[t].n,
			                sizeof(more_tables[t].v[0]), infra_cmp);
			if (h) {
				h->fn(x);
				break;
			}
		}
	}
	av_fx_common(x);
}
