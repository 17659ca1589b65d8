package remedy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/patchready/patchready/internal/clock"
)

// windowAPI answers UpdateMaintenanceWindow only: retime calls nothing
// else. Each of the first late calls arrives a minute after the time it
// asks for, and is refused as AWS refuses it.
type windowAPI struct {
	t *testing.T
	WindowAPI
	clk     *clock.Manual
	late    int
	updates []ssm.UpdateMaintenanceWindowInput
	creates []ssm.CreateMaintenanceWindowInput
}

// lateFor moves the clock to a minute past the time schedule asks for.
func (w *windowAPI) lateFor(t *testing.T, schedule string) {
	at, err := time.Parse("at(2006-01-02T15:04:05)", schedule)
	if err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(at.Add(time.Minute).Sub(w.clk.Now()))
}

func (w *windowAPI) UpdateMaintenanceWindow(_ context.Context, in *ssm.UpdateMaintenanceWindowInput, _ ...func(*ssm.Options)) (*ssm.UpdateMaintenanceWindowOutput, error) {
	w.updates = append(w.updates, *in)
	if len(w.updates) <= w.late {
		w.lateFor(w.t, aws.ToString(in.Schedule))
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "Invalid schedule: " + aws.ToString(in.Schedule) + " is not in the future"}
	}
	return &ssm.UpdateMaintenanceWindowOutput{WindowId: in.WindowId}, nil
}

// A one-time window must open after its tasks exist. One patchready timed
// is timed again from now, with a lead as long as registering took (at
// least two minutes), and later again while its time passes before the
// call arrives, a bounded number of times; one the operator timed that has
// passed is an error, never a window that silently runs nothing; a window
// found again (not created by this run) is left as it is, since it may
// have run.
func TestWindowRetimeOpensAfterRegistration(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, schedule string
		createdNow     bool
		late           int
		wantErr        string
		wantUpdates    []string
	}{
		{name: "timed by patchready", createdNow: true, wantUpdates: []string{"at(2026-03-02T09:20:00)"}},
		{name: "timed by patchready, late twice", createdNow: true, late: 2,
			wantUpdates: []string{"at(2026-03-02T09:20:00)", "at(2026-03-02T09:41:00)", "at(2026-03-02T10:22:00)"}},
		{name: "timed by patchready, always late", createdNow: true, late: 9, wantErr: "time maintenance window mw-0123456789abcdef0: ",
			wantUpdates: []string{"at(2026-03-02T09:20:00)", "at(2026-03-02T09:41:00)", "at(2026-03-02T10:22:00)", "at(2026-03-02T11:43:00)"}},
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
			api := &windowAPI{t: t, clk: clk, late: c.late}
			w, err := NewWindow(api, opts)
			if err != nil {
				t.Fatal(err)
			}
			// Registering the targets and tasks took ten fleet minutes.
			clk.Advance(10 * time.Minute)
			err = w.retime(context.Background(), &mwindow{id: "mw-0123456789abcdef0", created: true, createdNow: c.createdNow, createdAt: start})
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("retime: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("retime error = %v, want one containing %q", err, c.wantErr)
			}
			var got []string
			for _, u := range api.updates {
				got = append(got, aws.ToString(u.Schedule))
			}
			if strings.Join(got, " ") != strings.Join(c.wantUpdates, " ") {
				t.Errorf("window rescheduled to %q, want %q", got, c.wantUpdates)
			}
		})
	}
}

func (w *windowAPI) DescribeMaintenanceWindows(context.Context, *ssm.DescribeMaintenanceWindowsInput, ...func(*ssm.Options)) (*ssm.DescribeMaintenanceWindowsOutput, error) {
	return &ssm.DescribeMaintenanceWindowsOutput{}, nil
}

func (w *windowAPI) CreateMaintenanceWindow(_ context.Context, in *ssm.CreateMaintenanceWindowInput, _ ...func(*ssm.Options)) (*ssm.CreateMaintenanceWindowOutput, error) {
	w.creates = append(w.creates, *in)
	if len(w.creates) <= w.late {
		w.lateFor(w.t, aws.ToString(in.Schedule))
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "Invalid schedule: " + aws.ToString(in.Schedule) + " is not in the future"}
	}
	return &ssm.CreateMaintenanceWindowOutput{WindowId: aws.String("mw-0123456789abcdef0")}, nil
}

// A window patchready times is created with a time in UTC, later again
// when that time passed before the call arrived; the window keeps the
// time that was taken, and records when it was made.
func TestWindowCreateTimedLaterWhenItsTimePassed(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clk := clock.NewManual(start)
	opts, _ := testOptions(t, "20260302T090000Z-0000ab")
	opts.Clock = clk
	opts.Window = WindowOptions{Timezone: "Europe/Paris"}
	api := &windowAPI{t: t, clk: clk, late: 1}
	w, err := NewWindow(api, opts)
	if err != nil {
		t.Fatal(err)
	}
	mw, err := w.ensureWindow(context.Background(), "patchready-update-agent-window-x")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range api.creates {
		got = append(got, aws.ToString(c.Schedule)+" "+aws.ToString(c.ScheduleTimezone))
	}
	want := []string{"at(2026-03-02T09:02:00) UTC", "at(2026-03-02T09:07:00) UTC"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("created with %q, want %q", got, want)
	}
	if w.wo.Schedule != "at(2026-03-02T09:07:00)" || !mw.createdNow || !mw.createdAt.Equal(start.Add(3*time.Minute)) {
		t.Errorf("window %+v with schedule %s, want the one taken, created now at 09:03", mw, w.wo.Schedule)
	}
}
