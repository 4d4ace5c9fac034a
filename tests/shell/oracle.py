#!/usr/bin/env python3
"""The bash oracle: runs shell text in real bash inside a bubblewrap sandbox
where external commands are recorded instead of executed, and reports the
ordered list of commands bash executed with their final argv.

Usage: oracle.py [--timeout S] [--show-output] FILE   (FILE '-' = stdin)
Prints {"commands":[{"argv":[...]}...], "status":N, "timed_out":bool, ...}.

The sandbox (docs/ORACLE.md has the full reasoning):
  - bwrap --unshare-all (user, pid, net, ipc, uts, cgroup namespaces: no
    network), --die-with-parent, --new-session, --clearenv;
  - / read-only; /tmp and a throwaway HOME (/home/u) are small tmpfs;
    /root, /home, /work, /run, /opt, /mnt, /media, /srv, /var are hidden;
  - a minimal /dev and a fresh /proc;
  - /usr/bin and /usr/sbin are replaced by a tree of symlinks: every name in
    oracle/path-names.txt points to the recorder (rec.c), except the pure
    utilities (PURE), which point to the real binaries; /usr/local/{bin,sbin}
    and /usr/lib/bash (loadable builtins) are empty;
  - names PATH does not find go to bash's command_not_found_handle, which
    records them too (oracle/prelude.bash, loaded through $BASH_ENV);
  - rlimits (processes, CPU, address space, file size, core) and a wall
    clock timeout; output and records are read through bounded pipes.
  - when started as root, the sandbox runs under a throwaway uid so the
    process limit applies (root ignores RLIMIT_NPROC).
  - with --interpreters (Oracle(interpreters=True)), python3, perl and node
    are recorded and then run for real like the WRAPPERS, under the same
    confinement, so the commands their code starts are recorded too.
There is no fallback: if bwrap cannot build the sandbox, SandboxError.
"""
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, "oracle")
ORACLE = "/srv/oracle"  # where the oracle's own files appear inside
REC_FD = 201
HOME = "/home/u"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Pure utilities: run for real (they only compute from their input; writes
# can only reach the sandbox's tmpfs). Everything else is a recorder.
PURE = [
    "echo", "printf", "base64", "base32", "basenc", "xxd", "rev", "tr", "cut",
    "head", "tail", "sed", "awk", "cat", "sort", "uniq", "wc", "grep", "od",
    "fold", "tac", "paste", "seq", "expr", "basename", "dirname", "true",
    "false", "test", "[",
]
# Real binaries whose job is to run another command: rec.c records them, then
# execs the real one from ORACLE/real, which finds the inner command through
# PATH (a recorder or a pure utility).
WRAPPERS = ["env", "nohup", "timeout", "nice", "xargs", "find", "setsid",
            "stdbuf", "ionice", "chroot", "flock", "watch"]
# Language interpreters an --interpreters oracle runs for real (recorded
# first, like WRAPPERS), so the commands their system()/exec calls start are
# recorded too. Off by default: the normal oracle records the interpreter
# and runs nothing inside it (docs/ORACLE.md, "Nested interpreters").
INTERPRETERS = ["python3", "perl", "node"]
# Top-level directories hidden behind an empty tmpfs.
HIDE = ["/root", "/home", "/work", "/run", "/opt", "/mnt", "/media", "/var",
        "/farm", "/old_root", "/boot", "/lost+found"]

MAX_TEXT = 100 * 1024
MAX_OUT = 64 * 1024
MAX_RECORDS = 16 * 1024 * 1024
MAX_COMMANDS = 5000


_SPAWN_LOCK = threading.Lock()


class SandboxError(Exception):
    pass


def _which(name):
    for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin"):
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return os.path.realpath(p)
    return None


def decode_arg(b):
    """Bytes to text the way the analyzer prints them: UTF-8, and each byte
    that is not part of valid UTF-8 as the four characters \\xHH."""
    out = []
    i = 0
    while i < len(b):
        for n in (4, 3, 2, 1):
            chunk = b[i:i + n]
            if len(chunk) < n:
                continue
            try:
                s = chunk.decode("utf-8")
            except UnicodeDecodeError:
                continue
            out.append(s)
            i += n
            break
        else:
            out.append("\\x%02x" % b[i])
            i += 1
    return "".join(out)


def parse_records(data):
    """Parses the record channel. Returns (list of argv, error or None)."""
    cmds = []
    pos = 0
    marker = b"\x01AVR "
    while pos < len(data):
        if len(cmds) >= MAX_COMMANDS:
            return cmds, "more than %d commands" % MAX_COMMANDS
        if not data.startswith(marker, pos):
            return cmds, "corrupt record at byte %d" % pos
        nl = data.find(b"\n", pos)
        if nl < 0:
            return cmds, "truncated record header"
        try:
            argc = int(data[pos + len(marker):nl])
        except ValueError:
            return cmds, "bad argc at byte %d" % pos
        p = nl + 1
        argv = []
        for _ in range(argc):
            colon = data.find(b":", p, p + 24)
            if colon < 0:
                return cmds, "bad length at byte %d" % p
            try:
                n = int(data[p:colon])
            except ValueError:
                return cmds, "bad length at byte %d" % p
            argv.append(decode_arg(data[colon + 1:colon + 1 + n]))
            p = colon + 1 + n
            if p > len(data):
                return cmds, "truncated argument"
        if data[p:p + 1] != b"\n":
            return cmds, "record not terminated at byte %d" % p
        cmds.append(argv)
        pos = p + 1
    return cmds, None


class Oracle:
    """One sandbox template (stub trees, recorder binary) reused per run."""

    def __init__(self, bwrap="bwrap", interpreters=False):
        self.interpreters = interpreters
        self.bwrap = shutil.which(bwrap)
        if not self.bwrap:
            raise SandboxError("bwrap not found: install Debian's bubblewrap "
                               "(scripts/install-deps.sh); the oracle never "
                               "runs bash unsandboxed")
        self.bash = _which("bash")
        self.tmp = tempfile.mkdtemp(prefix="av-oracle-")
        os.chmod(self.tmp, 0o755)
        self._build_recorder()
        self._build_trees()
        self.uid = None
        if os.getuid() == 0:
            # A uid of its own per oracle: RLIMIT_NPROC then counts only
            # this sandbox's processes.
            self.uid = 200000 + os.getpid() % 100000
        self.probe()

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _build_recorder(self):
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if not cc:
            raise SandboxError("no C compiler to build the recorder")
        out = os.path.join(self.tmp, "rec")
        r = subprocess.run([cc, "-O2", "-o", out, os.path.join(LIB, "rec.c")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SandboxError("building rec.c failed:\n" + r.stderr)
        os.chmod(out, 0o755)
        self.rec = out

    def _build_trees(self):
        self.pure = {}
        for n in PURE:
            p = _which(n)
            if p:
                self.pure[n] = p
        self.real = {}
        for n in WRAPPERS + (INTERPRETERS if self.interpreters else []):
            p = _which(n)
            if p:
                self.real[n] = p
        self.trees = {}
        with open(os.path.join(LIB, "path-names.txt")) as f:
            entries = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        for e in entries:
            d, name = e.rsplit("/", 1)
            root = os.path.join(self.tmp, "tree", d)
            if d not in self.trees:
                os.makedirs(root, exist_ok=True)
                self.trees[d] = root
            target = (ORACLE + "/path/" + name) if name in self.pure else (ORACLE + "/bin/rec")
            os.symlink(target, os.path.join(root, name))
        for n in self.pure:
            p = os.path.join(self.trees["usr/bin"], n)
            if not os.path.lexists(p):
                os.symlink(ORACLE + "/path/" + n, p)
        for n in self.real:
            p = os.path.join(self.trees["usr/bin"], n)
            if not os.path.lexists(p):
                os.symlink(ORACLE + "/bin/rec", p)
        for dirpath, dirnames, _ in os.walk(os.path.join(self.tmp, "tree")):
            os.chmod(dirpath, 0o755)

    def argv(self):
        a = [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
             "--ro-bind", "/", "/",
             "--dev", "/dev", "--proc", "/proc",
             "--size", str(64 << 20), "--tmpfs", "/tmp"]
        for d in HIDE:
            if os.path.isdir(d) and not os.path.islink(d):
                a += ["--size", str(16 << 20), "--tmpfs", d]
        a += ["--dir", HOME]
        for d, root in sorted(self.trees.items()):
            a += ["--ro-bind", root, "/" + d]
        for d in ("/bin", "/sbin"):
            # Merged /usr (Debian 12): /bin is a symlink into the stub tree.
            if os.path.isdir(d) and not os.path.islink(d):
                a += ["--ro-bind", self.trees["usr/" + d[1:]], d]
        for d in ("/usr/local/bin", "/usr/local/sbin", "/usr/lib/bash",
                  "/usr/libexec", "/usr/games", "/usr/local/games"):
            if os.path.isdir(d) and not os.path.islink(d):
                a += ["--tmpfs", d]
        if os.path.isdir("/usr/libexec/coreutils"):
            # stdbuf needs its preload library back.
            a += ["--ro-bind", "/usr/libexec/coreutils", "/usr/libexec/coreutils"]
        a += ["--tmpfs", "/srv",
              "--ro-bind", self.bash, ORACLE + "/bin/bash",
              "--ro-bind", self.rec, ORACLE + "/bin/rec",
              "--ro-bind", LIB, ORACLE + "/lib"]
        for n, p in sorted(self.pure.items()):
            a += ["--ro-bind", p, ORACLE + "/path/" + n]
        for n, p in sorted(self.real.items()):
            a += ["--ro-bind", p, ORACLE + "/real/" + n]
        a += ["--remount-ro", "/srv", "--chdir", HOME, "--clearenv"]
        env = {"PATH": PATH, "HOME": HOME, "USER": "u", "LOGNAME": "u",
               "SHELL": "/bin/bash", "LANG": "C.UTF-8", "TERM": "dumb",
               "PWD": HOME, "BASH_ENV": ORACLE + "/lib/prelude.bash"}
        if self.interpreters:
            # sitecustomize keeps fd 201 open in subprocess children.
            env["PYTHONPATH"] = ORACLE + "/lib/py"
        for k, v in env.items():
            a += ["--setenv", k, v]
        return a

    def _limits(self):
        def fn():
            resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
            resource.setrlimit(resource.RLIMIT_NPROC, (self.nproc, self.nproc))
        return fn

    def _nproc_limit(self):
        if self.uid is not None:
            return 256
        # A normal user: the limit counts all of the user's processes.
        uid = os.getuid()
        n = 0
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if os.stat("/proc/" + pid).st_uid == uid:
                        n += 1
                except OSError:
                    pass
        return n + 256

    def run(self, text, timeout=5.0):
        """Runs TEXT (str or bytes) as `bash -c TEXT` in the sandbox."""
        if isinstance(text, bytes):
            text = text.decode("utf-8", "surrogateescape")
        if len(text.encode("utf-8", "surrogateescape")) > MAX_TEXT:
            raise ValueError("case text over %d bytes" % MAX_TEXT)
        if "\0" in text:
            raise ValueError("case text holds a NUL byte")
        self.nproc = self._nproc_limit()
        # bwrap cannot set argv[0]: a first bash execs the case's bash as
        # "bash", so $0 is what `bash -c TEXT` gives.
        cmd = self.argv() + [ORACLE + "/bin/bash", "-c",
                             'exec -a bash %s/bin/bash -c "$1"' % ORACLE, "oracle", text]
        rfd, wfd = os.pipe()
        extra = {}
        if self.uid is not None:
            extra = {"user": self.uid, "group": self.uid, "extra_groups": []}
        t0 = time.monotonic()
        # The record channel must be fd REC_FD in the child: dup it there in
        # the parent under a lock (threads may run cases in parallel).
        with _SPAWN_LOCK:
            os.dup2(wfd, REC_FD, inheritable=True)
            try:
                p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=self._limits(),
                                     start_new_session=True, close_fds=True,
                                     pass_fds=(REC_FD,), **extra)
            finally:
                os.close(REC_FD)
                os.close(wfd)
        bufs = {}

        def reader(name, f, cap):
            chunks, size, dropped = [], 0, False
            while True:
                b = f.read(65536) if hasattr(f, "read") else os.read(f, 65536)
                if not b:
                    break
                keep = min(len(b), cap - size)
                if keep > 0:
                    chunks.append(b[:keep])
                    size += keep
                if keep < len(b):
                    dropped = True
            bufs[name] = (b"".join(chunks), dropped)
        threads = [threading.Thread(target=reader, args=("out", p.stdout, MAX_OUT)),
                   threading.Thread(target=reader, args=("err", p.stderr, MAX_OUT)),
                   threading.Thread(target=reader, args=("rec", rfd, MAX_RECORDS))]
        for t in threads:
            t.daemon = True
            t.start()
        timed_out = False
        try:
            status = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            status = p.wait()
        for t in threads:
            t.join(timeout=5)
        os.close(rfd)
        rec, rec_dropped = bufs.get("rec", (b"", True))
        cmds, err = parse_records(rec)
        out, out_dropped = bufs.get("out", (b"", True))
        errb, err_dropped = bufs.get("err", (b"", True))
        res = {"commands": [{"argv": a} for a in cmds],
               "status": status if status >= 0 else 128 - status,
               "timed_out": timed_out,
               "stdout": out.decode("utf-8", "replace"),
               "stderr": errb.decode("utf-8", "replace"),
               "output_truncated": out_dropped or err_dropped,
               "records_truncated": rec_dropped or err is not None,
               "seconds": round(time.monotonic() - t0, 3)}
        if err:
            res["records_error"] = err
        return res

    def probe(self):
        """Checks that bwrap can build the sandbox at all."""
        try:
            r = self.run("builtin echo av-probe-ok", timeout=20)
        except OSError as e:
            raise SandboxError("cannot start bwrap: %s" % e)
        if r["stdout"].strip() != "av-probe-ok":
            raise SandboxError(
                "bwrap could not create the sandbox (namespaces unavailable "
                "here?). The oracle refuses to run bash unsandboxed.\n"
                "bwrap said: " + r["stderr"].strip())


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--interpreters", action="store_true",
                    help="run python3/perl/node for real (recorded first)")
    ap.add_argument("--show-output", action="store_true",
                    help="include the case's stdout/stderr in the JSON")
    args = ap.parse_args()
    data = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    try:
        o = Oracle(interpreters=args.interpreters)
    except SandboxError as e:
        print("bash-oracle: " + str(e), file=sys.stderr)
        return 2
    try:
        r = o.run(data, timeout=args.timeout)
    finally:
        o.close()
    if not args.show_output:
        for k in ("stdout", "stderr"):
            r.pop(k, None)
    print(json.dumps(r, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
