#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `wg-mesh qr` decodes to exactly the client's config: the terminal's half
# blocks turned into a PBM image here (a tiny converter below) and the PNG,
# each read back with zbarimg; the SVG is checked for its shape. Also: a
# config too large for a QR code is refused clearly.
T=msh3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
need "$OUR_MESH" zbarimg
dir=$(mktemp -d /tmp/msh3.XXXXXX)
at_exit "rm -rf '$dir'"

# Half blocks -> PBM: each character is two modules stacked, each module 4x4 pixels.
half_blocks_to_pbm() {
	sed 's/\x1b\[[0-9;]*m//g; s/▀/T/g; s/▄/B/g; s/█/F/g' | awk -v S=4 '
	{ rows[NR] = $0; if (length($0) > w) w = length($0) }
	END {
		printf "P1\n%d %d\n", w * S, NR * 2 * S
		for (r = 1; r <= NR; r++) for (half = 0; half < 2; half++) {
			line = ""
			for (x = 1; x <= w; x++) {
				c = substr(rows[r], x, 1)
				dark = (c == "F") || (half == 0 && c == "T") || (half == 1 && c == "B")
				for (i = 0; i < S; i++) line = line (dark ? "1 " : "0 ")
			}
			for (i = 0; i < S; i++) print line
		}
	}'
}

cp "$here/../../examples/sites.yaml" "$dir/sites.yaml"
check "plan" "$OUR_MESH" plan "$dir/sites.yaml" -o "$dir/out"
want=$(cat "$dir/out/phone/wg0.conf")
check "show phone is the planned config" cmp "$dir/out/phone/wg0.conf" <("$OUR_MESH" show "$dir/sites.yaml" phone)

check "qr in the terminal" bash -c "'$OUR_MESH' qr '$dir/sites.yaml' phone > '$dir/term.txt'"
grep -q $'^\x1b\\[30;107m' "$dir/term.txt"
ok $? "terminal QR sets explicit black-on-white colours on every line"
half_blocks_to_pbm <"$dir/term.txt" >"$dir/term.pbm"
got=$(zbarimg -q --raw "$dir/term.pbm" 2>/dev/null)
is "$got" "$want" "terminal QR decodes to exactly the client's config"

check "qr --png" "$OUR_MESH" qr "$dir/sites.yaml" phone --png "$dir/phone.png"
is "$(stat -c %a "$dir/phone.png")" 600 "the PNG holds a private key: mode 0600"
got=$(zbarimg -q --raw "$dir/phone.png" 2>/dev/null)
is "$got" "$want" "PNG decodes to exactly the client's config"

got=$(zbarimg -q --raw "$dir/out/phone/wg0.png" 2>/dev/null)
is "$got" "$want" "plan's own out/phone/wg0.png decodes to the config"
is "$(stat -c %a "$dir/out/phone/wg0.png")" 600 "and is mode 0600"
sed -i '/^clients:/,$d' "$dir/sites.yaml"
check "plan without the phone" "$OUR_MESH" plan "$dir/sites.yaml" -o "$dir/out"
ok $([ ! -e "$dir/out/phone" ] && echo 0 || echo 1) "a removed client's config, QR code and directory are gone"
cp "$here/../../examples/sites.yaml" "$dir/sites.yaml"
check "plan with the phone back (a new phone: new keys)" "$OUR_MESH" plan "$dir/sites.yaml" -o "$dir/out"

check "qr --svg" "$OUR_MESH" qr "$dir/sites.yaml" phone --svg "$dir/phone.svg"
grep -q '<path fill="#000000" d="M' "$dir/phone.svg"
ok $? "SVG draws the modules as one path"

# A client whose mesh route lists 300 LANs no longer fits in a QR code.
{
	echo "mesh: {tunnel: [192.168.0.0/16]}"
	echo "sites:"
	echo "  hub: {endpoint: 192.0.2.1}"
	for i in $(seq 1 300); do
		echo "  s$i: {endpoint: 192.0.2.1, networks: [10.$((i / 200)).$((i % 200)).0/24]}"
	done
	echo "clients:"
	echo "  phone: {via: hub}"
} >"$dir/big.yaml"
check "plan a large mesh" "$OUR_MESH" plan "$dir/big.yaml" -o "$dir/big"
"$OUR_MESH" qr "$dir/big.yaml" phone >"$dir/big.out" 2>&1
rc=$?
ok $((rc == 0)) "qr refuses a config that is too large"
grep -q "more than a QR code holds" "$dir/big.out"
ok $? "and says so: $(head -c 120 "$dir/big.out")"
done_testing
