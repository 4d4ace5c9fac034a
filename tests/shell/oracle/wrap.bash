# wrap.bash NAME ARGS...: a model of the privilege wrappers sudo, doas and su,
# which are not installed in the oracle's sandbox. rec.c has already recorded
# the wrapper's own argv; this parses the wrapper's options the way the real
# tool does and runs the inner command, which is recorded in turn (through
# PATH, which only holds recorders and pure utilities). Run with `bash -p`,
# so $BASH_ENV is not read; the prelude is sourced explicitly.
source /srv/oracle/lib/prelude.bash

shell=/srv/oracle/bin/bash
export BASH_ENV=/srv/oracle/lib/prelude.bash

# Run argv as execvp(3) would: a name with a slash, or one PATH finds, is
# exec'ed (a recorder or a pure utility); any other name is recorded by the
# handler, as bash would do for it.
run() {
  if [[ $1 == */* ]] || type -P -- "$1" >/dev/null; then
    exec -- "$@"
  fi
  command_not_found_handle "$@"
  exit $?
}

# A shell running a command string: "$SHELL -c 'ARGS'" as sudo -s does.
run_shell() {
  if (($#)); then
    exec -a bash "$shell" -c "$*"
  fi
  exec -a bash "$shell"
}

name=$1
shift
case $name in
sudo | doas)
  # Options that take an argument, as one letter each.
  if [[ $name == sudo ]]; then witharg=ugCDhprtUTR; else witharg=uC; fi
  use_shell=0
  while (($#)); do
    case $1 in
    --) shift; break ;;
    --shell) use_shell=1; shift ;;
    --login) use_shell=1; shift ;;
    --user | --group | --close-from | --chdir | --host | --prompt | --role | --type | --other-user | --command-timeout | --chroot)
      shift 2 ;;
    --*) shift ;;
    -?*)
      cluster=${1#-}
      shift
      while [[ -n $cluster ]]; do
        c=${cluster:0:1}
        cluster=${cluster:1}
        if [[ $witharg == *"$c"* ]]; then
          if [[ -z $cluster ]]; then shift; fi
          cluster=
        elif [[ $c == s || $c == i ]]; then
          use_shell=1
        fi
      done
      ;;
    *) break ;;
    esac
  done
  # sudo VAR=value command: assignments before the command go to its env.
  if [[ $name == sudo ]]; then
    while (($#)) && [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
      export "$1"
      shift
    done
  fi
  if ((use_shell)); then run_shell "$@"; fi
  (($#)) || exit 0
  run "$@"
  ;;
su)
  cmd= have_cmd=0 user_seen=0
  while (($#)); do
    case $1 in
    -c | --command) cmd=$2; have_cmd=1; shift 2 ;;
    --command=*) cmd=${1#*=}; have_cmd=1; shift ;;
    -s | --shell | -g | --group | -G | --supp-group | -w | --whitelist-environment) shift 2 ;;
    -) shift ;;
    --) shift; break ;;
    -*) shift ;;
    *)
      if ((user_seen)); then break; fi
      user_seen=1
      shift
      ;;
    esac
  done
  if ((have_cmd)); then
    exec -a bash "$shell" -c "$cmd" "$@"
  fi
  exec -a bash "$shell" "$@"
  ;;
esac
exit 0
