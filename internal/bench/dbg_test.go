package bench

import (
	"context"
	"testing"
)

func TestDbg(t *testing.T) {
	r, err := Run(context.Background(), Scenario{Nodes: 1000, NeedUpdateFraction: 0.4, TimeScale: 20, RatePerSecond: 5, MaxConcurrency: "100%"}, nil)
	t.Log(r.HotOp, r.HotRate, err)
	for op, ts := range dbgLog.at {
		if len(ts) < 10 { continue }
		var s []string
		for i := 1; i < len(ts) && i < 40; i++ { s = append(s, ts[i].Sub(ts[i-1]).Round(1e7).String()) }
		t.Log(op, s)
	}
}
