# Turns the file IN into a C source OUT defining a NUL-terminated byte array
# and its length, so data ships inside the binary. Without SYM the names are
# av_default_policy_yaml[] and av_default_policy_len (the default policy);
# with -DSYM=name they are name[] and name_len (the review web page).
if(DEFINED SYM)
  set(data_sym ${SYM})
  set(len_sym ${SYM}_len)
else()
  set(data_sym av_default_policy_yaml)
  set(len_sym av_default_policy_len)
endif()
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* Generated from ${IN} by scripts/embed.cmake; do not edit. */\n#include <stddef.h>\nextern const char ${data_sym}[];\nextern const size_t ${len_sym};\nconst char ${data_sym}[] = {\n${bytes}0x00};\nconst size_t ${len_sym} = ${len};\n")
