package all

import _ "coordlab/sim/mech/crdt"
