package cli

import (
	"github.com/spf13/cobra"

	"github.com/patchready/patchready/internal/engine"
)

// scanHelp explains --scan where apply and heal offer it.
const scanHelp = "end with Patch Manager's own scan (AWS-RunPatchBaseline, Operation=Scan: installs nothing, never reboots) and verify a node only if it passes; " +
	"--scan scans the nodes the run fixes, --scan=all every node SSM can reach (compliant ones too). Costs one SendCommand per 50 nodes and the scan's minutes"

// bindScan adds --scan to cmd; given bare it means "the nodes the run
// fixes".
func bindScan(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "scan", "", scanHelp)
	cmd.Flags().Lookup("scan").NoOptDefVal = string(engine.ScanFixed)
}

// checkScan validates --scan's value.
func checkScan(v string) error {
	_, err := engine.ParseScanMode(v)
	return err
}
