#!/bin/sh
# One man page from a command's --help: help2man, with the page's one-line description taken
# from the help's first line, then gzip -9n (reproducible, as Debian wants it).
#   packaging/man_page.sh HELP2MAN COMMAND VERSION OUTPUT.1
set -eu
help2man=$1 command=$2 version=$3 output=$4
name=$("$command" --help | head -n 1)
name=${name#mratls - }
"$help2man" --no-info --no-discard-stderr --section=1 --version-string="$version" --source=mratls \
  --name="$name" --output="$output" "$command"
gzip -9nf "$output"
