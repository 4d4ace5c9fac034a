/* test_arith.c - bash arithmetic (av_sh_arith_eval) checked against real
 * bash: every case runs as `echo $(( EXPR ))` in bash with the same
 * variables, and the value, the error and the variables afterwards must
 * agree. Only arithmetic on literals and variables: harmless text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "oracle_spawn.h"
#include "shell/sh_pure.h"

/* A tiny variable store: plain names and one indexed array "arr". */
#define NVARS 16
struct var {
	char name[16];
	int64_t index;
	char value[32];
	bool used;
};

struct store {
	struct var v[NVARS];
	bool unknown_q; /* the variable q is unknown */
};

static const struct {
	const char *name;
	int64_t index;
	const char *value;
} initial[] = {
	{ "x", -1, "2" },   { "y", -1, " 3 " }, { "z", -1, "1+" },    { "s", -1, "x" },
	{ "e", -1, "" },    { "w", -1, "y*2" }, { "bad", -1, "a b" }, { "h", -1, "0x10" },
	{ "arr", 0, "10" }, { "arr", 1, "20" }, { "arr", 2, "x+1" },
};

static void store_init(struct store *st)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < sizeof(initial) / sizeof(initial[0]); i++) {
		struct var *v = &st->v[i];
		snprintf(v->name, sizeof(v->name), "%s", initial[i].name);
		v->index = initial[i].index;
		snprintf(v->value, sizeof(v->value), "%s", initial[i].value);
		v->used = true;
	}
}

static struct var *lookup(struct store *st, const char *name, size_t n, int64_t index)
{
	if (index == -1)
		index = (n == 3 && memcmp(name, "arr", 3) == 0) ? 0 : -1;
	for (size_t i = 0; i < NVARS; i++)
		if (st->v[i].used && strlen(st->v[i].name) == n &&
		    memcmp(st->v[i].name, name, n) == 0 && st->v[i].index == index)
			return &st->v[i];
	return NULL;
}

static int get(void *ctx, const char *name, size_t n, int64_t index, const char **val,
               size_t *vlen)
{
	struct store *st = ctx;
	if (st->unknown_q && n == 1 && name[0] == 'q')
		return 1;
	struct var *v = lookup(st, name, n, index);
	*val = v ? v->value : NULL;
	*vlen = v ? strlen(v->value) : 0;
	return 0;
}

static int set(void *ctx, const char *name, size_t n, int64_t index, int64_t value)
{
	struct store *st = ctx;
	struct var *v = lookup(st, name, n, index);
	for (size_t i = 0; v == NULL && i < NVARS; i++)
		if (!st->v[i].used) {
			v = &st->v[i];
			v->used = true;
			snprintf(v->name, sizeof(v->name), "%.*s", (int)n, name);
			v->index = index;
		}
	if (v == NULL)
		return 1;
	snprintf(v->value, sizeof(v->value), "%lld", (long long)value);
	return 0;
}

/* Prints what the bash side prints: the value, then x y a arr[1] after. */
static void show(struct store *st, int64_t value, char *buf, size_t cap)
{
	const char *names[] = { "x", "y", "a", "arr" };
	int64_t idx[] = { -1, -1, -1, 1 };
	int n = snprintf(buf, cap, "%lld", (long long)value);
	for (size_t i = 0; i < 4; i++) {
		struct var *v = lookup(st, names[i], strlen(names[i]), idx[i]);
		n += snprintf(buf + n, cap - (size_t)n, "|%s", v ? v->value : "");
	}
	snprintf(buf + n, cap - (size_t)n, "\n");
}

/* Balanced, $-free expressions: every one goes to bash too. */
static const char *const cases[] = {
	"1+2*3",
	"(1+2)*3",
	"7/2",
	"-7/2",
	"7%-3",
	"-7%3",
	"2**10",
	"2**63",
	"2**64",
	"3**40",
	"-2**2",
	"2**3**2",
	"0**0",
	"2**-1",
	"1/0",
	"5%0",
	"0&&1/0",
	"1||1/0",
	"0 ? 1/0 : 2",
	"1 ? 2 : 1/0",
	"1?2:3?4:5",
	"0?2:0?4:5",
	"1<<64",
	"1<<-1",
	"-8>>1",
	"-1>>63",
	"1<<63>>63",
	"~0",
	"!5",
	"!0",
	"- -5",
	"--5",
	"++5",
	"+-+1",
	"9223372036854775807+1",
	"-9223372036854775808/-1",
	"-9223372036854775808%-1",
	"-9223372036854775807-1",
	"99999999999999999999",
	"0x1F",
	"0X1f",
	"017",
	"08",
	"0x",
	"0",
	"00",
	"2#1010",
	"36#zz",
	"37#zz",
	"64#@_",
	"64#zZ",
	"10#08",
	"1#1",
	"65#1",
	"2#",
	"2#2",
	"0#1",
	"16#ff",
	"1e3",
	"0b1",
	"",
	"  ",
	"1,2",
	"1 2",
	"1 <= 2 == 1",
	"3 > 2 > 1",
	"5&3",
	"5|3",
	"5^3",
	"5&&3",
	"0||0",
	"1&&0||1",
	"x",
	"x+1",
	"y*2",
	"z",
	"z+1",
	"s",
	"s*s",
	"e",
	"e+1",
	"w",
	"bad",
	"h",
	"h+1",
	"unset_var",
	"arr",
	"arr[1]",
	"arr[2]",
	"arr[1+1]",
	"arr[x]",
	"arr[7]",
	"x=5",
	"x+=5",
	"x-=5",
	"x*=3",
	"x/=2",
	"x%=2",
	"x<<=3",
	"x>>=1",
	"x&=3",
	"x|=4",
	"x^=7",
	"x/=0",
	"x=y=7",
	"a=x++",
	"a=++x",
	"a=x--",
	"a=--x",
	"x++ + ++x",
	"++x+x++",
	"x+++x",
	"a=3,a*2",
	"a=(x=4)+x",
	"a+=x",
	"0&&(x=9)",
	"1&&(x=9)",
	"1||(x=9)",
	"0||(x=9)",
	"0?(x=1):(a=2)",
	"1?(x=1):(a=2)",
	"arr[1]=5",
	"arr[1]+=x",
	"arr[x]=3",
	"arr[1]++",
	"x++5",
	"x = 5",
	"1 = 2",
	"x+a=5",
	"(x)=5",
	"++(x)",
	"5 ? : 3",
	"1 ? 2",
	"a b",
	"4 ** 0.5",
	"1 + ",
	"* 2",
	"x[",
	"(((((1)))))",
	"-(-9223372036854775807-1)",
	"x=1?2:3",
	"1?x=4:5",
	"a=z",
	"x+=z",
	"0&&z",
	"1&&z",
	"0&&2**-1",
	"0&&1#1",
	"x<y",
	"x>=y",
	"y==3",
	"x!=2",
	"2+3*4-5/2%3",
	"(2+3)*(4-5)/2",
	"1+-2",
	"1- -2",
	"1--2",
	"a++,a++,a",
	"-x",
	"~x",
	"!x",
	"x**x",
	"x,y",
	"7 / -2",
	"-9223372036854775808*-1",
	"4611686018427387904*2",
	"12345678901*98765432109",
	"x<<x",
	"0x7fffffffffffffff",
	"0xffffffffffffffff",
	"077777777777777777777777",
	"64#_",
	"62#Z",
	"z=1",
	"	x	+	1	",
	"x\n+\n1",
};

static void run_case(const char *expr)
{
	/* bash side */
	char script[512];
	snprintf(script, sizeof(script),
	         "x=2 y=' 3 ' z='1+' s=x e='' w='y*2' bad='a b' h=0x10; arr=(10 20 x+1); "
	         "r=$(( %s )); echo \"$r|$x|$y|$a|${arr[1]}\"",
	         expr);
	const char *argv[] = { "bash", "-c", script, NULL };
	char *bout = NULL;
	size_t boutlen = 0;
	int bstatus = 0;
	assert_int_equal(oracle_run(argv, NULL, 0, &bout, &boutlen, &bstatus), 0);

	/* ours */
	struct store st;
	store_init(&st);
	struct av_sh_arith_vars vars = { .ctx = &st, .get = get, .set = set };
	struct av_sh_arith_result res;
	uint32_t steps = 100000;
	enum av_sh_pure_status rc =
	        av_sh_arith_eval(expr, strlen(expr), &vars, &steps, &res);
	char mine[256] = "";
	if (rc == AV_SH_PURE_OK && !res.error)
		show(&st, res.value, mine, sizeof(mine));
	bool bash_error = bstatus != 0;
	if (rc != AV_SH_PURE_OK || res.error != bash_error || strcmp(mine, bout) != 0) {
		print_error("case `%s': bash said [%s] status %d; we said rc=%d error=%d "
		            "(%s) [%s]\n",
		            expr, bout, bstatus, (int)rc, (int)res.error, res.message,
		            mine);
		free(bout);
		fail();
	}
	free(bout);
}

static void test_against_bash(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(cases[i]);
}

static enum av_sh_pure_status eval(const char *expr, struct store *st, uint32_t steps,
                                   struct av_sh_arith_result *res)
{
	struct av_sh_arith_vars vars = { .ctx = st, .get = get, .set = set };
	return av_sh_arith_eval(expr, strlen(expr), &vars, &steps, res);
}

static void test_unknown_and_limits(void **state)
{
	(void)state;
	struct store st;
	store_init(&st);
	st.unknown_q = true;
	struct av_sh_arith_result res;
	assert_int_equal(eval("q+1", &st, 1000, &res), AV_SH_PURE_UNKNOWN);
	/* a skipped part reads nothing, so an unknown there does not matter */
	assert_int_equal(eval("0&&q", &st, 1000, &res), AV_SH_PURE_OK);
	assert_int_equal(res.value, 0);
	assert_int_equal(eval("1?2:q", &st, 1000, &res), AV_SH_PURE_OK);
	assert_int_equal(res.value, 2);
	/* the budget */
	assert_int_equal(eval("1+1+1+1+1+1+1+1+1+1+1+1", &st, 5, &res), AV_SH_PURE_LIMIT);
	/* self-reference: bash says "expression recursion level exceeded" */
	set(&st, "r", 1, -1, 0);
	snprintf(lookup(&st, "r", 1, -1)->value, 32, "r");
	assert_int_equal(eval("r", &st, 100000, &res), AV_SH_PURE_LIMIT);
	/* deep parentheses and unary chains are bounded, not a stack overflow */
	char deep[4096];
	memset(deep, '(', 2000);
	deep[2000] = '1';
	memset(deep + 2001, ')', 2000);
	deep[4001] = '\0';
	assert_int_equal(eval(deep, &st, 100000, &res), AV_SH_PURE_LIMIT);
	memset(deep, '-', 4000);
	deep[4000] = '1';
	deep[4001] = '\0';
	assert_int_equal(eval(deep, &st, 100000, &res), AV_SH_PURE_LIMIT);
	/* no variables at all: a name is unknown */
	uint32_t steps = 100;
	assert_int_equal(av_sh_arith_eval("x", 1, NULL, &steps, &res),
	                 AV_SH_PURE_UNKNOWN);
	steps = 100;
	assert_int_equal(av_sh_arith_eval("2*21", 4, NULL, &steps, &res), AV_SH_PURE_OK);
	assert_int_equal(res.value, 42);
	/* unbalanced text (not sent to bash, whose parser would object first) */
	assert_int_equal(eval("(1", &st, 100, &res), AV_SH_PURE_OK);
	assert_true(res.error);
	assert_int_equal(eval("1)", &st, 100, &res), AV_SH_PURE_OK);
	assert_true(res.error);
	assert_int_equal(eval("x[]", &st, 100, &res), AV_SH_PURE_UNKNOWN);
}

/* ---- random differential test ---------------------------------------------------
 * Random expressions (balanced parentheses, no $ or quotes) evaluated by
 * ONE bash process, each in a subshell with x=3 y=-2, and by us. */

static uint32_t rng = 777;

static uint32_t rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

static void gen(char *out, size_t cap, size_t *n, int depth)
{
	static const char *const atoms[] = { "0",    "1",   "2",     "7",    "10",
		                             "0x1f", "010", "2#101", "64#_", "x",
		                             "y",    "q",   "x++",   "--y",  "-3" };
	static const char *const ops[] = { "+",  "-", "*",  "/",  "%",  "**", "<<",
		                           ">>", "<", "<=", ">",  ">=", "==", "!=",
		                           "&",  "^", "|",  "&&", "||", "," };
	static const char *const unary[] = { "-", "+", "!", "~" };
	static const char *const assign[] = { "x=", "y+=", "x*=", "q-=", "x<<=", "y%=" };
	uint32_t k = depth > 3 ? 0 : rnd(7);
	int w;
	switch (k) {
	case 0:
	case 1:
		w = snprintf(out + *n, cap - *n, "%s",
		             atoms[rnd(sizeof(atoms) / sizeof(atoms[0]))]);
		break;
	case 2:
		gen(out, cap, n, depth + 1);
		w = snprintf(out + *n, cap - *n, " %s ",
		             ops[rnd(sizeof(ops) / sizeof(ops[0]))]);
		if (w > 0 && *n + (size_t)w < cap)
			*n += (size_t)w;
		gen(out, cap, n, depth + 1);
		return;
	case 3:
		w = snprintf(out + *n, cap - *n, "%s", unary[rnd(4)]);
		if (w > 0 && *n + (size_t)w < cap)
			*n += (size_t)w;
		gen(out, cap, n, depth + 1);
		return;
	case 4:
		w = snprintf(out + *n, cap - *n, "(");
		if (w > 0 && *n + (size_t)w < cap)
			*n += (size_t)w;
		gen(out, cap, n, depth + 1);
		w = snprintf(out + *n, cap - *n, ")");
		break;
	case 5:
		gen(out, cap, n, depth + 1);
		w = snprintf(out + *n, cap - *n, " ? ");
		if (w > 0 && *n + (size_t)w < cap)
			*n += (size_t)w;
		gen(out, cap, n, depth + 1);
		w = snprintf(out + *n, cap - *n, " : ");
		if (w > 0 && *n + (size_t)w < cap)
			*n += (size_t)w;
		gen(out, cap, n, depth + 1);
		return;
	default:
		w = snprintf(out + *n, cap - *n, "%s",
		             assign[rnd(sizeof(assign) / sizeof(assign[0]))]);
		if (w > 0 && *n + (size_t)w < cap)
			*n += (size_t)w;
		gen(out, cap, n, depth + 1);
		return;
	}
	if (w > 0 && *n + (size_t)w < cap)
		*n += (size_t)w;
}

static void test_random_against_bash(void **state)
{
	(void)state;
	enum { COUNT = 1500 };
	static char exprs[COUNT][256];
	size_t cap = COUNT * 260, n = 0;
	char *in = malloc(cap);
	assert_non_null(in);
	for (int i = 0; i < COUNT; i++) {
		size_t k = 0;
		gen(exprs[i], sizeof(exprs[i]), &k, 0);
		exprs[i][k] = '\0';
		n += (size_t)snprintf(in + n, cap - n, "%s\n", exprs[i]);
	}
	/* eval is safe: the text is arithmetic with balanced parentheses */
	const char *argv[] = {
		"bash", "-c",
		"while IFS= read -r e; do (x=3 y=-2; eval 'r=$(( '\"$e\"' ))' "
		"&& echo \"$r|$x|$y|$q\") 2>/dev/null || echo ERR; done",
		NULL
	};
	char *bout = NULL;
	size_t blen = 0;
	int bst = 0;
	assert_int_equal(oracle_run(argv, in, n, &bout, &blen, &bst), 0);
	const char *b = bout;
	int bad = 0, errors = 0;
	for (int i = 0; i < COUNT; i++) {
		const char *e = strchr(b, '\n');
		assert_non_null(e);
		char theirs[256];
		snprintf(theirs, sizeof(theirs), "%.*s", (int)(e - b), b);
		b = e + 1;
		struct store st;
		memset(&st, 0, sizeof(st));
		set(&st, "x", 1, -1, 3);
		set(&st, "y", 1, -1, -2);
		struct av_sh_arith_result res;
		uint32_t steps = 100000;
		struct av_sh_arith_vars vars = { .ctx = &st, .get = get, .set = set };
		enum av_sh_pure_status rc =
		        av_sh_arith_eval(exprs[i], strlen(exprs[i]), &vars, &steps, &res);
		char mine[256];
		if (rc != AV_SH_PURE_OK) {
			snprintf(mine, sizeof(mine), "RC%d", (int)rc);
		} else if (res.error) {
			snprintf(mine, sizeof(mine), "ERR");
			errors++;
		} else {
			struct var *x = lookup(&st, "x", 1, -1),
			           *y = lookup(&st, "y", 1, -1);
			struct var *q = lookup(&st, "q", 1, -1);
			snprintf(mine, sizeof(mine), "%lld|%s|%s|%s",
			         (long long)res.value, x ? x->value : "",
			         y ? y->value : "", q ? q->value : "");
		}
		if (strcmp(mine, theirs) != 0 && bad++ < 5)
			print_error("random `%s': bash [%s] ours [%s]\n", exprs[i],
			            theirs, mine);
	}
	print_message("random expressions: %d, %d errors in both, %d differ\n", COUNT,
	              errors, bad);
	free(bout);
	free(in);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_bash),
		cmocka_unit_test(test_random_against_bash),
		cmocka_unit_test(test_unknown_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
