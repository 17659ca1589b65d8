// Package schedule installs, shows and removes patchready's AWS-native
// schedule: two State Manager associations that AWS itself runs on a
// schedule, with nothing of patchready's running in between.
//
//   - patchready-schedule-update-agent runs AWS-UpdateSSMAgent (every 14
//     days by default, as AWS's own agent auto-update does) on every node or
//     on nodes with a tag;
//   - patchready-schedule-upgrade-requests runs the requests step of
//     patchready's fix document (patchready-Fix, actions=requests: the patch
//     run's own interpreter and its pip, nothing done where requests is
//     current) on the proxied Amazon Linux nodes, found by a tag the user
//     puts on them.
//
// Each association is found by its name, so installing twice leaves one
// association per purpose, updated in place when the schedule or the
// targets changed. Everything is tagged patchready:managed=true and
// patchready:purpose=schedule, so that cleanup finds it.
//
// Unlike heal, nothing here reads the outcome back; show reports what AWS
// last recorded.
package schedule
