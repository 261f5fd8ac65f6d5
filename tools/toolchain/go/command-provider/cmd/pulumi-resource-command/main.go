// pulumi-resource-command serves the command provider to the Pulumi engine.
package main

import (
	"context"
	"fmt"
	"os"

	"ecs-pulumi.local/toolchain/command-provider/provider"
)

func main() {
	if err := provider.New().Run(context.Background(), provider.Name, provider.Version); err != nil {
		fmt.Fprintf(os.Stderr, "error: %s\n", err)
		os.Exit(1)
	}
}
