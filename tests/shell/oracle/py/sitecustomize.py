# Loaded by python3 only in the oracle's --interpreters mode (PYTHONPATH).
# subprocess closes every inherited descriptor by default (close_fds=True),
# which would hide the commands it starts from the record channel (fd 201):
# keep that one descriptor open in children. Test tooling; runs only inside
# the bubblewrap sandbox.
import os
import subprocess

_REC_FD = 201
_init = subprocess.Popen.__init__


def _popen_init(self, *args, **kwargs):
    try:
        os.fstat(_REC_FD)
        kwargs["pass_fds"] = tuple(kwargs.get("pass_fds", ())) + (_REC_FD,)
    except OSError:
        pass
    _init(self, *args, **kwargs)


subprocess.Popen.__init__ = _popen_init
