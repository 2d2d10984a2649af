package main

import "github.com/spf13/cobra"

// newAttributeCmd is a placeholder until the attribute command lands.
func newAttributeCmd(_ *app) *cobra.Command {
	return &cobra.Command{Use: "attribute", Short: "not yet implemented", Hidden: true}
}
