package main

import "github.com/spf13/cobra"

// newQueryCmd is a placeholder until the query command lands.
func newQueryCmd(_ *app) *cobra.Command {
	return &cobra.Command{Use: "query", Short: "not yet implemented", Hidden: true}
}
