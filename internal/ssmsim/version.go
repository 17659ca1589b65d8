package ssmsim

import (
	"strconv"
	"strings"
)

// compareVersions compares dotted numeric versions part by part ("2.3.10" >
// "2.3.9"); missing parts count as zero. Parts that are not numbers compare
// as zero: the simulator only ever holds versions it validated or generated.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(pa), len(pb)) {
		x, y := partAt(pa, i), partAt(pb, i)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

func partAt(p []string, i int) int {
	if i >= len(p) {
		return 0
	}
	n, _ := strconv.Atoi(p[i])
	return n
}
