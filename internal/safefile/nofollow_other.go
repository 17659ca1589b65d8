//go:build !unix

package safefile

// oNoFollow is 0 where the flag does not exist; CheckTarget and the Stat
// after the open still refuse links and other non-regular files.
const oNoFollow = 0
