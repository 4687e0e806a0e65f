#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Long operations count on a terminal and say nothing extra in scripts:
# wg-mesh plan of more than 100 sites and clients draws "writing configs:
# N/TOTAL" on stderr when stderr is a terminal (run under script(1), a pty),
# erases it before the summary, and writes nothing to stderr otherwise; a
# small mesh never shows it. tests/bench/run (make bench) shows "[K/N] NAME:
# Ts" the same way, run here with its quickest benchmark; wg-mesh apply
# prints "[K/N] SITE: OUTCOME" as each site finishes when stdout is a terminal.
T=dbpr$$
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../lib/netns.sh"
need "$OUR_MESH" script
W=$(mktemp -d /tmp/dbpr.XXXXXX)
at_exit "rm -rf '$W'"

sites_yaml() { # sites_yaml N : N public sites
	local i
	printf 'mesh:\n  tunnel: [10.0.0.0/16, fd00:77::/64]\nsites:\n'
	for ((i = 1; i <= $1; i++)); do
		printf '  s%d:\n    endpoint: 198.18.%d.%d\n' "$i" $((i / 250)) $((i % 250 + 1))
	done
}
on_tty() { # on_tty FILE COMMAND : runs COMMAND (a shell string) on a pty, its output to FILE
	script -q -e -c "$2" /dev/null </dev/null >"$1" 2>&1
}
sites_yaml 150 >"$W/big.yaml"
sites_yaml 40 >"$W/small.yaml"

check "plan of 150 sites on a terminal" on_tty "$W/tty.out" "$OUR_MESH plan $W/big.yaml -o $W/out1"
grep -q 'writing configs: 150/150 (100%)' "$W/tty.out"
ok $? "it counts the configs up to 150/150"
is "$(grep -o 'writing configs: [0-9]*/150' "$W/tty.out" | sort -u | wc -l)" 101 \
	"one redraw per percent (0..100), not one per config"
grep -q $'\r\e\[Ksites: *150' <(tr -d '\n' <"$W/tty.out")
ok $? "the line is erased before the summary"

"$OUR_MESH" plan "$W/big.yaml" -o "$W/out2" >"$W/plain.out" 2>"$W/plain.err"
ok $? "plan of 150 sites in a script"
is "$(cat "$W/plain.err")" "" "nothing on stderr"
is "$(grep -c $'\r' "$W/plain.out")" 0 "no carriage return on stdout"
grep -q '^sites: *150$' "$W/plain.out"
ok $? "the summary as ever"

check "stdout on a terminal, stderr to a file" on_tty "$W/half.out" \
	"$OUR_MESH plan $W/big.yaml -o $W/out3 2>$W/half.err"
is "$(cat "$W/half.err")" "" "no progress when only stdout is a terminal"
check "plan of 40 sites on a terminal" on_tty "$W/small.out" "$OUR_MESH plan $W/small.yaml -o $W/out4"
is "$(grep -c 'writing configs' "$W/small.out")" 0 "a small mesh shows no progress"

# make bench's runner, with one quick benchmark.
export BENCH=mesh-plan MESH_BENCH_SITES=120 MESH_BENCH_DIR=$W
check "tests/bench/run on a terminal" on_tty "$W/bench.tty" "$root/tests/bench/run"
grep -q '\[1/1\] mesh-plan.sh: [0-9]*s' "$W/bench.tty"
ok $? "it shows which benchmark runs and for how long"
grep -q 'second plan (no change)' "$W/bench.tty"
ok $? "and the benchmark's own output"
"$root/tests/bench/run" >"$W/bench.out" 2>"$W/bench.err"
ok $? "tests/bench/run in a script"
is "$(cat "$W/bench.err")" "" "nothing on stderr"
is "$(grep -c $'\r\|\[1/1\]' "$W/bench.out")" 0 "no status line on stdout"
grep -q 'second plan (no change)' "$W/bench.out"
ok $? "the benchmark's output as ever"

# wg-mesh apply: a line per site as each finishes on a terminal, none in a
# script. Every site is unreachable here (a stand-in ssh that fails as ssh does
# when it cannot connect), which is enough to see the count; nothing is contacted.
cp "$root/examples/sites.yaml" "$W/apply.yaml"
printf '#!/bin/sh\necho "ssh: connect to host $1 port 22: Connection refused" >&2\nexit 255\n' \
	>"$W/fake-ssh"
chmod 0755 "$W/fake-ssh"
export WG_MESH_SSH=$W/fake-ssh
on_tty "$W/apply.tty" "$OUR_MESH apply $W/apply.yaml -o $W/out5 -j 1"
ok $((! $?)) "apply with every site unreachable fails on a terminal"
is "$(grep -o '^\[[0-9]/4\] [a-z]*: FAILED' "$W/apply.tty" | sed 's/ .*//' | tr -d '\r' | sort | tr '\n' ' ')" \
	"[1/4] [2/4] [3/4] [4/4] " "it counts the four sites with ssh: as each finishes"
"$OUR_MESH" apply "$W/apply.yaml" -o "$W/out6" -j 1 >"$W/apply.out" 2>"$W/apply.err"
ok $((! $?)) "the same apply in a script fails too"
is "$(grep -c '^\[[0-9]/4\]' "$W/apply.out")" 0 "with no count lines"
grep -q 'FAILED' "$W/apply.out" "$W/apply.err"
ok $? "the summary still names the failures"
unset WG_MESH_SSH
done_testing
