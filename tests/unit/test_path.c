/* test_path.c - lexical path resolution, path classes and their precedence,
 * host extraction and host classes (src/effects/pathclass.c, host.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agentvisor/effects.h"

static const struct av_context ctx = {
	.cwd = "/home/dev/project/src",
	.workspace = "/home/dev/project",
	.home = "/home/dev",
	.user = "dev",
};

static struct av_arena arena;

static int setup(void **state)
{
	(void)state;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	av_arena_free(&arena);
	return 0;
}

static void expect_resolve(const char *in, const struct av_context *c, const char *want)
{
	const char *got = av_path_resolve(in, c, &arena);
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_resolve(void **state)
{
	(void)state;
	expect_resolve("/", &ctx, "/");
	expect_resolve("//etc///passwd/", &ctx, "/etc/passwd");
	expect_resolve("main.c", &ctx, "/home/dev/project/src/main.c");
	expect_resolve("./a/./b", &ctx, "/home/dev/project/src/a/b");
	expect_resolve("..", &ctx, "/home/dev/project");
	expect_resolve("../../..", &ctx, "/home");
	expect_resolve("../../../../../../..", &ctx, "/");
	expect_resolve("/../etc/../../root", &ctx, "/root");
	expect_resolve("~", &ctx, "/home/dev");
	expect_resolve("~/.ssh/id_rsa", &ctx, "/home/dev/.ssh/id_rsa");
	expect_resolve("~root/x", &ctx, "~root/x");
	expect_resolve(".", &ctx, "/home/dev/project/src");
	const struct av_context none = { 0 };
	expect_resolve("rel/x", &none, "rel/x");
	expect_resolve("~/x", &none, "~/x");
	expect_resolve("/a/../b", NULL, "/b");
	assert_null(av_path_resolve(NULL, &ctx, &arena));
}

static enum av_path_class cls(const char *p)
{
	return av_path_classify(av_path_resolve(p, &ctx, &arena), &ctx);
}

static void test_classes(void **state)
{
	(void)state;
	assert_int_equal(cls("/"), AV_PATH_ROOT);
	assert_int_equal(cls("/etc/.."), AV_PATH_ROOT);
	assert_int_equal(cls("relative"), AV_PATH_WORKSPACE);
	assert_int_equal(av_path_classify("relative", &ctx), AV_PATH_UNKNOWN);
	assert_int_equal(av_path_classify(NULL, &ctx), AV_PATH_UNKNOWN);

	/* secret */
	assert_int_equal(cls("~/.ssh/id_ed25519"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.ssh/config"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.ssh/id_ed25519.pub"), AV_PATH_USER); /* public half */
	assert_int_equal(cls("~/.aws/credentials"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.gnupg/private-keys-v1.d/x"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.netrc"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.docker/config.json"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.kube/config"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.config/gh/hosts.yml"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.config/gcloud/credentials.db"), AV_PATH_SECRET);
	assert_int_equal(cls("/etc/shadow"), AV_PATH_SECRET);
	assert_int_equal(cls("/etc/sudoers.d/90-x"), AV_PATH_SECRET);
	assert_int_equal(cls("/etc/ssl/private/k"), AV_PATH_SECRET);
	assert_int_equal(cls("/root/.ssh/id_rsa"), AV_PATH_SECRET);
	assert_int_equal(cls("/home/other/.aws/config"), AV_PATH_SECRET);
	assert_int_equal(cls("/srv/app/.env"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.psql_history"), AV_PATH_SECRET);
	assert_int_equal(cls("/root/.mysql_history"), AV_PATH_SECRET);
	assert_int_equal(
	        cls("~/Library/Application Support/Google/Chrome/Default/Login Data"),
	        AV_PATH_SECRET);
	assert_int_equal(cls("~/Library/Cookies/Cookies.binarycookies"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.config/Bitwarden/data.json"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.electrum/wallets/w"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.config/rclone/rclone.conf"), AV_PATH_SECRET);
	assert_int_equal(cls("~/.config/rclone/other.txt"), AV_PATH_USER);
	assert_int_equal(cls("/var/run/secrets/kubernetes.io/serviceaccount/token"),
	                 AV_PATH_SECRET);
	assert_int_equal(cls("/etc/gitlab-runner/config.toml"), AV_PATH_SECRET);
	assert_int_equal(cls("/srv/infra/terraform.tfstate"), AV_PATH_SECRET);
	assert_int_equal(cls("/srv/infra/terraform.tf"), AV_PATH_OTHER);
	assert_int_equal(cls("/srv/app/.env.production"), AV_PATH_SECRET);
	assert_int_equal(cls("/srv/app/.env.example"), AV_PATH_OTHER);
	assert_int_equal(cls("/srv/app/.env.sample"), AV_PATH_OTHER);
	assert_int_equal(cls("/srv/tls/server.key"), AV_PATH_SECRET);
	assert_int_equal(cls("/srv/tls/server.pem"), AV_PATH_SECRET);
	assert_int_equal(cls("/srv/keys/id_rsa_deploy"), AV_PATH_SECRET);
	assert_int_equal(cls("/srv/keys/id_rsa.pub"), AV_PATH_OTHER);
	assert_int_equal(cls("/srv/vault.kdbx"), AV_PATH_SECRET);
	assert_int_equal(cls("/srv/monkey"), AV_PATH_OTHER);
	assert_int_equal(cls("~/.bash_history"), AV_PATH_SECRET);
	assert_int_equal(cls("/proc/1/environ"), AV_PATH_SECRET);
	assert_int_equal(cls("/proc/self/status"), AV_PATH_SYSTEM);

	/* persistence */
	assert_int_equal(cls("~/.bashrc"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("~/.zshenv"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("~/.config/autostart/x.desktop"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("~/.config/systemd/user/x.service"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("~/.ssh/authorized_keys"), AV_PATH_PERSISTENCE);
	/* Python start-up hooks outside the project's own environment. */
	assert_int_equal(cls("~/.local/lib/python3.12/site-packages/zz.pth"),
	                 AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/usr/lib/python3/dist-packages/sitecustomize.py"),
	                 AV_PATH_PERSISTENCE);
	assert_int_not_equal(cls(".venv/lib/python3.12/site-packages/proj.pth"),
	                     AV_PATH_PERSISTENCE);
	assert_int_not_equal(cls("~/.local/lib/python3.12/site-packages/six.py"),
	                     AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/root/.ssh/authorized_keys"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/etc/crontab"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/etc/cron.d/job"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/var/spool/cron/crontabs/dev"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/etc/systemd/system/x.service"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/etc/profile.d/x.sh"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/etc/ld.so.preload"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/etc/rc.local"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("/srv/repo/.git/hooks/pre-commit"), AV_PATH_PERSISTENCE);

	/* precedence inside the workspace */
	assert_int_equal(cls(".env"), AV_PATH_SECRET);
	assert_int_equal(cls("../.git/hooks/post-checkout"), AV_PATH_PERSISTENCE);
	assert_int_equal(cls("../.git/config"), AV_PATH_WORKSPACE);
	assert_int_equal(cls("main.c"), AV_PATH_WORKSPACE);
	assert_int_equal(cls("/home/dev/project"), AV_PATH_WORKSPACE);
	/* .. escaping the workspace */
	assert_int_equal(cls("../../notes.txt"), AV_PATH_USER);
	assert_int_equal(cls("../.."), AV_PATH_HOME);
	assert_int_equal(cls("../../.."), AV_PATH_OTHER);
	assert_int_equal(cls("../../../../etc/passwd"), AV_PATH_SYSTEM);

	/* home, user, system, device, temp, null, other */
	assert_int_equal(cls("~"), AV_PATH_HOME);
	assert_int_equal(cls("/home/dev/"), AV_PATH_HOME);
	assert_int_equal(cls("~/Downloads/x"), AV_PATH_USER);
	assert_int_equal(cls("~/.gitconfig"), AV_PATH_USER);
	assert_int_equal(cls("/etc/passwd"), AV_PATH_SYSTEM);
	assert_int_equal(cls("/usr/bin/ls"), AV_PATH_SYSTEM);
	assert_int_equal(cls("/boot"), AV_PATH_SYSTEM);
	assert_int_equal(cls("/var/log/syslog"), AV_PATH_SYSTEM);
	assert_int_equal(cls("/root"), AV_PATH_SYSTEM);
	assert_int_equal(cls("/dev/sda"), AV_PATH_DEVICE);
	assert_int_equal(cls("/dev/nvme0n1p1"), AV_PATH_DEVICE);
	assert_int_equal(cls("/dev/null"), AV_PATH_NULL);
	assert_int_equal(cls("/dev/stderr"), AV_PATH_NULL);
	assert_int_equal(cls("/dev/fd/3"), AV_PATH_NULL);
	assert_int_equal(cls("/tmp"), AV_PATH_TEMP);
	assert_int_equal(cls("/tmp/build/x"), AV_PATH_TEMP);
	assert_int_equal(cls("/var/tmp/x"), AV_PATH_TEMP);
	assert_int_equal(cls("/dev/shm/x"), AV_PATH_TEMP);
	assert_int_equal(cls("/tmpfoo"), AV_PATH_OTHER);
	assert_int_equal(cls("/srv/www"), AV_PATH_OTHER);
	assert_int_equal(cls("/home"), AV_PATH_OTHER);
	assert_int_equal(cls("/etcetera"), AV_PATH_OTHER);
}

static void test_workspace_in_tmp(void **state)
{
	(void)state;
	const struct av_context t = { .cwd = "/tmp/work",
		                      .workspace = "/tmp/work",
		                      .home = "/home/dev" };
	assert_int_equal(av_path_classify("/tmp/work/a", &t), AV_PATH_WORKSPACE);
	assert_int_equal(av_path_classify("/tmp/other", &t), AV_PATH_TEMP);
	/* the home directory stays "home" even when it is the workspace */
	const struct av_context h = { .cwd = "/home/dev",
		                      .workspace = "/home/dev",
		                      .home = "/home/dev" };
	assert_int_equal(av_path_classify("/home/dev", &h), AV_PATH_HOME);
	assert_int_equal(av_path_classify("/home/dev/x", &h), AV_PATH_WORKSPACE);
	/* a workspace of "/" is ignored rather than swallowing everything */
	const struct av_context r = { .workspace = "/" };
	assert_int_equal(av_path_classify("/etc/passwd", &r), AV_PATH_SYSTEM);
	assert_int_equal(av_path_classify("/etc/passwd", NULL), AV_PATH_SYSTEM);
}

static void expect_host(const char *url, const char *want)
{
	const char *h = av_host_from_url(url, &arena);
	if (!want) {
		assert_null(h);
		return;
	}
	assert_non_null(h);
	assert_string_equal(h, want);
}

static void test_host_from_url(void **state)
{
	(void)state;
	expect_host("https://Example.COM/path?q=1", "example.com");
	expect_host("http://user:pw@evil.io:8080/x", "evil.io");
	expect_host("http://[::1]:8080/", "::1");
	expect_host("ftp://host.", "host");
	expect_host("example.com:443", "example.com");
	expect_host("git@github.com:org/repo.git", "github.com");
	expect_host("user@10.0.0.5:/srv", "10.0.0.5");
	expect_host("example.org/install.sh", "example.org");
	expect_host("bare-host", "bare-host");
	expect_host("fe80::1", "fe80::1");
	expect_host("/etc/passwd", NULL);
	expect_host("./x:y", NULL);
	expect_host("", NULL);
	expect_host(NULL, NULL);
}

static void test_host_classes(void **state)
{
	(void)state;
	assert_int_equal(av_host_classify(NULL), AV_HOST_NONE);
	assert_int_equal(av_host_classify(""), AV_HOST_NONE);
	assert_int_equal(av_host_classify("localhost"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("LOCALHOST."), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("api.localhost"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("127.0.0.1"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("127.8.9.10"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("2130706433"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("0x7f000001"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("0177.0.0.1"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("127.1"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("0.0.0.0"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("::1"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("[::1]"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("10.1.2.3"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("172.16.0.1"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("172.31.255.255"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("172.32.0.1"), AV_HOST_PUBLIC);
	assert_int_equal(av_host_classify("192.168.1.1"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("100.64.0.1"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("100.128.0.1"), AV_HOST_PUBLIC);
	assert_int_equal(av_host_classify("fd12:3456::1"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("printer.local"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("db.corp.internal"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("nas.lan"), AV_HOST_PRIVATE);
	assert_int_equal(av_host_classify("169.254.169.254"), AV_HOST_METADATA);
	assert_int_equal(av_host_classify("169.254.1.1"), AV_HOST_METADATA);
	assert_int_equal(av_host_classify("2852039166"), AV_HOST_METADATA);
	assert_int_equal(av_host_classify("metadata.google.internal"), AV_HOST_METADATA);
	assert_int_equal(av_host_classify("fd00:ec2::254"), AV_HOST_METADATA);
	assert_int_equal(av_host_classify("fe80::1"), AV_HOST_METADATA);
	assert_int_equal(av_host_classify("::ffff:127.0.0.1"), AV_HOST_LOOPBACK);
	assert_int_equal(av_host_classify("::ffff:169.254.169.254"), AV_HOST_METADATA);
	assert_int_equal(av_host_classify("8.8.8.8"), AV_HOST_PUBLIC);
	assert_int_equal(av_host_classify("github.com"), AV_HOST_PUBLIC);
	assert_int_equal(av_host_classify("2001:db8::1"), AV_HOST_PUBLIC);
	assert_int_equal(av_host_classify("cafe.example"), AV_HOST_PUBLIC);
}

static void test_names(void **state)
{
	(void)state;
	for (int k = 0; k < AV_FX_COUNT; k++) {
		const char *n = av_effect_kind_name((enum av_effect_kind)k);
		enum av_effect_kind back;
		assert_int_equal(av_effect_kind_parse(n, strlen(n), &back), 0);
		assert_int_equal(back, k);
	}
	for (int k = 0; k < AV_PATH_CLASS_COUNT; k++) {
		const char *n = av_path_class_name((enum av_path_class)k);
		enum av_path_class back;
		assert_int_equal(av_path_class_parse(n, strlen(n), &back), 0);
		assert_int_equal(back, k);
	}
	for (int k = 0; k < AV_HOST_CLASS_COUNT; k++) {
		const char *n = av_host_class_name((enum av_host_class)k);
		enum av_host_class back;
		assert_int_equal(av_host_class_parse(n, strlen(n), &back), 0);
		assert_int_equal(back, k);
	}
	assert_string_equal(av_effect_kind_name(AV_FX_PRIV), "priv.escalate");
	assert_string_equal(av_path_class_name(AV_PATH_PERSISTENCE), "persistence");
	enum av_effect_kind k;
	assert_int_equal(av_effect_kind_parse("fs.rea", 6, &k), -1);
	assert_int_equal(av_effect_kind_parse("fs.readx", 8, &k), -1);
	assert_int_equal(av_effect_kind_parse("fs.read", 7, &k), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_workspace_in_tmp),
		cmocka_unit_test(test_host_from_url),
		cmocka_unit_test(test_host_classes),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
