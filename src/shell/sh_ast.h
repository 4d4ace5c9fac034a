/* sh_ast.h - the bash syntax tree: node kinds, the parser that builds it from
 * text, the printer that turns it back into canonical text, and structural
 * equality. Private to the library (src/shell); the static evaluator walks
 * these trees. docs/SHELL.md ("Parser") describes every node kind.
 *
 * Ownership, once for the whole API: every node, string and printed text
 * comes from the caller's arena and lives until that arena is reset or freed.
 * Node text may point into the parsed source, so the caller keeps the source
 * alive as long as it uses the tree. */
#ifndef AV_SH_AST_H
#define AV_SH_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agentvisor/common.h"

/* Node kinds. The children of each kind, in order, are listed beside it;
 * "redirs" means zero or more trailing REDIR children. */
enum av_sh_kind {
	AV_SH_LIST = 0,    /* and-or items; an item ended by & has AV_SH_F_ASYNC */
	AV_SH_ANDOR,       /* >= 2 items; each but the last has F_AND or F_OR */
	AV_SH_PIPELINE,    /* >= 2 commands; each but the last may have F_PIPE_ERR */
	AV_SH_NOT,         /* `!`: zero or one pipeline */
	AV_SH_TIME,        /* `time [-p]`: zero or one pipeline; F_TIME_P */
	AV_SH_SIMPLE,      /* ASSIGN, WORD and REDIR children in source order */
	AV_SH_ASSIGN,      /* text = name; [SUBSCRIPT] then WORD or ARRAY; F_APPEND */
	AV_SH_ARRAY,       /* `( ... )` value: WORD and ELEM children */
	AV_SH_ELEM,        /* `[k]=v` in an array: SUBSCRIPT, WORD; F_APPEND */
	AV_SH_SUBSCRIPT,   /* `[ ... ]`: one WORD (parsed, globs not marked) */
	AV_SH_REDIR,       /* op = enum av_sh_redir_op; num = fd or -1; text = {var}
	                    * name or NULL; child WORD target; a here-document has
	                    * WORD delimiter (one LIT) then WORD body */
	AV_SH_GROUP,       /* `{ list; }`: LIST, redirs */
	AV_SH_SUBSHELL,    /* `( list )`: LIST, redirs */
	AV_SH_IF,          /* LIST cond, LIST then, [LIST cond, LIST then]..., [LIST
	                    * else], redirs */
	AV_SH_WHILE,       /* LIST cond, LIST body, redirs */
	AV_SH_UNTIL,       /* LIST cond, LIST body, redirs */
	AV_SH_FOR,         /* text = variable; WORD..., LIST body, redirs; F_FOR_IN */
	AV_SH_FOR_ARITH,   /* WORD init, WORD test, WORD step (arith), LIST, redirs */
	AV_SH_SELECT,      /* like FOR */
	AV_SH_CASE,        /* WORD subject, CASE_ITEM..., redirs */
	AV_SH_CASE_ITEM,   /* WORD patterns..., LIST body; op = enum av_sh_case_term */
	AV_SH_FUNCDEF,     /* text = name; one compound command (with its redirs) */
	AV_SH_COPROC,      /* text = name or NULL; one command */
	AV_SH_COND,        /* `[[ ]]`: one cond expression, redirs */
	AV_SH_COND_AND,    /* >= 2 cond expressions */
	AV_SH_COND_OR,     /* >= 2 cond expressions */
	AV_SH_COND_NOT,    /* one cond expression */
	AV_SH_COND_GROUP,  /* `( expr )`: one cond expression */
	AV_SH_COND_UNARY,  /* text = operator ("-f"); one WORD */
	AV_SH_COND_BINARY, /* text = operator ("==", "=~", "-nt", "<"); two WORDs */
	AV_SH_ARITH_CMD,   /* `(( ))`: one WORD (arithmetic text), redirs */
	AV_SH_WORD,        /* parts: the kinds below; a WORD may be empty */
	AV_SH_LIT,         /* text: literal bytes (quoted inside DQ/heredoc/arith) */
	AV_SH_ESC,         /* text: one byte quoted by a backslash */
	AV_SH_SQ,          /* text: contents of '...' */
	AV_SH_DQ,          /* parts of "..." (LIT, PARAM, CMDSUB, ARITH) */
	AV_SH_ANSI,        /* text: $'...' decoded (may hold any byte, even NUL) */
	AV_SH_LOCALE,      /* $"...": parts as DQ */
	AV_SH_PARAM,       /* text = name; op = enum av_sh_param_op; num = transform
	                    * letter or prefix char; [SUBSCRIPT] then operand WORDs */
	AV_SH_CMDSUB,      /* $(...) or `...`: one LIST */
	AV_SH_ARITH,       /* $((...)) or $[...]: one WORD (arithmetic text) */
	AV_SH_PROCSUB,     /* <(...) or >(...) (F_PROC_OUT): one LIST */
	AV_SH_TILDE,       /* text = user name after ~ (may be empty, "+", "-") */
	AV_SH_GLOB,        /* text: unquoted *, ?, [ or a whole extglob @(...) */
	AV_SH_KIND_COUNT
};

/* Flags: connector bits live on the element they follow; low bits mean
 * something per kind. */
#define AV_SH_F_ASYNC     0x8000u /* LIST item ended by & */
#define AV_SH_F_AND       0x4000u /* ANDOR item followed by && */
#define AV_SH_F_OR        0x2000u /* ANDOR item followed by || */
#define AV_SH_F_PIPE_ERR  0x1000u /* PIPELINE item followed by |& */
#define AV_SH_F_TIME_P    0x0001u /* TIME: -p */
#define AV_SH_F_FOR_IN    0x0001u /* FOR, SELECT: an `in` list was given */
#define AV_SH_F_APPEND    0x0001u /* ASSIGN, ELEM: += */
#define AV_SH_F_PROC_OUT  0x0001u /* PROCSUB: >( ) */
#define AV_SH_F_HD_QUOTED 0x0001u /* REDIR here-doc: delimiter quoted, no expansion */
#define AV_SH_F_HD_STRIP  0x0002u /* REDIR here-doc: <<- (leading tabs stripped) */
#define AV_SH_F_COLON     0x0001u /* PARAM: `:-` family (test for null too) */
#define AV_SH_F_LENGTH    0x0002u /* PARAM: ${#x} */
#define AV_SH_F_INDIRECT  0x0004u /* PARAM: ${!x} */
#define AV_SH_F_LEGACY    0x0100u /* ARITH written $[...] (its text may not balance ()) */
/* Cosmetic flags: kept for provenance, ignored by av_sh_equal. */
#define AV_SH_F_BRACED    0x0100u /* PARAM written ${x} rather than $x */
#define AV_SH_F_BACKQUOTE 0x0100u /* CMDSUB written `...` */
#define AV_SH_F_KEYWORD   0x0100u /* FUNCDEF written with `function` */

enum av_sh_redir_op {
	AV_SH_R_IN = 0,     /* <   */
	AV_SH_R_OUT,        /* >   */
	AV_SH_R_APPEND,     /* >>  */
	AV_SH_R_CLOBBER,    /* >|  */
	AV_SH_R_INOUT,      /* <>  */
	AV_SH_R_DUP_IN,     /* <&  (target may be a number or -) */
	AV_SH_R_DUP_OUT,    /* >&  (target may be a number, - or a file) */
	AV_SH_R_OUT_ERR,    /* &>  */
	AV_SH_R_APPEND_ERR, /* &>> */
	AV_SH_R_HEREDOC,    /* << and <<- */
	AV_SH_R_HERESTRING, /* <<< */
	AV_SH_R_COUNT
};

enum av_sh_param_op {
	AV_SH_P_NONE = 0,
	AV_SH_P_DEFAULT,     /* -  (with F_COLON: :-) */
	AV_SH_P_ASSIGN,      /* =  */
	AV_SH_P_ERROR,       /* ?  */
	AV_SH_P_ALT,         /* +  */
	AV_SH_P_RM_SPREFIX,  /* #  */
	AV_SH_P_RM_LPREFIX,  /* ## */
	AV_SH_P_RM_SSUFFIX,  /* %  */
	AV_SH_P_RM_LSUFFIX,  /* %% */
	AV_SH_P_REPL,        /* /  pattern, replacement */
	AV_SH_P_REPL_ALL,    /* // */
	AV_SH_P_REPL_PREFIX, /* /# */
	AV_SH_P_REPL_SUFFIX, /* /% */
	AV_SH_P_UPPER1,      /* ^  [pattern] */
	AV_SH_P_UPPER,       /* ^^ */
	AV_SH_P_LOWER1,      /* ,  */
	AV_SH_P_LOWER,       /* ,, */
	AV_SH_P_SUBSTR,      /* :offset[:length] (one or two WORDs) */
	AV_SH_P_TRANSFORM,   /* @X, num = 'X' */
	AV_SH_P_PREFIX,      /* ${!prefix*} / ${!prefix@}, num = '*' or '@' */
	AV_SH_P_COUNT
};

enum av_sh_case_term {
	AV_SH_CASE_BREAK = 0, /* ;;  (also an item closed by esac) */
	AV_SH_CASE_FALL,      /* ;&  */
	AV_SH_CASE_CONT,      /* ;;& */
};

/* One node. text is not NUL-terminated in general; use len. start and end
 * are byte offsets into the original input (approximate inside backquotes
 * and <<- here-documents, whose text the parser rewrites before parsing). */
struct av_sh_node {
	uint8_t kind; /* enum av_sh_kind */
	uint8_t op;   /* redir op, param op, case terminator */
	uint16_t flags;
	int32_t num; /* fd of a REDIR (-1: default), PARAM letter */
	uint32_t start, end;
	uint32_t len;
	const char *text;
	struct av_sh_node *kids; /* first child */
	struct av_sh_node *next; /* next sibling */
};

/* Limits on hostile input. Zero fields take the defaults below. */
struct av_sh_limits {
	size_t max_len;        /* input bytes */
	uint32_t max_depth;    /* nested constructs */
	uint32_t max_nodes;    /* nodes per parse */
	uint32_t max_heredocs; /* here-documents per parse */
};
#define AV_SH_DEFAULT_MAX_LEN      ((size_t)4 << 20)
#define AV_SH_DEFAULT_MAX_DEPTH    200
#define AV_SH_DEFAULT_MAX_NODES    (1u << 19)
#define AV_SH_DEFAULT_MAX_HEREDOCS 4096

enum av_sh_errcode {
	AV_SH_OK = 0,
	AV_SH_E_SYNTAX, /* the text is not valid bash */
	AV_SH_E_LIMIT,  /* a limit in struct av_sh_limits was exceeded */
	AV_SH_E_NOMEM,  /* the arena is full */
};

struct av_sh_error {
	enum av_sh_errcode code;
	bool incomplete;   /* the text ended too early: more input could fix it */
	size_t offset;     /* byte offset of the error in the input */
	uint32_t line;     /* 1-based */
	uint32_t col;      /* 1-based, in bytes */
	char message[256]; /* "unexpected `fi' at line 3, column 5: expected `then'" */
};

/* Parses src[0..len) as a bash program. On success returns 0 and sets *out
 * to a LIST node from ARENA; nodes may point into src, so src must outlive
 * the tree. On failure returns -1, fills err (which may be NULL) and leaves
 * *out NULL. lim may be NULL for the defaults. Re-entrant: no global state,
 * so the evaluator may call it again on text it builds (eval, sh -c). */
int av_sh_parse(const char *src, size_t len, const struct av_sh_limits *lim,
                struct av_arena *arena, struct av_sh_node **out, struct av_sh_error *err);

/* Prints a tree (a LIST from av_sh_parse, or any command or WORD node) as
 * canonical bash text that parses back to an equal tree. Returns 0 and sets
 * *out (NUL-terminated, from ARENA) and *outlen, or -1 when the arena is
 * full. */
int av_sh_print(const struct av_sh_node *n, struct av_arena *arena, char **out,
                size_t *outlen);

/* Compact S-expression of a tree, for tests and debugging, e.g.
 * (list (cmd "ls" "-la")). Same contract as av_sh_print. */
int av_sh_dump(const struct av_sh_node *n, struct av_arena *arena, char **out,
               size_t *outlen);

/* True when two trees have the same kinds, operators, texts, numbers and
 * non-cosmetic flags, ignoring offsets. Either may be NULL. */
bool av_sh_equal(const struct av_sh_node *a, const struct av_sh_node *b);

/* Static names: "list", "cmd", ...; "?" for an unknown kind. */
const char *av_sh_kind_name(unsigned kind);
const char *av_sh_redir_op_text(unsigned op);
const char *av_sh_errcode_name(enum av_sh_errcode c);

/* Counts the children of n. */
uint32_t av_sh_nkids(const struct av_sh_node *n);

#endif
