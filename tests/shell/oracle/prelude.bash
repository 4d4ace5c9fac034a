# The oracle's bash prelude: sourced through $BASH_ENV by every bash the
# sandbox starts (the case's own shell and every sh/bash/dash it runs).
# It defines command_not_found_handle, which bash calls for a command name
# that PATH lookup did not find: the name and its expanded arguments are
# appended to the record channel (fd 201) in the same format as rec.c, and
# the "command" succeeds with status $AV_REC_STATUS (default 0). Nothing runs.
# bash calls the handler in a forked child, so `local` here touches nothing
# the case can see.

command_not_found_handle() {
  local LC_ALL=C __av_a __av_r
  __av_r=$'\001AVR '"$#"$'\n'
  for __av_a in "$@"; do
    __av_r+="${#__av_a}:${__av_a}"
  done
  builtin printf '%s\n' "$__av_r" >&201 2>/dev/null
  return "${AV_REC_STATUS:-0}"
}
