#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make deb` in a clean copy of the tree: three packages, lintian clean (make
# deb fails otherwise), every file of wgkit-tools where wireguard-tools puts its
# own and ours where wireguard-tools has none, Depends naming the package of
# every shared library the binaries need, and the Conflicts/Replaces/Provides
# that make apt remove one to install the other. The packages are unpacked
# with dpkg -x into a scratch root and run from there: they are never
# installed, so the machine's wireguard-tools stays the other tests' reference.

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
T=dbdeb$$
. "$here/../lib/netns.sh"
if ! command -v dh >/dev/null || ! command -v lintian >/dev/null; then
	[ "$(id -u)" -eq 0 ] || skip_all "no debhelper/lintian (make deps installs them)"
	"$root/tests/lib/install-deps" >/dev/null 2>&1 || skip_all "make deps failed"
fi
need dpkg-buildpackage dpkg-deb fakeroot objdump
dpkg-query -W -f='${Status}' wireguard-tools 2>/dev/null | grep -q 'install ok installed' ||
	skip_all "wireguard-tools (the reference layout) is not installed"
W=$(mktemp -d /tmp/dbdeb.XXXXXX)
at_exit rm -rf "$W"
version=$(sed -n 's/^VERSION := //p' "$root/Makefile")
ref_before=$(dpkg-query -W -f='${Version} ${Status}' wireguard-tools)

# A clean copy: what is tracked and what is being changed, never build output.
mkdir "$W/src"
tar -C "$root" -cf - --exclude=./build --exclude=./.git --exclude=./out \
	--exclude='./examples/*.keys' --exclude=./examples/out . | tar -C "$W/src" -xf -
(cd "$W/src" && find . -path ./build -prune -o -print | sort) >"$W/tree.before"
check "make deb builds and lintian passes (output in $W/deb.log)" \
	make -C "$W/src" --no-print-directory deb
cp /tmp/$T.out "$W/deb.log"
(cd "$W/src" && find . -path ./build -prune -o -print | sort) >"$W/tree.after"
is "$(diff "$W/tree.before" "$W/tree.after")" "" "the source tree is left as it was (built in build/deb/)"
is "$(grep -c '^E: \|^W: ' "$W/deb.log")" 0 "lintian: no error or warning"
# Every override says why: a comment right above each tag line.
for f in "$root"/debian/*lintian-overrides; do
	[ -e "$f" ] || continue
	is "$(awk '/^[^#]/ && prev !~ /^#/ { print FILENAME ":" NR ": " $0 } { prev = $0 }' "$f")" "" \
		"${f##*/}: every override has its reason above it"
done

D=$W/src/build/deb
deb=()
for p in wgkit-tools wg-engine wg-mesh; do
	deb+=($D/${p}_${version}_$(dpkg --print-architecture).deb)
	[ -f "${deb[-1]}" ]
	ok $? "package $p $version built"
done
contents() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {sub(/^\.\//, "", $6); print "/" $6}' | sort; }
contents "${deb[0]}" >"$W/tools.list"
contents "${deb[1]}" >"$W/engine.list"
contents "${deb[2]}" >"$W/mesh.list"

# Every file wireguard-tools ships (but its own doc directory and lintian
# override) is in wgkit-tools at the same path.
while read -r f; do
	[ -f "$f" ] || continue
	case $f in /usr/share/doc/wireguard-tools/* | /usr/share/lintian/*) continue ;; esac
	grep -qxF "$f" "$W/tools.list"
	ok $? "wgkit-tools ships $f, where wireguard-tools has it"
done < <(dpkg -L wireguard-tools)
is "$(dpkg-deb -c "${deb[0]}" | awk '$6 == "./etc/wireguard/" {print $1}')" "drwx------" \
	"/etc/wireguard is 0700, as wireguard-tools has it"

# Ours that wireguard-tools has no twin for, in the directories it uses.
for f in /usr/bin/wg-engine /usr/share/man/man8/wg-engine.8.gz \
	/usr/share/bash-completion/completions/wg-engine; do
	grep -qxF "$f" "$W/engine.list"
	ok $? "wg-engine ships $f"
done
for f in /usr/bin/wg-mesh /usr/share/man/man8/wg-mesh.8.gz /usr/share/man/man5/sites.yaml.5.gz \
	/usr/share/bash-completion/completions/wg-mesh; do
	grep -qxF "$f" "$W/mesh.list"
	ok $? "wg-mesh ships $f"
done
is "$(cat "$W"/*.list | grep -v -E '^/(usr/bin|usr/share/man/man[58]|usr/share/bash-completion/completions|lib/systemd/system|usr/share/doc/(wgkit-tools|wg-engine|wg-mesh)|usr/share/lintian/overrides)/')" \
	"" "no file outside the directories wireguard-tools and Debian policy use"
is "$(sort "$W"/*.list | uniq -d)" "" "no file in two of our packages"
is "$(grep -c '^/usr/bin/' "$W/tools.list")" 2 "wgkit-tools has exactly wg and wg-quick"

# The units are handled as wireguard-tools' are: the same maintainer scripts
# (daemon-reload, wg-quick.target started), debhelper's version aside.
mkdir "$W/ctrl"
dpkg-deb -e "${deb[0]}" "$W/ctrl"
for s in postinst prerm postrm; do
	ref=/var/lib/dpkg/info/wireguard-tools.$s
	[ -f "$ref" ] || continue
	is "$(sed 's|dh_installsystemd/[0-9.]*|dh_installsystemd|' "$W/ctrl/$s" 2>&1)" \
		"$(sed 's|dh_installsystemd/[0-9.]*|dh_installsystemd|' "$ref")" \
		"wgkit-tools' $s does what wireguard-tools' does"
done

field() { dpkg-deb -f "$1" "$2"; }
is "$(field "${deb[0]}" Conflicts)" wireguard-tools "wgkit-tools conflicts with wireguard-tools"
is "$(field "${deb[0]}" Replaces)" wireguard-tools "wgkit-tools replaces wireguard-tools"
is "$(field "${deb[0]}" Provides)" "wireguard-tools (= 1.0.20210914-1)" \
	"wgkit-tools provides wireguard-tools, at the release its output follows"

# Depends: the package of every library a binary links against.
# The package owning a library: by the path ldconfig gives, or its real path
# with and without /usr (merged-/usr systems register either).
owner_of() {
	local real=$(readlink -f "$1") f
	for f in "$1" "$real" "${real#/usr}"; do
		dpkg -S "$f" 2>/dev/null | sed 's/:.*//;q' | grep . && return
	done
}
lists=(tools engine mesh)
for i in 0 1 2; do
	p=$(field "${deb[$i]}" Package)
	dpkg-deb -x "${deb[$i]}" "$W/root"
	for bin in $(grep '^/usr/bin/' "$W/${lists[$i]}.list"); do
		for lib in $(objdump -p "$W/root$bin" | awk '$1 == "NEEDED" {print $2}'); do
			path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|x86_64/ {print $NF; exit}')
			owner=$(owner_of "$path")
			[ -n "$owner" ] && grep -qw -- "${owner%%:*}" <<<"$(field "${deb[$i]}" Depends)"
			ok $? "$p: Depends names $owner for ${bin##*/}'s $lib"
		done
	done
done

# The unpacked binaries run.
R=$W/root
is "$("$R/usr/bin/wg" --version)" "$("$OUR_WG" --version 2>/dev/null || "$R/usr/bin/wg" --version)" \
	"the unpacked wg --version"
grep -q "^wg-engine v$version" <<<"$("$R/usr/bin/wg-engine" --version)"
ok $? "the unpacked wg-engine --version says v$version"
key=$("$R/usr/bin/wg" genkey)
is "$("$R/usr/bin/wg" pubkey <<<"$key")" "$(/usr/bin/wg pubkey <<<"$key")" \
	"the unpacked wg pubkey agrees with Debian's"
cp "$R/usr/share/doc/wgkit-tools/examples/sites.yaml" "$W/sites.yaml"
check "the unpacked wg-mesh check passes the packaged example" "$R/usr/bin/wg-mesh" check "$W/sites.yaml"
printf 'sites:\n  a:\n    endpoint: [\n' >"$W/bad.yaml"
"$R/usr/bin/wg-mesh" check "$W/bad.yaml" >"$W/bad.out" 2>&1
ok $((!$?)) "the unpacked wg-mesh check fails on a broken file"
grep -q "bad.yaml:[0-9]*:[0-9]*" "$W/bad.out"
ok $? "and names file:line:col"
grep -q "^ExecStart=/usr/bin/wg-quick up %i$" "$R/lib/systemd/system/wg-quick@.service"
ok $? "wg-quick@.service runs /usr/bin/wg-quick"
check "the packaged completion for wg is valid bash" bash -n "$R/usr/share/bash-completion/completions/wg"

# apt makes the user choose (simulated: nothing is installed).
apt-get -s install "${deb[0]}" >"$W/apt.out" 2>&1
grep -q "^Remv wireguard-tools" "$W/apt.out"
ok $? "apt would remove wireguard-tools to install wgkit-tools"
is "$(dpkg-query -W -f='${Version} ${Status}' wireguard-tools)" "$ref_before" \
	"the machine's wireguard-tools is untouched"
check "its files are as Debian shipped them (dpkg --verify)" dpkg --verify wireguard-tools

done_testing
