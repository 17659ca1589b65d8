package remedy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/patchready/patchready/internal/clock"
)

// windowAPI answers UpdateMaintenanceWindow only: retime calls nothing else.
type windowAPI struct {
	WindowAPI
	updates []ssm.UpdateMaintenanceWindowInput
}

func (w *windowAPI) UpdateMaintenanceWindow(_ context.Context, in *ssm.UpdateMaintenanceWindowInput, _ ...func(*ssm.Options)) (*ssm.UpdateMaintenanceWindowOutput, error) {
	w.updates = append(w.updates, *in)
	return &ssm.UpdateMaintenanceWindowOutput{WindowId: in.WindowId}, nil
}

// A one-time window must open after its tasks exist. One patchready timed
// is timed again from now; one the operator timed that has passed is an
// error, never a window that silently runs nothing; a window found again
// (not created by this run) is left as it is, since it may have run.
func TestWindowRetimeOpensAfterRegistration(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, schedule string
		createdNow     bool
		wantErr        string
		wantUpdate     string
	}{
		{name: "timed by patchready", createdNow: true, wantUpdate: "at(2026-03-02T09:12:00)"},
		{name: "operator's, still ahead", schedule: "at(2026-03-02T09:30:00)", createdNow: true},
		{name: "operator's, passed during registration", schedule: "at(2026-03-02T09:05:00)", createdNow: true,
			wantErr: "its schedule at(2026-03-02T09:05:00) passed while its targets and tasks were registered"},
		{name: "recurring schedule of the operator's", schedule: "cron(0 2 ? * SUN *)", createdNow: true},
		{name: "found again on a resume", createdNow: false},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := clock.NewManual(start)
			opts, _ := testOptions(t, "20260302T090000Z-0000aa")
			opts.Clock = clk
			opts.Window = WindowOptions{Schedule: c.schedule}
			api := &windowAPI{}
			w, err := NewWindow(api, opts)
			if err != nil {
				t.Fatal(err)
			}
			// Registering the targets and tasks took ten fleet minutes.
			clk.Advance(10 * time.Minute)
			err = w.retime(context.Background(), &mwindow{id: "mw-0123456789abcdef0", created: true, createdNow: c.createdNow})
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("retime: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("retime error = %v, want one containing %q", err, c.wantErr)
			}
			var got string
			if len(api.updates) > 1 {
				t.Fatalf("%d updates, want at most one", len(api.updates))
			}
			if len(api.updates) == 1 {
				got = aws.ToString(api.updates[0].Schedule)
			}
			if got != c.wantUpdate {
				t.Errorf("window rescheduled to %q, want %q", got, c.wantUpdate)
			}
		})
	}
}
