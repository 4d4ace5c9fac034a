/* sys.h - the small amount of OS access the library itself needs: bounded
 * file reading. Everything here has side effects; pure code lives elsewhere. */
#ifndef AGENTVISOR_SYS_H
#define AGENTVISOR_SYS_H

#include "agentvisor/common.h"

/* Reads the whole file at path ("-" = standard input) into a new malloc'd,
 * NUL-terminated buffer (free with free()). Fails with AV_E_LIMIT when the
 * file is larger than max bytes (without reading more than max + 1), with
 * AV_E_IO naming the path and errno text otherwise. */
int av_read_file(const char *path, size_t max, char **out, size_t *out_len,
                 struct av_error *err);

#endif
