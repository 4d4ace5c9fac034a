/* sh_ast.c - the table of syntax-tree node kinds and structural equality
 * (see sh_ast.h). */
#include <string.h>

#include "shell/sh_ast.h"

/* Every node kind with its name (used by the dumper) and the flags that
 * only record how the text was written, which equality ignores. */
static const struct {
	const char *name;
	uint16_t cosmetic;
} kinds[AV_SH_KIND_COUNT] = {
	[AV_SH_LIST] = { "list", 0 },
	[AV_SH_ANDOR] = { "andor", 0 },
	[AV_SH_PIPELINE] = { "pipe", 0 },
	[AV_SH_NOT] = { "not", 0 },
	[AV_SH_TIME] = { "time", 0 },
	[AV_SH_SIMPLE] = { "cmd", 0 },
	[AV_SH_ASSIGN] = { "assign", 0 },
	[AV_SH_ARRAY] = { "array", 0 },
	[AV_SH_ELEM] = { "elem", 0 },
	[AV_SH_SUBSCRIPT] = { "sub", 0 },
	[AV_SH_REDIR] = { "redir", 0 },
	[AV_SH_GROUP] = { "group", 0 },
	[AV_SH_SUBSHELL] = { "subshell", 0 },
	[AV_SH_IF] = { "if", 0 },
	[AV_SH_WHILE] = { "while", 0 },
	[AV_SH_UNTIL] = { "until", 0 },
	[AV_SH_FOR] = { "for", 0 },
	[AV_SH_FOR_ARITH] = { "for-arith", 0 },
	[AV_SH_SELECT] = { "select", 0 },
	[AV_SH_CASE] = { "case", 0 },
	[AV_SH_CASE_ITEM] = { "item", 0 },
	[AV_SH_FUNCDEF] = { "function", AV_SH_F_KEYWORD },
	[AV_SH_COPROC] = { "coproc", 0 },
	[AV_SH_COND] = { "cond", 0 },
	[AV_SH_COND_AND] = { "c-and", 0 },
	[AV_SH_COND_OR] = { "c-or", 0 },
	[AV_SH_COND_NOT] = { "c-not", 0 },
	[AV_SH_COND_GROUP] = { "c-group", 0 },
	[AV_SH_COND_UNARY] = { "unary", 0 },
	[AV_SH_COND_BINARY] = { "binary", 0 },
	[AV_SH_ARITH_CMD] = { "arith-cmd", 0 },
	[AV_SH_WORD] = { "word", 0 },
	[AV_SH_LIT] = { "lit", 0 },
	[AV_SH_ESC] = { "esc", 0 },
	[AV_SH_SQ] = { "sq", 0 },
	[AV_SH_DQ] = { "dq", 0 },
	[AV_SH_ANSI] = { "ansi", 0 },
	[AV_SH_LOCALE] = { "locale", 0 },
	[AV_SH_PARAM] = { "param", AV_SH_F_BRACED },
	[AV_SH_CMDSUB] = { "cmdsub", AV_SH_F_BACKQUOTE },
	[AV_SH_ARITH] = { "arith", 0 },
	[AV_SH_PROCSUB] = { "procsub", 0 },
	[AV_SH_TILDE] = { "tilde", 0 },
	[AV_SH_GLOB] = { "glob", 0 },
};

static const char *const redir_text[AV_SH_R_COUNT] = {
	[AV_SH_R_IN] = "<",           [AV_SH_R_OUT] = ">",
	[AV_SH_R_APPEND] = ">>",      [AV_SH_R_CLOBBER] = ">|",
	[AV_SH_R_INOUT] = "<>",       [AV_SH_R_DUP_IN] = "<&",
	[AV_SH_R_DUP_OUT] = ">&",     [AV_SH_R_OUT_ERR] = "&>",
	[AV_SH_R_APPEND_ERR] = "&>>", [AV_SH_R_HEREDOC] = "<<",
	[AV_SH_R_HERESTRING] = "<<<",
};

const char *av_sh_kind_name(unsigned kind)
{
	return kind < AV_SH_KIND_COUNT && kinds[kind].name ? kinds[kind].name : "?";
}

const char *av_sh_redir_op_text(unsigned op)
{
	return op < AV_SH_R_COUNT ? redir_text[op] : "?";
}

const char *av_sh_errcode_name(enum av_sh_errcode c)
{
	switch (c) {
	case AV_SH_OK:
		return "ok";
	case AV_SH_E_SYNTAX:
		return "syntax";
	case AV_SH_E_LIMIT:
		return "limit";
	case AV_SH_E_NOMEM:
		return "nomem";
	}
	return "?";
}

uint32_t av_sh_nkids(const struct av_sh_node *n)
{
	uint32_t k = 0;
	for (const struct av_sh_node *c = n ? n->kids : NULL; c != NULL; c = c->next)
		k++;
	return k;
}

static bool same_node(const struct av_sh_node *a, const struct av_sh_node *b)
{
	if (a->kind != b->kind || a->op != b->op || a->num != b->num || a->len != b->len)
		return false;
	uint16_t mask =
	        a->kind < AV_SH_KIND_COUNT ? (uint16_t)~kinds[a->kind].cosmetic : 0xFFFF;
	if ((a->flags & mask) != (b->flags & mask))
		return false;
	if ((a->text == NULL) != (b->text == NULL))
		return false;
	return a->len == 0 || memcmp(a->text, b->text, a->len) == 0;
}

/* Recursion follows the tree's depth, which the parser bounds; siblings are
 * walked iteratively. */
bool av_sh_equal(const struct av_sh_node *a, const struct av_sh_node *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (!same_node(a, b))
		return false;
	const struct av_sh_node *x = a->kids, *y = b->kids;
	for (; x != NULL && y != NULL; x = x->next, y = y->next)
		if (!av_sh_equal(x, y))
			return false;
	return x == NULL && y == NULL;
}
