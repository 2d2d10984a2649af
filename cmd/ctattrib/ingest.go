package main

import "github.com/spf13/cobra"

func newIngestCmd(_ *app) *cobra.Command {
	return &cobra.Command{Use: "ingest", Short: "not yet implemented", Hidden: true}
}
