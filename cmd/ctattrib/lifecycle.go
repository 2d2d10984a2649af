package main

import "github.com/spf13/cobra"

// newLifecycleCmd is a placeholder until the lifecycle command lands.
func newLifecycleCmd(_ *app) *cobra.Command {
	return &cobra.Command{Use: "lifecycle", Short: "not yet implemented", Hidden: true}
}
