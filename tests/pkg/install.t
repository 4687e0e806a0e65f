#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make install` then `make uninstall` into a DESTDIR, with PREFIX=/usr and the
# default /usr/local: the examples land under the doc directory (scripts stay
# executable), sites.yaml(5) in man5, the units in the unit directory; and
# uninstall leaves not one file behind, units and examples included.

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
T=dbin$$
. "$here/../lib/netns.sh"
need make find
[ -x "$OUR_WG" ] || skip_all "build first (make)"
W=$(mktemp -d /tmp/dbinst.XXXXXX)
at_exit rm -rf "$W"

for prefix in /usr /usr/local; do
	d=$W/dest${prefix//\//-}
	args=(DESTDIR="$d" B="$WG_BUILD")
	[ "$prefix" == /usr ] && args+=(PREFIX=/usr)
	check "$prefix: make install" make -s -C "$root" --no-print-directory install "${args[@]}"
	for f in $(cd "$root" && find examples -type f ! -name '*.keys' ! -path '*/out/*'); do
		want=644
		[ -x "$root/$f" ] && want=755
		is "$(stat -c %a "$d$prefix/share/doc/wgkit/$f" 2>&1)" $want \
			"$prefix: $f under share/doc/wgkit, mode $want"
	done
	for m in "$root"/man/*.5; do
		[ -e "$m" ] || continue
		is "$(stat -c %a "$d$prefix/share/man/man5/${m##*/}" 2>&1)" 644 \
			"$prefix: ${m##*/} in man5"
	done
	for u in "$root"/systemd/*; do
		f=$d$prefix/lib/systemd/system/${u##*/}
		grep -q "@BINDIR@" "$f" 2>/dev/null
		ok $((!$?)) "$prefix: ${u##*/} installed with its paths filled in"
	done
	check "$prefix: make uninstall" make -s -C "$root" --no-print-directory uninstall "${args[@]}"
	is "$(find "$d" ! -type d)" "" "$prefix: nothing but directories left after uninstall"
	is "$(find "$d" -path '*/doc/wgkit*')" "" "$prefix: the doc directory is gone"
done

# A DOCDIR of the packager's choosing is honoured both ways.
d=$W/dest-docdir
check "DOCDIR=/usr/share/doc/wgkit-tools: install" make -s -C "$root" --no-print-directory \
	install DESTDIR="$d" B="$WG_BUILD" PREFIX=/usr DOCDIR=/usr/share/doc/wgkit-tools
[ -f "$d/usr/share/doc/wgkit-tools/examples/sites.yaml" ]
ok $? "DOCDIR: examples/sites.yaml under /usr/share/doc/wgkit-tools"
make -s -C "$root" --no-print-directory uninstall DESTDIR="$d" PREFIX=/usr \
	DOCDIR=/usr/share/doc/wgkit-tools
is "$(find "$d" ! -type d)" "" "DOCDIR: nothing left after uninstall"

done_testing
