package cli

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"go.uber.org/zap"

	"github.com/patchready/patchready/documents"
	"github.com/patchready/patchready/internal/awsclient"
	"github.com/patchready/patchready/internal/clock"
	"github.com/patchready/patchready/internal/remedy"
	"github.com/patchready/patchready/internal/ssmsim"
)

// simFactory returns a factory whose sessions talk to a simulator of fl
// over HTTP on a clock running 2,000 times faster than real time, and a
// client of the same simulator for the test's own checks.
func simFactory(t *testing.T, fl ssmsim.Fleet) (*Factory, *ssmsim.Server, *ssm.Client) {
	t.Helper()
	clk := clock.NewScaled(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 2000)
	sim := ssmsim.New(ssmsim.Options{Clock: clk, Seed: 1, Fleets: map[string]ssmsim.Fleet{"*": fl}})
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	connect := func(ctx context.Context, calls *awsclient.CallCounter) (*ssm.Client, error) {
		opts := []func(*ssm.Options){}
		if calls != nil {
			opts = append(opts, calls.Options)
		}
		c, _, err := awsclient.Client(ctx, awsclient.Config{
			Region: "us-east-1", EndpointURL: ts.URL, MaxBackoff: 5 * time.Millisecond,
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		}, opts...)
		return c, err
	}
	f := NewFactory(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	f.Globals.LogLevel, f.Globals.LogFormat = "error", "console"
	f.Clock = clk
	f.Session = func(ctx context.Context) (*session, error) {
		calls := awsclient.NewCallCounter()
		c, err := connect(ctx, calls)
		if err != nil {
			return nil, err
		}
		return &session{ssm: c, region: "us-east-1", log: zap.NewNop(), calls: calls}, nil
	}
	api, err := connect(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return f, sim, api
}

// The options of each command as its constructor fills in its
// dependencies, writing to ios; the tests set the flags.

func applyOpts(f *Factory, ios *IOStreams) *ApplyOptions {
	return &ApplyOptions{IO: ios, Session: f.Session, Clock: f.Clock, Shutdown: f.Shutdown}
}

func cleanupOpts(f *Factory, ios *IOStreams) *CleanupOptions {
	return &CleanupOptions{IO: ios, Session: f.Session, Output: "text"}
}

func scheduleOpts(f *Factory, ios *IOStreams) *ScheduleOptions {
	return &ScheduleOptions{IO: ios, Session: f.Session, Clock: f.Clock}
}

// managedLeft lists every resource in the account tagged
// patchready:managed=true.
func managedLeft(t *testing.T, api *ssm.Client) []string {
	t.Helper()
	ctx := context.Background()
	var left []string
	managed := func(typ types.ResourceTypeForTagging, id string) bool {
		out, err := api.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: typ, ResourceId: aws.String(id)})
		if err != nil {
			t.Fatalf("tags of %s %s: %v", typ, id, err)
		}
		for _, tg := range out.TagList {
			if aws.ToString(tg.Key) == remedy.TagManaged {
				return true
			}
		}
		return false
	}
	ap := ssm.NewListAssociationsPaginator(api, &ssm.ListAssociationsInput{MaxResults: aws.Int32(50)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Associations {
			if managed(types.ResourceTypeForTaggingAssociation, aws.ToString(a.AssociationId)) {
				left = append(left, "association "+aws.ToString(a.AssociationName))
			}
		}
	}
	wp := ssm.NewDescribeMaintenanceWindowsPaginator(api, &ssm.DescribeMaintenanceWindowsInput{MaxResults: aws.Int32(50)})
	for wp.HasMorePages() {
		page, err := wp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range page.WindowIdentities {
			if managed(types.ResourceTypeForTaggingMaintenanceWindow, aws.ToString(w.WindowId)) {
				left = append(left, "window "+aws.ToString(w.Name))
			}
		}
	}
	// Every document of the account's own, whatever its name: a document
	// cleanup does not know of shows up here.
	dp := ssm.NewListDocumentsPaginator(api, &ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{
		{Key: aws.String("Owner"), Values: []string{"Self"}}, {Key: aws.String("tag:" + remedy.TagManaged), Values: []string{"true"}}}})
	for dp.HasMorePages() {
		page, err := dp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.DocumentIdentifiers {
			left = append(left, "document "+aws.ToString(d.Name))
		}
	}
	return left
}

// After applies that keep their associations and window, and a schedule
// install, cleanup removes everything patchready made, and nothing else.
func TestCleanupLeavesNothingTagged(t *testing.T) {
	f, _, api := simFactory(t, ssmsim.SampleFleet())
	ctx := context.Background()
	dir := t.TempDir()
	// A user's association with the same prefix but no patchready tag must survive.
	if _, err := api.CreateAssociation(ctx, &ssm.CreateAssociationInput{
		Name: aws.String(documents.RunShellScriptDocumentName), AssociationName: aws.String("patchready-lookalike"),
		Targets:    []types.Target{{Key: aws.String("tag:App"), Values: []string{"web"}}},
		Parameters: map[string][]string{"commands": {"true"}},
	}); err != nil {
		t.Fatal(err)
	}

	// The requests document an earlier version of patchready made.
	if _, err := api.CreateDocument(ctx, &ssm.CreateDocumentInput{
		Name: aws.String(documents.UpgradeRequestsDocumentName), Content: aws.String(documents.FixYAML), DocumentFormat: types.DocumentFormatYaml,
		Tags: []types.Tag{{Key: aws.String(remedy.TagManaged), Value: aws.String("true")}},
	}); err != nil {
		t.Fatal(err)
	}

	for _, strategy := range []string{"maintenance-window", "association"} {
		var out, errOut bytes.Buffer
		ao := applyOpts(f, &IOStreams{Out: &out, ErrOut: &errOut})
		ao.AutoApprove, ao.KeepAssociations, ao.Timeout, ao.PollInterval = true, true, 30*time.Minute, 15*time.Second
		ao.MaxConcurrency, ao.MaxErrors, ao.StateDir, ao.Output, ao.WindowDuration, ao.WindowCutoff = "10%", "10%", dir, "text", 2, 1
		ao.plan.Strategy = strategy
		if strategy == "maintenance-window" {
			// The Windows nodes, to the newest agent, through a window.
			ao.plan.sel.platform.value, ao.plan.rules.MinAgentVersion = "Windows", ssmsim.DefaultLatestAgentVersion
		}
		err := ao.CheckAndSetDefaults()
		if err == nil {
			err = applyRun(ctx, ao)
		}
		var ee *exitError
		if err != nil && !(errors.As(err, &ee) && ee.code == ExitNotCompliant) {
			t.Fatalf("apply --strategy %s: %v\n%s", strategy, err, errOut.String())
		}
	}
	var out bytes.Buffer
	so := scheduleOpts(f, &IOStreams{Out: &out, ErrOut: &out})
	so.Schedule, so.RequestsTag, so.MaxConcurrency, so.MaxErrors = "rate(14 days)", "patchready:proxied=true", "10%", "10%"
	if err := so.CheckAndSetDefaults(); err != nil {
		t.Fatal(err)
	}
	if err := scheduleInstallRun(ctx, so); err != nil {
		t.Fatalf("schedule install: %v\n%s", err, out.String())
	}
	before := managedLeft(t, api)
	kinds := strings.Join(before, "\n")
	for _, want := range []string{"association patchready-update-agent-", "association patchready-schedule-update-agent",
		"window patchready-", "document patchready-Probe", "document patchready-Fix", "document patchready-UpgradeRequests"} {
		if !strings.Contains(kinds, want) {
			t.Fatalf("the setup left no %q; it left:\n%s", want, kinds)
		}
	}

	// --dry-run prints every one of them and removes nothing.
	var dry bytes.Buffer
	co := cleanupOpts(f, &IOStreams{Out: &dry, ErrOut: &bytes.Buffer{}})
	co.DryRun = true
	if err := cleanupRun(ctx, co); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(dry.String(), "would remove "); n != len(before) {
		t.Errorf("dry run lists %d resources, want %d:\n%s", n, len(before), dry.String())
	}
	if after := managedLeft(t, api); len(after) != len(before) {
		t.Fatalf("dry run removed something: %d left of %d", len(after), len(before))
	}

	var stdout bytes.Buffer
	if err := cleanupRun(ctx, cleanupOpts(f, &IOStreams{Out: &stdout, ErrOut: &bytes.Buffer{}})); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout.String(), "removed "); n != len(before) {
		t.Errorf("cleanup printed %d removals, want %d:\n%s", n, len(before), stdout.String())
	}
	if left := managedLeft(t, api); len(left) != 0 {
		t.Errorf("cleanup left tagged resources behind: %v", left)
	}
	found, err := api.ListAssociations(ctx, &ssm.ListAssociationsInput{AssociationFilterList: []types.AssociationFilter{
		{Key: types.AssociationFilterKeyAssociationName, Value: aws.String("patchready-lookalike")}}})
	if err != nil || len(found.Associations) != 1 {
		t.Errorf("the user's untagged association was touched: %v, %v", found, err)
	}
}

// --run-id removes only that run's resources.
func TestCleanupOneRun(t *testing.T) {
	f, _, api := simFactory(t, ssmsim.Fleet{Nodes: []ssmsim.Node{
		{ID: "i-00000000000000001", PlatformType: "Linux", PlatformName: "Ubuntu", PlatformVersion: "22.04", AgentVersion: "2.0.700.0"},
	}})
	ctx := context.Background()
	var report bytes.Buffer
	ao := applyOpts(f, &IOStreams{Out: &report, ErrOut: &bytes.Buffer{}})
	ao.AutoApprove, ao.KeepAssociations, ao.Timeout, ao.PollInterval = true, true, 30*time.Minute, 15*time.Second
	ao.MaxConcurrency, ao.MaxErrors, ao.StateDir, ao.Output, ao.WindowDuration, ao.WindowCutoff = "10%", "10%", t.TempDir(), "json", 2, 1
	ao.plan.Strategy, ao.plan.NoProbe = "association", true
	if err := ao.CheckAndSetDefaults(); err != nil {
		t.Fatal(err)
	}
	if err := applyRun(ctx, ao); err != nil {
		t.Fatal(err)
	}
	// The schedule's agent association runs at once on every node: after the apply.
	var out bytes.Buffer
	so := scheduleOpts(f, &IOStreams{Out: &out, ErrOut: &out})
	so.Schedule, so.RequestsTag, so.MaxConcurrency, so.MaxErrors = "rate(14 days)", "patchready:proxied=true", "10%", "10%"
	if err := so.CheckAndSetDefaults(); err != nil {
		t.Fatal(err)
	}
	if err := scheduleInstallRun(ctx, so); err != nil {
		t.Fatal(err)
	}
	// The run ID is the one its journal is named after.
	journals, err := filepath.Glob(filepath.Join(ao.StateDir, "runs", "*.jsonl"))
	if err != nil || len(journals) != 1 {
		t.Fatalf("journals: %v, %v; want the one run's\n%s", journals, err, report.String())
	}
	runID := strings.TrimSuffix(filepath.Base(journals[0]), ".jsonl")

	var stdout bytes.Buffer
	co := cleanupOpts(f, &IOStreams{Out: &stdout, ErrOut: &bytes.Buffer{}})
	co.RunID = runID
	if err := cleanupRun(ctx, co); err != nil {
		t.Fatal(err)
	}
	if got := stdout.String(); strings.Count(got, "removed ") != 1 || !strings.Contains(got, "run "+runID) {
		t.Errorf("cleanup --run-id printed:\n%s\nwant exactly the run's one association", got)
	}
	left := strings.Join(managedLeft(t, api), "\n")
	if !strings.Contains(left, "patchready-schedule-update-agent") || strings.Contains(left, "patchready-update-agent-") {
		t.Errorf("after cleanup --run-id:\n%s", left)
	}
	co = cleanupOpts(f, &IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	co.RunID = "nope"
	if err := co.CheckAndSetDefaults(); err == nil {
		t.Error("a malformed --run-id was accepted")
	}
}

// What the fixes for unmanaged instances changed stays, and cleanup says
// so, naming each change and why, from the run journals.
func TestCleanupExplainsWhatItLeaves(t *testing.T) {
	f, _, _ := simFactory(t, ssmsim.SampleFleet())
	dir := t.TempDir()
	for _, run := range []string{"20260302T090000Z-aaaaaa", "20260302T100000Z-bbbbbb"} {
		j, err := remedy.OpenJournal(dir, run, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []remedy.Resource{
			{Type: remedy.ResourceRole, ID: "AWSSystemsManagerDefaultEC2InstanceManagementRole", Name: "/service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole", Action: "enable-dhmc"},
			{Type: remedy.ResourceServiceSetting, ID: "/ssm/managed-instance/default-ec2-instance-management-role", Name: "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole", Before: "$None", Action: "enable-dhmc"},
			{Type: remedy.ResourceProfileAssociation, ID: "iip-assoc-0c0ffee000000a001", Name: "patchready-ssm-instance", InstanceIDs: []string{"i-0c0ffee000000a001"}, Action: "attach-instance-profile"},
			{Type: remedy.ResourceAssociation, ID: "gone-by-now", Name: "patchready-update-agent-x", Action: "update-agent"},
		} {
			if err := j.Created(r); err != nil {
				t.Fatal(err)
			}
		}
		j.Close()
	}
	var errOut bytes.Buffer
	co := cleanupOpts(f, &IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
	co.StateDir, co.RunID = dir, "20260302T100000Z-bbbbbb"
	if err := cleanupRun(context.Background(), co); err != nil {
		t.Fatal(err)
	}
	got := errOut.String()
	for _, want := range []string{
		"leaving iam-role /service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole (AWSSystemsManagerDefaultEC2InstanceManagementRole), run 20260302T100000Z-bbbbbb on purpose: instances registered through it would lose their credentials",
		"leaving service-setting service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole (/ssm/managed-instance/default-ec2-instance-management-role), run 20260302T100000Z-bbbbbb on purpose: turning Default Host Management off again deregisters every instance that relies on it",
		"leaving profile-association patchready-ssm-instance on i-0c0ffee000000a001 (iip-assoc-0c0ffee000000a001), run 20260302T100000Z-bbbbbb on purpose: the instance needs its profile to stay managed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("cleanup does not say %q; it says:\n%s", want, got)
		}
	}
	if strings.Count(got, "leaving ") != 3 || strings.Contains(got, "aaaaaa") || strings.Contains(got, "update-agent-x") {
		t.Errorf("cleanup --run-id lists other runs' or removable resources:\n%s", got)
	}
	errOut.Reset()
	co.RunID = ""
	if err := cleanupRun(context.Background(), co); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(errOut.String(), "leaving "); n != 6 {
		t.Errorf("cleanup of every run lists %d changes, want 6:\n%s", n, errOut.String())
	}
}
