package main

import "github.com/spf13/cobra"

// newInventoryCmd is a placeholder until the inventory command lands.
func newInventoryCmd(_ *app) *cobra.Command {
	return &cobra.Command{Use: "inventory", Short: "not yet implemented", Hidden: true}
}
