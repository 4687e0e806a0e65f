#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The long fuzzing run for `make check-long`: every libFuzzer target in
# tests/fuzz/ (each file there defining LLVMFuzzerTestOneInput) is built and
# run by tests/fuzz/run for FUZZ_SECONDS (default 3600) each, one after the
# other. Prints TAP, one line per target: ok when it ran its time without a
# crash, leak or timeout. A failure's input is left in build/fuzz/crash-NAME-*.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

secs=${FUZZ_SECONDS:-3600}
targets=()
for src in tests/fuzz/*.c; do
	[[ -e $src ]] && grep -q LLVMFuzzerTestOneInput "$src" && targets+=("$(basename "$src" .c)")
done
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	echo "1..0 # SKIP ${FUZZ_CC:-clang} is not installed (make deps)"
	exit 0
fi
if ((${#targets[@]} == 0)); then
	echo "1..0 # SKIP no fuzz targets in tests/fuzz/"
	exit 0
fi
echo "1..${#targets[@]}"

# One build first, so that each target's time is spent fuzzing, not compiling.
mkdir -p build/fuzz
FUZZ_BUILD_ONLY=1 tests/fuzz/run >build/fuzz/build.log 2>&1

i=0
for name in "${targets[@]}"; do
	i=$((i + 1))
	start=$SECONDS
	if FUZZ_TARGETS=$name FUZZ_SECONDS=$secs tests/fuzz/run >"build/fuzz/$name.run.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$name.log")
		echo "ok $i - $name: $((SECONDS - start)) s, ${runs:-?} inputs, no crash"
	else
		echo "not ok $i - $name: failed after $((SECONDS - start)) s"
		if grep -q 'does not build' "build/fuzz/$name.run.log"; then
			grep -E 'FAIL|WARN|error' "build/fuzz/$name.run.log" | head -n 8 | sed 's/^/# /'
		else
			grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "build/fuzz/$name.log" |
				head -n 8 | sed 's/^/# /'
		fi
	fi
done
