package prereq

import "fmt"

// CheckOnline: the node's PingStatus is Online, so SSM can reach it.
const CheckOnline CheckID = "online"

var onlineCheck = Check{
	ID:       CheckOnline,
	Ensures:  "SSM reports the node Online: Run Command, associations and the patch run reach it only then",
	NotFixed: "patchready reaches nodes only through SSM, and a node that is not Online cannot be reached",
	Heading:  "not Online",
	Advice:   "start the instance, or check its network path to the ssm, ssmmessages and ec2messages endpoints and its IAM role",
	Facts:    []string{"ping_status"},
	Eval: func(f Facts, _ *Rules) CheckResult {
		switch s := f.Get("ping_status"); s {
		case "Online":
			return CheckResult{Status: StatusPass, Reason: "agent is Online"}
		case "":
			return CheckResult{Status: StatusFail, Reason: "SSM reported no ping status: the node cannot be reached"}
		default:
			return CheckResult{Status: StatusFail, Reason: fmt.Sprintf("agent is %s, not Online: SSM cannot reach the node", quoteIfOdd(s))}
		}
	},
	OnFail:    Block,
	OnUnknown: Block,
}
