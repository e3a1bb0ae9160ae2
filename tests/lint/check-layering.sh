#!/bin/sh
# Fails when the layering of architecture.md §1 is broken: core/ must not
# know curses or readline, widgets/ must not include core/.
# With a second argument (the build's stamp file) it is a build step: the
# stamp is written only when the layering holds, so ninja fails otherwise.
top=${1:-.}
stamp=${2:-}
rc=0
if grep -rnE '#include *[<"](n?curses|ncursesw/|readline/)' "$top/core" 2>/dev/null; then
	echo "layering: core/ includes curses or readline" >&2
	rc=1
fi
if [ -d "$top/widgets" ] && grep -rnE '#include *"(\.\./)?(core/|[a-z]+\.h")' "$top/widgets" 2>/dev/null |
    grep -vE '"(w_|widget|list|table|form|dialog|statusbar|fkeybar|prompt|style|draw)[a-z_-]*\.h"'; then
	echo "layering: widgets/ includes core/" >&2
	rc=1
fi
if grep -rnE '(system|popen)\(' "$top/core" --include='*.c' 2>/dev/null; then
	echo "layering: core/ runs a shell (use argv with posix_spawn/execv)" >&2
	rc=1
fi
if [ $rc -eq 0 ]; then
	[ -n "$stamp" ] && : >"$stamp"
	[ -n "$stamp" ] || echo "layering ok"
fi
exit $rc
