# SPDX-License-Identifier: GPL-2.0
# Sourced by a test script inside the guest: TAP lines without numbers (the
# host numbers them), our binaries and Debian's by path, and a file barrier
# with the host through the 9p share at /host.

set -u
OUR_WG=${OUR_WG:-/wgkit/bin/wg}
OUR_QUICK=${OUR_QUICK:-/wgkit/bin/wg-quick}
OUR_ENGINE=/wgkit/bin/wg-engine
REF_WG=/usr/bin/wg
REF_QUICK=/usr/bin/wg-quick
g_fail=0
g_n=0

ok() { # ok STATUS DESCRIPTION
	g_n=$((g_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		g_fail=$((g_fail + 1))
	fi
}
note() { echo "# $*"; }
check() { # check DESCRIPTION COMMAND... : ok if the command exits 0
	local d=$1 rc
	shift
	"$@" >/tmp/.check.out 2>&1
	rc=$?
	ok $rc "$d"
	[ $rc -eq 0 ] || sed 's/^/#   /' /tmp/.check.out | head -30
	return $rc
}
is() { # is GOT WANT DESCRIPTION : on a difference, shows a unified diff (want -> got)
	if [ "$1" == "$2" ]; then
		ok 0 "$3"
		return 0
	fi
	ok 1 "$3"
	diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed '1,2d; s/^/#   /' | head -${DIFF_LINES:-40}
	return 1
}
is_file() { # is_file GOT_FILE WANT_FILE DESCRIPTION
	if cmp -s "$1" "$2"; then
		ok 0 "$3"
		return 0
	fi
	ok 1 "$3"
	diff -u "$2" "$1" | sed '1,2d; s/^/#   /' | head -${DIFF_LINES:-40}
	return 1
}
done_testing() {
	[ "$g_n" -gt 0 ] || { echo "not ok - the guest script ran no checks"; exit 1; }
	[ "$g_fail" -eq 0 ]
	exit $?
}

# The barrier: each side posts names (files in the share) the other waits for.
sync_post() { # sync_post NAME [CONTENT]
	printf '%s\n' "${2-}" >"/host/g.$1.tmp" && mv "/host/g.$1.tmp" "/host/g.$1"
}
sync_wait() { # sync_wait NAME [SECONDS] : 0 once the host posted NAME, else a failed check
	local i n=$((${2:-60} * 10))
	for ((i = 0; i < n; i++)); do
		[ -e "/host/h.$1" ] && return 0
		sleep 0.1
	done
	ok 1 "the host reached step '$1' within ${2:-60} s"
	return 1
}
sync_read() { cat "/host/h.$1" 2>/dev/null; }
