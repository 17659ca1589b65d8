// Package unmanaged finds the EC2 instances that Systems Manager does not
// manage, which Patch Manager therefore cannot see, says in words why each
// is not managed, and declares the opt-in fixes that can bring it under
// management.
//
// Discovery (Discover) lists the running and stopped instances with
// DescribeInstances, 1,000 a page, and subtracts the managed nodes; it
// then reads what decides whether an instance can register: its instance
// profile's role (IAM), its metadata service options, and the region's
// Default Host Management Configuration (an SSM service setting). The
// causes (causes.go) and the fixes (fixes.go) are registered units, pure
// functions of those facts: plan decides verdicts from them, render shows
// them, and remedy carries the fixes out.
//
// It reads; the fixes' own API calls live in package remedy.
package unmanaged
