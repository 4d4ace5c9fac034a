/* state.c - where the audit log and its key live: choosing and creating the
 * state directory, the Ed25519 key pair (created on first use, 0600), and
 * listing segment files. Side effects only; the format is in frame.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/audit_internal.h"

int av_audit_fsync_parse(const char *s, enum av_audit_fsync *out)
{
	static const char *const names[] = {
		[AV_FSYNC_ALWAYS] = "always",
		[AV_FSYNC_BATCH] = "batch",
		[AV_FSYNC_NEVER] = "never",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum av_audit_fsync)i;
			return 0;
		}
	return -1;
}

int av_audit_opts_default(struct av_audit_opts *o, struct av_error *err)
{
	o->fsync = AV_FSYNC_BATCH;
	o->batch_records = 512;
	o->batch_ms = 20;
	o->checkpoint_every = 1024;
	o->segment_bytes = AV_AUDIT_SEGMENT_DEFAULT;
	o->sync_thread = false;
	const char *f = getenv("AGENTVISOR_AUDIT_FSYNC");
	if (f != NULL && f[0] != '\0' && av_audit_fsync_parse(f, &o->fsync) < 0)
		return av_error_set(
		        err, AV_E_FIELD, "AGENTVISOR_AUDIT_FSYNC",
		        "AGENTVISOR_AUDIT_FSYNC must be always, batch or never");
	const char *sb = getenv("AGENTVISOR_AUDIT_SEGMENT_BYTES");
	if (sb != NULL && sb[0] != '\0') {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(sb, &end, 10);
		if (errno != 0 || *end != '\0' || v < 4096 || v > ((uint64_t)1 << 30))
			return av_error_set(
			        err, AV_E_FIELD, "AGENTVISOR_AUDIT_SEGMENT_BYTES",
			        "AGENTVISOR_AUDIT_SEGMENT_BYTES must be a number "
			        "of bytes from 4096 to 1073741824");
		o->segment_bytes = v;
	}
	return 0;
}

int av_state_dir_resolve(const char *override, char *out, size_t cap,
                         struct av_error *err)
{
	const char *base = override, *suffix = "";
	const char *source = "--state";
	if (base == NULL && (base = getenv("AGENTVISOR_STATE")) != NULL &&
	    base[0] != '\0')
		source = "AGENTVISOR_STATE";
	else if (override == NULL) {
		base = getenv("XDG_STATE_HOME");
		source = "XDG_STATE_HOME";
		suffix = "/agentvisor";
		if (base == NULL || base[0] != '/') {
			base = getenv("HOME");
			source = "HOME";
			suffix = "/.local/state/agentvisor";
		}
	}
	if (base == NULL || base[0] == '\0')
		return av_error_set(err, AV_E_IO, "",
		                    "no state directory: set --state, AGENTVISOR_STATE, "
		                    "XDG_STATE_HOME or HOME");
	if (base[0] != '/')
		return av_error_set(
		        err, AV_E_FIELD, source,
		        "the state directory must be an absolute path, not '%s'", base);
	int n = snprintf(out, cap, "%s%s", base, suffix);
	if (n < 0 || (size_t)n >= cap)
		return av_error_set(err, AV_E_LIMIT, source,
		                    "state directory path too long");
	return 0;
}

static int mkdir_one(const char *path, struct av_error *err)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return av_error_set(err, AV_E_IO, path, "cannot create directory %s: %s", path,
	                    strerror(errno));
}

int av_state_dir_prepare(const char *dir, struct av_error *err)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s", dir);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return av_error_set(err, AV_E_LIMIT, dir,
		                    "state directory path too long");
	/* Like mkdir -p -m 0700: every missing component is private. */
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir_one(buf, err);
		*p = '/';
		if (rc < 0)
			return -1;
	}
	if (mkdir_one(buf, err) < 0)
		return -1;
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return av_error_set(err, AV_E_IO, dir, "%s is not a directory", dir);
	if ((st.st_mode & 022) != 0)
		return av_error_set(err, AV_E_IO, dir,
		                    "state directory %s is writable by group or others "
		                    "(mode %04o); chmod 700 it",
		                    dir, (unsigned)(st.st_mode & 07777));
	return 0;
}

int av_audit_dir(const char *state_dir, char *out, size_t cap, struct av_error *err)
{
	int n = snprintf(out, cap, "%s/audit", state_dir);
	if (n < 0 || (size_t)n >= cap)
		return av_error_set(err, AV_E_LIMIT, state_dir,
		                    "state directory path too long");
	return 0;
}

int av_audit_pubkey_parse(const char *text, size_t len,
                          unsigned char pk[AV_AUDIT_PUBKEY_BYTES], struct av_error *err)
{
	static const char prefix[] = "agentvisor-audit-ed25519 ";
	size_t pl = sizeof(prefix) - 1;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len != pl + 64 || memcmp(text, prefix, pl) != 0 ||
	    av_unhex(text + pl, 64, pk, 32) < 0)
		return av_error_set(err, AV_E_FIELD, "",
		                    "not an agentvisor audit public key (expected "
		                    "'agentvisor-audit-ed25519' and 64 hex digits)");
	return 0;
}

int av_audit_pubkey_load(const char *state_dir, unsigned char pk[AV_AUDIT_PUBKEY_BYTES],
                         struct av_error *err)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/audit.pub", state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return av_error_set(err, AV_E_IO, path, "cannot open %s: %s", path,
		                    strerror(errno));
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return av_error_set(err, AV_E_IO, path, "cannot read %s", path);
	if (av_audit_pubkey_parse(buf, (size_t)n, pk, err) < 0) {
		snprintf(err->where, sizeof(err->where), "%.200s", path);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_pubkey(const char *state_dir, const unsigned char pk[32],
                        struct av_error *err)
{
	char path[4200], tmp[4220], text[128], hex[65];
	snprintf(path, sizeof(path), "%s/audit.pub", state_dir);
	snprintf(tmp, sizeof(tmp), "%s/audit.pub.%ld", state_dir, (long)getpid());
	av_hex(pk, 32, hex);
	int n = snprintf(text, sizeof(text), "agentvisor-audit-ed25519 %s\n", hex);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write_all(fd, text, (size_t)n) < 0 || fsync(fd) != 0 ||
	    close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return av_error_set(err, AV_E_IO, path, "cannot write %s: %s", path,
		                    strerror(e));
	}
	return 0;
}

int av_audit_key_load_or_create(const char *state_dir, unsigned char sk[64],
                                unsigned char pk[32], struct av_error *err)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/audit.key", state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (sodium_init() < 0)
			return av_error_set(err, AV_E_INTERNAL, "",
			                    "libsodium failed to start");
		crypto_sign_keypair(pk, sk);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		          0600);
		if (fd < 0 || write_all(fd, sk, 64) < 0 || fsync(fd) != 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			sodium_memzero(sk, 64);
			return av_error_set(err, AV_E_IO, path, "cannot create %s: %s",
			                    path, strerror(e));
		}
		close(fd);
		return write_pubkey(state_dir, pk, err);
	}
	if (fd < 0)
		return av_error_set(err, AV_E_IO, path, "cannot open %s: %s", path,
		                    strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return av_error_set(err, AV_E_IO, path, "%s is not a regular file", path);
	}
	if ((st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
		close(fd);
		return av_error_set(
		        err, AV_E_IO, path,
		        "refusing the signing key %s: mode %04o or owner uid %u "
		        "lets others read it; it must be 0600 and yours "
		        "(chmod 600 it, and rotate the key if others read it)",
		        path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	}
	ssize_t n = read(fd, sk, 64);
	char extra;
	ssize_t more = read(fd, &extra, 1);
	close(fd);
	if (n != 64 || more != 0) {
		sodium_memzero(sk, 64);
		return av_error_set(err, AV_E_IO, path, "%s is not a 64-byte Ed25519 key",
		                    path);
	}
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	unsigned char stored[32];
	struct av_error e2;
	if (av_audit_pubkey_load(state_dir, stored, &e2) < 0)
		return write_pubkey(state_dir, pk, err); /* recreate a lost audit.pub */
	if (sodium_memcmp(stored, pk, 32) != 0) {
		sodium_memzero(sk, 64);
		return av_error_set(err, AV_E_IO, path,
		                    "audit.pub does not belong to audit.key in %s",
		                    state_dir);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int av_segments_list(const char *dir, uint64_t **out, size_t *count, struct av_error *err)
{
	*out = NULL;
	*count = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return av_error_set(err, AV_E_IO, dir, "cannot open %s: %s", dir,
		                    strerror(errno));
	size_t cap = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "seg-", 4) != 0)
			continue;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(de->d_name + 4, &end, 10);
		if (errno != 0 || end != de->d_name + 12 || strcmp(end, ".log") != 0 ||
		    v == 0) {
			rc = av_error_set(
			        err, AV_E_IO, de->d_name,
			        "%s/%s is not a segment name (seg-NNNNNNNN.log)", dir,
			        de->d_name);
			break;
		}
		if (*count == cap) {
			size_t nc = cap ? cap * 2 : 16;
			uint64_t *n = realloc(*out, nc * sizeof(*n));
			if (n == NULL) {
				rc = av_error_set(err, AV_E_NOMEM, dir, "out of memory");
				break;
			}
			*out = n;
			cap = nc;
		}
		(*out)[(*count)++] = v;
	}
	closedir(d);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*count = 0;
		return -1;
	}
	if (*count > 0)
		qsort(*out, *count, sizeof(**out), cmp_u64);
	return 0;
}
