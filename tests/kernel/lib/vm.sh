# SPDX-License-Identifier: GPL-2.0
# Moved to tests/lib/kernel/vm.sh with the other test helpers. This forwarder
# keeps scripts written against the old path (on branches not yet merged)
# working; remove it once none sources it.
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/kernel/vm.sh"
