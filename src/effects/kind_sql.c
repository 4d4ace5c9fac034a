/* kind_sql.c - effects of sql actions, from the statement classes of the
 * SQL lexer (src/effects/sql.c):
 *
 *   DROP TABLE/DATABASE/SCHEMA, TRUNCATE,      data.destroy, recursive
 *   DELETE/UPDATE without WHERE (or WHERE 1=1)
 *   ALTER TABLE ... DROP COLUMN                data.destroy
 *   GRANT, REVOKE, CREATE/ALTER USER or ROLE   sys.config ("database privileges")
 *   COPY ... PROGRAM, xp_cmdshell              the command line, as shell text
 *   pg_read_file, LOAD_FILE, COPY FROM 'f'     fs.read of the server's file
 *   INTO OUTFILE, COPY TO 'f', lo_export       fs.write of the server's file
 *
 * Reads, writes with a WHERE and DDL that loses no rows add no effect; the
 * policy still sees them through sql.class and sql.classes. Text of unknown
 * dialect is read both as standard SQL and as MySQL, and the statements of
 * both readings count, so quoting that one dialect reads differently
 * cannot hide a statement. */
#include <string.h>

#include "kind_internal.h"
#include "sql.h"

static bool mode_is_mysql(const char *dialect)
{
	return dialect != NULL &&
	       (strcmp(dialect, "mysql") == 0 || strcmp(dialect, "mariadb") == 0);
}

static bool mode_known(const char *dialect)
{
	return dialect != NULL && strcmp(dialect, "generic") != 0;
}

/* Two readings agree when they give the same statements. */
static bool same_reading(const struct av_sql_result *a, const struct av_sql_result *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->stmts[i].cls != b->stmts[i].cls ||
		    strcmp(a->stmts[i].summary, b->stmts[i].summary) != 0)
			return false;
	return true;
}

static void stmt_effects(struct kind_x *x, const struct av_sql_stmt *s, const char *host,
                         const char *dbfile)
{
	struct av_kind_facts *kf = x->kf;
	kf->sql_statements++;
	kf->sql_classes |= 1u << s->cls;
	/* A DML statement the same text rolls back changes nothing: judge it
	 * as the write it tries, not as the destruction it undoes. */
	enum av_sql_class cls =
	        s->cls == AV_SQL_DESTRUCTIVE && s->rolled_back && s->unbounded
	                ? AV_SQL_WRITE
	                : s->cls;
	/* How much each class can do, for "the strongest class": a statement
	 * we do not recognise (a procedure call) ranks above plain writes. */
	static const uint8_t rank[AV_SQL_CLASS_COUNT] = {
		[AV_SQL_NONE] = 0,    [AV_SQL_READ] = 1,      [AV_SQL_TRANSACTION] = 2,
		[AV_SQL_SESSION] = 3, [AV_SQL_WRITE] = 4,     [AV_SQL_OTHER] = 5,
		[AV_SQL_DDL] = 6,     [AV_SQL_PRIVILEGE] = 7, [AV_SQL_DESTRUCTIVE] = 8,
	};
	if (rank[cls] > rank[kf->sql_class])
		kf->sql_class = cls;
	if (cls == AV_SQL_DESTRUCTIVE) {
		struct av_effect *d;
		if (dbfile != NULL) {
			d = fx_path(&x->fx, AV_FX_DATA_DESTROY, dbfile, 0);
		} else {
			d = fx_push(&x->fx, AV_FX_DATA_DESTROY);
			if (host != NULL)
				fx_host(&x->fx, d, host, false);
		}
		d->binary = "sql";
		d->flags |= s->whole ? AV_FXF_RECURSIVE : 0;
		d->detail = s->summary;
	} else if (cls == AV_SQL_PRIVILEGE) {
		struct av_effect *e = fx_push(&x->fx, AV_FX_SYS_CONFIG);
		if (host != NULL)
			fx_host(&x->fx, e, host, false);
		e->binary = "sql";
		e->detail = av_arena_printf(x->fx.arena, "database privileges: %s",
		                            s->summary);
	}
	/* What the database server itself reads, writes and runs. Paths are
	 * on the server, which is this machine for a local database; they
	 * are classified as if here, the cautious reading. */
	if (s->file_read != NULL)
		fx_path(&x->fx, AV_FX_FS_READ, s->file_read, 0)->detail =
		        "read by the database server";
	if (s->file_write != NULL)
		fx_write(&x->fx, s->file_write, 0, "written by the database server");
	if (s->program != NULL) {
		/* The database server runs a command: a fact of its own
		 * (code.exec, binary "sql"), and the command is judged as the
		 * shell text it is. */
		struct av_effect *e = fx_push(&x->fx, AV_FX_CODE_EXEC);
		e->binary = "sql";
		e->source = "database-server";
		e->detail = s->program;
		if (host != NULL)
			fx_host(&x->fx, e, host, false);
		kind_shell(x, s->program, strlen(s->program),
		           "command line run by the database server (SQL)");
	}
}

int av_kind_sql_text(struct kind_x *x, const char *text, size_t len, const char *host,
                     const char *dbfile)
{
	const char *dialect = x->a->kind == AV_KIND_SQL ? x->a->in.sql.dialect : NULL;
	struct av_sql_result r1, r2;
	enum av_sql_mode first = mode_is_mysql(dialect) ? AV_SQL_MYSQL : AV_SQL_STANDARD;
	if (av_sql_analyze(text, len, first, x->fx.arena, &r1) < 0) {
		x->fx.failed = true;
		return 0;
	}
	bool both = !mode_known(dialect);
	if (both && av_sql_analyze(text, len, AV_SQL_MYSQL, x->fx.arena, &r2) < 0) {
		x->fx.failed = true;
		return 0;
	}
	if (both && same_reading(&r1, &r2))
		both = false;
	for (uint32_t i = 0; i < r1.n && x->rc == 0; i++)
		stmt_effects(x, &r1.stmts[i], host, dbfile);
	uint32_t counted = x->kf->sql_statements;
	for (uint32_t i = 0; both && i < r2.n && x->rc == 0; i++)
		stmt_effects(x, &r2.stmts[i], host, dbfile);
	x->kf->sql_statements = counted; /* the second reading adds no statements */
	if (r1.truncated || (both && r2.truncated)) {
		struct av_effect *o = fx_push(&x->fx, AV_FX_OPAQUE);
		o->detail = "SQL text over the analysis limit (statements or size)";
	}
	/* The names of the classes present, for sql.classes. */
	const char **names =
	        av_arena_alloc(x->fx.arena, AV_SQL_CLASS_COUNT * sizeof(*names));
	if (names == NULL) {
		x->fx.failed = true;
		return 0;
	}
	uint32_t n = 0;
	for (unsigned c = 0; c < AV_SQL_CLASS_COUNT; c++)
		if (x->kf->sql_classes & (1u << c))
			names[n++] = av_sql_class_name((enum av_sql_class)c);
	x->kf->sql_class_names = names;
	x->kf->nsql_class_names = n;
	return x->rc;
}

int av_kind_sql(struct kind_x *x)
{
	const struct av_action *a = x->a;
	/* A sqlite database is a file: its path class (workspace, temp) says
	 * whose data it is, as for sqlite3 on the command line. */
	const char *dbfile = a->in.sql.dialect != NULL &&
	                                     strcmp(a->in.sql.dialect, "sqlite") == 0 &&
	                                     a->in.sql.database != NULL &&
	                                     strcmp(a->in.sql.database, ":memory:") != 0
	                             ? a->in.sql.database
	                             : NULL;
	return av_kind_sql_text(x, a->in.sql.statement, a->in.sql.statement_len,
	                        a->in.sql.host, dbfile);
}
