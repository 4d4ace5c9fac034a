/* names.c - the names policies use for effect kinds, path classes and host
 * classes, and their parsers. One table per enum, indexed by value. */
#include "agentvisor/effects.h"
#include "util/nametable.h"

static const char *const effect_names[AV_FX_COUNT] = {
	[AV_FX_FS_READ] = "fs.read",
	[AV_FX_FS_WRITE] = "fs.write",
	[AV_FX_FS_DELETE] = "fs.delete",
	[AV_FX_FS_LIST] = "fs.list",
	[AV_FX_FS_CHMOD] = "fs.chmod",
	[AV_FX_FS_CHOWN] = "fs.chown",
	[AV_FX_FS_MOVE] = "fs.move",
	[AV_FX_NET_FETCH] = "net.fetch",
	[AV_FX_NET_SEND] = "net.send",
	[AV_FX_NET_CONNECT] = "net.connect",
	[AV_FX_PROC_EXEC] = "proc.exec",
	[AV_FX_CODE_EXEC] = "code.exec",
	[AV_FX_PRIV] = "priv.escalate",
	[AV_FX_PERSIST] = "persist",
	[AV_FX_DISK_WRITE] = "disk.write",
	[AV_FX_SYS_CONFIG] = "sys.config",
	[AV_FX_PKG_INSTALL] = "pkg.install",
	[AV_FX_OPAQUE] = "opaque",
	[AV_FX_DATA_DESTROY] = "data.destroy",
	[AV_FX_CRED_READ] = "cred.read",
	[AV_FX_CONFIG_TAMPER] = "config.tamper",
	[AV_FX_NET_EXPOSE] = "net.expose",
	[AV_FX_RESOURCE] = "resource.exhaust",
};

static const char *const path_class_names[AV_PATH_CLASS_COUNT] = {
	[AV_PATH_UNKNOWN] = "unknown",     [AV_PATH_ROOT] = "root",
	[AV_PATH_SECRET] = "secret",       [AV_PATH_PERSISTENCE] = "persistence",
	[AV_PATH_SYSTEM] = "system",       [AV_PATH_DEVICE] = "device",
	[AV_PATH_HOME] = "home",           [AV_PATH_USER] = "user",
	[AV_PATH_WORKSPACE] = "workspace", [AV_PATH_TEMP] = "temp",
	[AV_PATH_NULL] = "null",           [AV_PATH_OTHER] = "other",
};

static const char *const host_class_names[AV_HOST_CLASS_COUNT] = {
	[AV_HOST_NONE] = "none",       [AV_HOST_LOOPBACK] = "loopback",
	[AV_HOST_PRIVATE] = "private", [AV_HOST_METADATA] = "metadata",
	[AV_HOST_PUBLIC] = "public",
};

/* Finds s[0..len) in names[0..n); returns its index or -1. */

const char *av_effect_kind_name(enum av_effect_kind k)
{
	return (unsigned)k < AV_FX_COUNT ? effect_names[k] : "unknown";
}

int av_effect_kind_parse(const char *s, size_t len, enum av_effect_kind *out)
{
	int i = av_nametable_find(effect_names, AV_FX_COUNT, s, len);
	if (i < 0)
		return -1;
	*out = (enum av_effect_kind)i;
	return 0;
}

const char *av_path_class_name(enum av_path_class c)
{
	return (unsigned)c < AV_PATH_CLASS_COUNT ? path_class_names[c] : "unknown";
}

int av_path_class_parse(const char *s, size_t len, enum av_path_class *out)
{
	int i = av_nametable_find(path_class_names, AV_PATH_CLASS_COUNT, s, len);
	if (i < 0)
		return -1;
	*out = (enum av_path_class)i;
	return 0;
}

const char *av_host_class_name(enum av_host_class c)
{
	return (unsigned)c < AV_HOST_CLASS_COUNT ? host_class_names[c] : "none";
}

int av_host_class_parse(const char *s, size_t len, enum av_host_class *out)
{
	int i = av_nametable_find(host_class_names, AV_HOST_CLASS_COUNT, s, len);
	if (i < 0)
		return -1;
	*out = (enum av_host_class)i;
	return 0;
}
