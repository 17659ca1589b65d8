package ssmsim

import "testing"

func TestAssociationScheduleLimits(t *testing.T) {
	tests := []struct {
		expr     string
		cronOnly bool
		wantErr  bool
	}{
		{"rate(30 minutes)", false, false},
		{"rate(29 minutes)", false, true},
		{"rate(10 minutes)", false, true},
		{"rate(30 days)", false, false},
		{"rate(31 days)", false, true},
		{"rate(1 days)", true, true},
		{"cron(0 2 ? * SUN *)", true, false},
		{"", true, true},
		{"", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := associationSchedule(tc.expr, nil, tc.cronOnly)
			if (err != nil) != tc.wantErr {
				t.Fatalf("associationSchedule(%q, cronOnly=%v) = %v, want error %v", tc.expr, tc.cronOnly, err, tc.wantErr)
			}
			if err != nil && err.Code != "InvalidSchedule" {
				t.Fatalf("error code %s, want InvalidSchedule", err.Code)
			}
		})
	}
}
