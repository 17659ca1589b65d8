package main

import (
	"os"

	"github.com/patchready/patchready/internal/cli"
)

func main() { os.Exit(cli.Main()) }
