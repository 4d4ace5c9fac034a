/* file.c - effects of file-tool actions (read, write, edit, append, delete,
 * list, move, copy, chmod). Paths resolve against the action's context. */
#include "agentvisor/effects.h"

#include <string.h>

#include "effects_internal.h"

int av_effects_from_file(const struct av_action *a, struct av_arena *arena,
                         struct av_effect_list *out, struct av_error *err)
{
	if (!a || a->kind != AV_KIND_FILE)
		return av_error_set(err, AV_E_INTERNAL, "", "not a file action");
	struct fx_ctx x = { .ctx = &a->ctx, .arena = arena, .out = out };
	const char *path = a->in.file.path;
	const char *dest = a->in.file.dest;
	if (!path)
		return av_error_set(err, AV_E_FIELD, "input.path",
		                    "a file action needs a path");
	switch (a->in.file.op) {
	case AV_FOP_READ:
		fx_path(&x, AV_FX_FS_READ, path, 0);
		break;
	case AV_FOP_WRITE:
		fx_write(&x, path, 0, NULL);
		break;
	case AV_FOP_EDIT:
		fx_write(&x, path, 0, "edit");
		break;
	case AV_FOP_APPEND:
		fx_write(&x, path, 0, "append");
		break;
	case AV_FOP_DELETE:
		fx_path(&x, AV_FX_FS_DELETE, path, 0);
		break;
	case AV_FOP_LIST:
		fx_path(&x, AV_FX_FS_LIST, path, 0);
		break;
	case AV_FOP_MOVE:
	case AV_FOP_COPY: {
		if (!dest)
			return av_error_set(err, AV_E_FIELD, "input.dest",
			                    "a move or copy needs a destination");
		bool move = a->in.file.op == AV_FOP_MOVE;
		struct av_effect *e =
		        fx_path(&x, move ? AV_FX_FS_MOVE : AV_FX_FS_READ, path, 0);
		if (move) {
			const char *rd = av_path_resolve(dest, &a->ctx, arena);
			e->dest = rd ? rd : dest;
			e->dest_class = av_path_classify(e->dest, &a->ctx);
		}
		struct av_effect *w = fx_write(&x, dest, 0,
		                               move ? "destination of a move"
		                                    : "destination of a copy");
		fx_source_path(&x, w, path);
		break;
	}
	case AV_FOP_CHMOD:
		fx_path(&x, AV_FX_FS_CHMOD, path, 0)->mode = a->in.file.mode;
		break;
	default:
		return av_error_set(err, AV_E_FIELD, "input.op",
		                    "unknown file operation");
	}
	if (x.failed) {
		if (out->count >= AV_MAX_EFFECTS)
			return av_error_set(err, AV_E_LIMIT, "", "more than %d effects",
			                    AV_MAX_EFFECTS);
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of arena memory for effects");
	}
	return 0;
}
