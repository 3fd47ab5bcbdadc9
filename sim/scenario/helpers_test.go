package scenario_test

import "coordlab/sim"

func crashWorker2() sim.Fault { return sim.Fault{Kind: sim.FaultCrash, Node: "worker-2"} }
