#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The engine's threads under real traffic and ThreadSanitizer, for `make
# check-long`: the netns tests that drive wg-engine hardest (engine-ours,
# engine-interop, engine-sticky) run again with WG_BUILD=WG_TSAN_BUILD (make
# check-long builds build/tsan/ with -fsanitize=thread). One TAP line per
# script (it passed), and one for the engines' ThreadSanitizer reports, which
# go to files because a daemonized engine has no standard error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${WG_TSAN_BUILD:-}" ] || {
	echo "1..0 # SKIP run it through make check-long (WG_TSAN_BUILD: a TSan build)"
	exit 0
}
[ -x "$WG_TSAN_BUILD/wg-engine" ] || {
	echo "1..0 # SKIP no $WG_TSAN_BUILD/wg-engine"
	exit 0
}
logs=$(mktemp -d /tmp/estsan.XXXXXX)
trap 'rm -rf "$logs"' EXIT
scripts=(engine-ours engine-interop engine-sticky)
echo "1..$((${#scripts[@]} + 1))"
n=0
for s in "${scripts[@]}"; do
	n=$((n + 1))
	if TSAN_OPTIONS="log_path=$logs/tsan second_deadlock_stack=1" WG_BUILD=$WG_TSAN_BUILD \
		bash "$here/../netns/$s.t" >"$logs/$s.out" 2>&1; then
		echo "ok $n - $s.t passes with the TSan engine ($(grep -c '^ok' "$logs/$s.out") checks)"
	else
		echo "not ok $n - $s.t passes with the TSan engine"
		grep -v '^ok' "$logs/$s.out" | sed 's/^/#   /' | head -30
	fi
done
n=$((n + 1))
if ls "$logs"/tsan.* >/dev/null 2>&1; then
	echo "not ok $n - no ThreadSanitizer report from the engines"
	cat "$logs"/tsan.* | sed 's/^/#   /' | head -80
else
	echo "ok $n - no ThreadSanitizer report from the engines"
fi
