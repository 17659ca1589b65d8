package ssmsim

import (
	"strings"
	"time"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

func init() {
	register("GetServiceSetting", getServiceSetting)
	register("UpdateServiceSetting", updateServiceSetting)
	register("ResetServiceSetting", resetServiceSetting)
}

// serviceSetting is an SSM service setting changed from its default.
type serviceSetting struct {
	value    string
	modified time.Time
	user     string
}

// noSettingValue is what the Default Host Management setting reads when
// it is off.
const noSettingValue = "$None"

// settingDefaults are the service settings the simulator knows, with the
// values an account that never changed them reads. Others are
// ServiceSettingNotFound.
var settingDefaults = map[string]string{
	HostManagementSettingID:                        noSettingValue,
	"/ssm/managed-instance/activation-tier":        "standard",
	"/ssm/parameter-store/default-parameter-tier":  "Standard",
	"/ssm/parameter-store/high-throughput-enabled": "false",
}

// settingValue is a setting's current value in the region.
func (r *region) settingValue(id string) string {
	if s, ok := r.settings[id]; ok {
		return s.value
	}
	return settingDefaults[id]
}

type settingInput struct {
	SettingID    *string `json:"SettingId"`
	SettingValue *string `json:"SettingValue"`
}

// settingID validates a SettingId and reduces an ARN to the setting's
// path. The ARN must name this account and region.
func (r *region) settingID(body []byte, needValue bool) (string, *settingInput, *wire.Error) {
	var in settingInput
	if err := decode(body, &in); err != nil {
		return "", nil, err
	}
	v := &wire.Validator{}
	v.Required("settingId", in.SettingID != nil)
	if in.SettingID != nil {
		v.Length("settingId", *in.SettingID, 1, 1000)
	}
	if needValue {
		v.Required("settingValue", in.SettingValue != nil)
		if in.SettingValue != nil {
			v.Length("settingValue", *in.SettingValue, 1, 4096)
		}
	}
	if err := v.Err(); err != nil {
		return "", nil, err
	}
	id := *in.SettingID
	prefix := "arn:aws:ssm:" + r.name + ":" + r.account.id + ":servicesetting"
	if strings.HasPrefix(id, "arn:") {
		rest, ok := strings.CutPrefix(id, prefix)
		if !ok {
			return "", nil, wire.Errorf("ServiceSettingNotFound", "The requested service setting %s was not found in this account and region.", wire.Clip(id))
		}
		id = rest
	}
	if _, ok := settingDefaults[id]; !ok {
		return "", nil, wire.Errorf("ServiceSettingNotFound", "The requested service setting %s was not found.", wire.Clip(id))
	}
	return id, &in, nil
}

type serviceSettingOut struct {
	SettingID        string   `json:"SettingId"`
	SettingValue     string   `json:"SettingValue"`
	LastModifiedDate *float64 `json:"LastModifiedDate,omitempty"`
	LastModifiedUser string   `json:"LastModifiedUser,omitempty"`
	ARN              string   `json:"ARN"`
	Status           string   `json:"Status"`
}

func getServiceSetting(s *Server, r *region, body []byte) (any, *wire.Error) {
	id, _, err := r.settingID(body, false)
	if err != nil {
		return nil, err
	}
	out := serviceSettingOut{SettingID: id, SettingValue: r.settingValue(id), Status: "Default",
		ARN: "arn:aws:ssm:" + r.name + ":" + r.account.id + ":servicesetting" + id}
	if st, ok := r.settings[id]; ok {
		out.Status, out.LastModifiedDate, out.LastModifiedUser = "Customized", epochPtr(st.modified), st.user
	}
	return map[string]any{"ServiceSetting": out}, nil
}

// updateServiceSetting changes a setting. AWS does not document checking
// that the Default Host Management role exists, and the console creates
// it separately; the simulator accepts any value too, and an instance
// simply never registers through a role that does not work.
func updateServiceSetting(s *Server, r *region, body []byte) (any, *wire.Error) {
	id, in, err := r.settingID(body, true)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	r.settings[id] = serviceSetting{value: *in.SettingValue, modified: now, user: "arn:aws:iam::" + r.account.id + ":root"}
	r.kickRegistration(now)
	return struct{}{}, nil
}

func resetServiceSetting(s *Server, r *region, body []byte) (any, *wire.Error) {
	id, _, err := r.settingID(body, false)
	if err != nil {
		return nil, err
	}
	delete(r.settings, id)
	out := serviceSettingOut{SettingID: id, SettingValue: r.settingValue(id), Status: "Default",
		ARN: "arn:aws:ssm:" + r.name + ":" + r.account.id + ":servicesetting" + id}
	return map[string]any{"ServiceSetting": out}, nil
}
