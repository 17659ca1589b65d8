// Package engine runs patchready's two workflows end to end against one SSM
// client: Plan (discover, probe, evaluate, build, and with Scan Patch
// Manager's own scan of the nodes the checks pass, which the plan is built
// again with) and Apply (check the plan is fresh, carry out its actions,
// watch until every node settles, with Scan ending each node with Patch
// Manager's scan, clean up). The CLI, the demo and the heal loop all call
// these, so a plan made on the simulator and one made on AWS go through
// exactly the same code.
package engine
