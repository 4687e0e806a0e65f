# SPDX-License-Identifier: GPL-2.0
# Sourced by the engine benchmarks: the engines to compare (ours, then each
# wireguard-go reference that tests/bench/refs fetched, each named with its
# Debian package version) and the results every bench records for the table.
# IMPLS="ours sid system" chooses rows ("go" means Debian 12's, "system").
# BASE_ENGINE=PATH adds a row "base": another build of wg-engine (say, main's)
# measured in the same run, for before/after figures.
# result BENCH METRIC IMPL VALUE UNIT appends a row to $BENCH_CSV when set.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
declare -A IMPL_BIN IMPL_VER IMPL_LABEL
IMPL_LIST=()

# The commit ours was built from: fixed by tests/bench/run for a whole run
# (BENCH_OURS_VERSION), so that a commit made meanwhile does not relabel it.
ours_version() {
	local v=${BENCH_OURS_VERSION:-}
	[ -n "$v" ] || v=$(git -C "$BENCH_DIR" describe --always --dirty 2>/dev/null)
	echo "${v:-unknown}"
}

# impl_wanted NAME : in $IMPLS (or IMPLS unset)
impl_wanted() {
	local w
	[ -z "${IMPLS:-}" ] && return 0
	for w in ${IMPLS//go/system}; do
		[ "$w" == "$1" ] && return 0
	done
	return 1
}

# BASE_ENGINE as a path whose last part is wg-engine: the CPU and memory figures
# find the engines by process name, which a binary called otherwise would not have.
base_engine_bin() {
	local dir=$WG_BUILD/ref/base
	[ "$(basename "$BASE_ENGINE")" == wg-engine ] && { echo "$BASE_ENGINE"; return; }
	mkdir -p "$dir" && ln -sf "$(realpath "$BASE_ENGINE")" "$dir/wg-engine" && echo "$dir/wg-engine"
}

# Fills IMPL_LIST (ours first) from build/ref/refs.list, fetching it first if
# it is missing; prints a line for every reference row that is skipped.
impls_load() {
	local name ver bin list=$WG_BUILD/ref/refs.list
	[ -s "$list" ] || WG_BUILD=$WG_BUILD "$BENCH_DIR/refs" >&2
	if impl_wanted ours; then
		IMPL_LIST+=(ours)
		IMPL_BIN[ours]=$OUR_ENGINE IMPL_VER[ours]=$(ours_version) IMPL_LABEL[ours]=wg-engine
	fi
	if [ -n "${BASE_ENGINE:-}" ] && impl_wanted base; then
		IMPL_LIST+=(base)
		IMPL_BIN[base]=$(base_engine_bin) IMPL_VER[base]=base
		IMPL_LABEL[base]="wg-engine (base: $BASE_ENGINE)"
	fi
	[ -r "$list" ] || return 0
	while IFS=$'\t' read -r name ver bin; do
		impl_wanted "$name" || continue
		if [ "$ver" == - ]; then
			echo "skip row wireguard-go $name: ${bin#skip: }"
			continue
		fi
		IMPL_LIST+=("$name")
		IMPL_BIN[$name]=$bin IMPL_VER[$name]=$ver IMPL_LABEL[$name]="wireguard-go $ver ($name)"
	done <"$list"
}

# result BENCH METRIC IMPL VALUE UNIT : one figure for the results table.
result() {
	[ -n "${BENCH_CSV:-}" ] || return 0
	printf '%s,%s,%s,%s,%s,%s\n' "$1" "$2" "$3" "${IMPL_VER[$3]:-}" "$4" "$5" >>"$BENCH_CSV"
}

# ratio A B : A/B with two decimals, n/a when either is missing or B is 0
ratio() {
	awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
		if (a ~ /^[0-9.e+-]+$/ && b ~ /^[0-9.e+-]+$/ && b + 0 > 0) printf "%.2f", a / b;
		else print "n/a" }'
}

# print_ratios WHAT ARRAY : "ours/REF" for each reference row, from ARRAY[impl]
print_ratios() {
	local what=$1 name
	local -n vals=$2
	for name in "${IMPL_LIST[@]}"; do
		[ "$name" == ours ] && continue
		printf 'ratio %-28s wg-engine/%s = %s\n' "$what" "${IMPL_LABEL[$name]}" \
			"$(ratio "${vals[ours]:-}" "${vals[$name]:-}")"
	done
}
