#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-mesh plan of 1,000 sites (499,500 site pairs, each with its own
# pre-shared key): the first plan (all keys new, every config written) and a
# second one (nothing changed, every config compared) must each take under
# 2 seconds of wall-clock time. Then the same 1,000 sites as a hub mesh (two
# hubs; 998 spokes that reach each other through the first), and as a full
# mesh with access rules (ten groups of 100 sites, each allowed to reach the
# next, and everyone allowed to ping the first), each planned the same two
# ways under the same limit. The YAML is generated here; the plan goes to
# /dev/shm when it exists (MESH_BENCH_DIR to choose), so the figure is the
# planner's and the page cache's, not the disk's. CPU time is printed too:
# on a loaded machine the wall clock says more about the neighbours.
set -eu
WG_BUILD=${WG_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
MESH=$WG_BUILD/wg-mesh
N=${MESH_BENCH_SITES:-1000}
LIMIT_MS=${MESH_BENCH_LIMIT_MS:-2000}
base=${MESH_BENCH_DIR:-/tmp}
[ -z "${MESH_BENCH_DIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
dir=$(mktemp -d "$base/msh-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

rules() { # ten groups of 100 sites, a ring of rules, and icmp from all to g0
	local g i
	echo "groups:"
	for ((g = 0; g < 10; g++)); do
		printf '  g%d: [' "$g"
		for ((i = g; i < N; i += 10)); do printf '%ss%d' "$([ "$i" -ge 10 ] && echo ', ')" "$i"; done
		echo "]"
	done
	echo "allow:"
	for ((g = 0; g < 10; g++)); do echo "  - {from: g$g, to: g$(((g + 1) % 10))}"; done
	echo "  - {from: all, to: g0, proto: icmp}"
}

gen() { # gen [hub|rules]
	echo "mesh:"
	echo "  tunnel: [10.0.0.0/16, fd00:77::/64]"
	echo "  keepalive: 25"
	if [ "${1:-}" = hub ]; then
		echo "  topology: hub"
		echo "  hubs: [s1, s2]"
	fi
	[ "${1:-}" = rules ] && rules
	echo "sites:"
	for ((i = 0; i < N; i++)); do
		# Every fifth site is behind NAT; the others have a public IPv4 and IPv6 address.
		echo "  s$i:"
		if ((i % 5)); then
			echo "    endpoint: [198.18.$((i / 250)).$((i % 250 + 1)), 2001:db8:f:$i::1]"
		fi
		echo "    networks: [172.$((16 + i / 256)).$((i % 256)).0/24, 2001:db8:$i::/64]"
	done
}
gen >"$dir/sites.yaml"
gen hub >"$dir/hub.yaml"
gen rules >"$dir/rules.yaml"

run() { # run LABEL [YAML] : times one plan, prints it, fails over the limit
	local t0 t1 ms cpu TIMEFORMAT='%U user + %S sys'
	t0=$(date +%s%N)
	cpu=$({ time "$MESH" plan "$dir/${2:-sites}.yaml" -o "$dir/${2:-sites}.out" >"$dir/summary"; } 2>&1) || return 1
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	printf '%-26s %6d ms wall (CPU %s s)  %s\n' "$1" "$ms" "$cpu" \
		"$(sed -n 's/^changes: *//p' "$dir/summary")"
	[ "$ms" -lt "$LIMIT_MS" ] || { echo "over the ${LIMIT_MS} ms limit (load: $(cut -d' ' -f1-3 /proc/loadavg))"; return 1; }
}

echo "wg-mesh plan, $N sites ($((N * (N - 1) / 2)) site pairs, each with a PSK), $(du -sh "$dir/sites.yaml" | cut -f1) of YAML, into $base"
run "first plan (new keys)"
echo "output: $(du -sh "$dir/sites.out" | cut -f1) in $(find "$dir/sites.out" -name '*.conf' | wc -l) configs"
run "second plan (no change)"
echo "the same sites as a hub mesh (2 hubs, 998 spokes)"
run "first hub plan (new keys)" hub
echo "output: $(du -sh "$dir/hub.out" | cut -f1) in $(find "$dir/hub.out" -name '*.conf' | wc -l) configs"
run "second hub plan (no change)" hub
echo "the same sites with access rules (10 groups, 11 rules)"
run "first plan with rules" rules
echo "output: $(du -sh "$dir/rules.out" | cut -f1) in $(find "$dir/rules.out" -name '*.conf' | wc -l) configs"
run "second plan with rules" rules
