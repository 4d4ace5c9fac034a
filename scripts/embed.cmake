# Turns the file IN into a C source OUT defining av_default_policy_yaml[] and
# av_default_policy_len, so the default policy ships inside the binary.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* Generated from ${IN} by scripts/embed.cmake; do not edit. */\n#include <stddef.h>\nextern const char av_default_policy_yaml[];\nextern const size_t av_default_policy_len;\nconst char av_default_policy_yaml[] = {\n${bytes}0x00};\nconst size_t av_default_policy_len = ${len};\n")
