package ssmsim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// A one-off at() time that has passed would give a window that never runs;
// the simulator refuses it on create and update (the stricter reading).
func TestWindowAtScheduleInThePastIsRefused(t *testing.T) {
	opts, clk := manualOpts(prodFleet(1)) // now is 2025-06-02 09:00 UTC
	_, c := startSim(t, opts, 0)
	create := func(schedule, zone string) (*ssm.CreateMaintenanceWindowOutput, error) {
		in := &ssm.CreateMaintenanceWindowInput{Name: aws.String("mw-at"), Schedule: aws.String(schedule),
			Duration: aws.Int32(2), Cutoff: 1}
		if zone != "" {
			in.ScheduleTimezone = aws.String(zone)
		}
		return c.CreateMaintenanceWindow(testCtx(t), in)
	}
	tests := []struct {
		name, schedule, zone string
		refused              bool
	}{
		{"a second ago", "at(2025-06-02T08:59:59)", "", true},
		{"now", "at(2025-06-02T09:00:00)", "", true},
		{"last year", "at(2024-06-02T12:00:00)", "", true},
		{"past in the window's zone", "at(2025-06-02T10:30:00)", "Europe/Berlin", true}, // 08:30 UTC
		{"a second ahead", "at(2025-06-02T09:00:01)", "", false},
		{"ahead in the window's zone", "at(2025-06-02T11:30:00)", "Europe/Berlin", false}, // 09:30 UTC
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := create(tc.schedule, tc.zone)
			switch {
			case tc.refused && (apiCode(err) != "ValidationException" || !strings.Contains(err.Error(), "is not in the future")):
				t.Errorf("CreateMaintenanceWindow(%s): %v, want ValidationException ... is not in the future", tc.schedule, err)
			case !tc.refused && err != nil:
				t.Errorf("CreateMaintenanceWindow(%s): %v", tc.schedule, err)
			}
		})
	}

	// Update: a past time is refused and changes nothing.
	w, err := create("at(2025-06-02T10:00:00)", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateMaintenanceWindow(testCtx(t), &ssm.UpdateMaintenanceWindowInput{WindowId: w.WindowId, Schedule: aws.String("at(2025-06-02T08:00:00)")})
	if apiCode(err) != "ValidationException" || !strings.Contains(err.Error(), "is not in the future") {
		t.Errorf("UpdateMaintenanceWindow to a past at(): %v, want ValidationException", err)
	}
	got, err := c.GetMaintenanceWindow(testCtx(t), &ssm.GetMaintenanceWindowInput{WindowId: w.WindowId})
	if err != nil || aws.ToString(got.Schedule) != "at(2025-06-02T10:00:00)" || aws.ToString(got.NextExecutionTime) != "2025-06-02T10:00:00Z" {
		t.Errorf("after the refused update: %v, schedule %s next %s", err, aws.ToString(got.Schedule), aws.ToString(got.NextExecutionTime))
	}

	// Once the window has run, an update that leaves the schedule alone
	// is not refused for the time having passed.
	clk.Advance(2 * time.Hour)
	if _, err := c.UpdateMaintenanceWindow(testCtx(t), &ssm.UpdateMaintenanceWindowInput{WindowId: w.WindowId, Name: aws.String("mw-renamed")}); err != nil {
		t.Errorf("rename after the at() time: %v", err)
	}
	if _, err := c.UpdateMaintenanceWindow(testCtx(t), &ssm.UpdateMaintenanceWindowInput{WindowId: w.WindowId, ScheduleTimezone: aws.String("Asia/Tokyo")}); apiCode(err) != "ValidationException" {
		t.Errorf("changing the zone of a passed at(): %v, want ValidationException", err)
	}
}
