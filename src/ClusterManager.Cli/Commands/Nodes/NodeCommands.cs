namespace ClusterManager.Cli.Commands.Nodes;

/// <summary>
/// <c>hactl node standby|unstandby|maintenance|unmaintenance|attribute</c>: permanent node attributes through the
/// <c>set_node_attribute</c> change, as pcs sets them (standby=on, removed again by unstandby).
/// </summary>
internal static class NodeCommands
{
    /// <summary>Every node command.</summary>
    public static IEnumerable<CommandDefinition> All => [Standby, Unstandby, Maintenance, Unmaintenance, Attribute];

    private static readonly CommandDefinition Standby = ClusterCommand.Define(["node", "standby"], "keep resources off nodes (standby)", """
        Usage: hactl node standby [NODE... | --all]

        Puts nodes in standby (node attribute standby=on): their resources move away and nothing starts there.
        Without a node: the node hactl talks to.
        """, (c, ct) => SetFlagAsync(c, "standby", "on", ct));

    private static readonly CommandDefinition Unstandby = ClusterCommand.Define(["node", "unstandby"], "let nodes run resources again", """
        Usage: hactl node unstandby [NODE... | --all]

        Takes nodes out of standby (removes the standby attribute).
        """, (c, ct) => SetFlagAsync(c, "standby", null, ct));

    private static readonly CommandDefinition Maintenance = ClusterCommand.Define(["node", "maintenance"], "stop managing resources on nodes", """
        Usage: hactl node maintenance [NODE... | --all]

        Puts nodes in maintenance (maintenance=on): the cluster leaves their resources as they are, running or not.
        """, (c, ct) => SetFlagAsync(c, "maintenance", "on", ct));

    private static readonly CommandDefinition Unmaintenance = ClusterCommand.Define(["node", "unmaintenance"], "manage resources on nodes again", """
        Usage: hactl node unmaintenance [NODE... | --all]

        Takes nodes out of maintenance (removes the maintenance attribute).
        """, (c, ct) => SetFlagAsync(c, "maintenance", null, ct));

    private static readonly CommandDefinition Attribute = ClusterCommand.Define(["node", "attribute"], "show or set node attributes", """
        Usage: hactl node attribute [NODE] [--name NAME]
               hactl node attribute NODE NAME=VALUE...

        Shows permanent node attributes, or sets them (NAME= removes one); rules in constraints can use them.
        """, AttributeAsync);

    private static async Task<int> SetFlagAsync(ClusterCall call, string name, string? value, CancellationToken cancellationToken)
    {
        var all = call.Args.TakeFlag("--all");
        var nodes = new List<string>();
        while (!call.Args.AtEnd)
        {
            nodes.Add(call.Args.Take("node"));
        }

        if (all && nodes.Count > 0)
        {
            throw new UsageException("give node names or --all, not both");
        }

        var status = await call.Client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var members = status.Members.Select(m => m.Name).ToList();
        if (all)
        {
            nodes = members;
        }
        else if (nodes.Count == 0)
        {
            nodes.Add(call.OnFile ? throw new UsageException("give the node name(s) or --all: a CIB file (-f) has no local node") : status.LocalNode);
        }

        if (nodes.FirstOrDefault(n => !members.Contains(n)) is { } unknown)
        {
            return call.Fail($"Node '{unknown}' does not appear to exist in configuration (members: {string.Join(", ", members)})");
        }

        return await ClusterCommand.ApplyAsync(call, [.. nodes.Distinct().Select(n => Changes.SetNodeAttribute(n, name, value))], cancellationToken)
            .ConfigureAwait(false);
    }

    private static async Task<int> AttributeAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var filter = call.Args.TakeOption("--name");
        var node = call.Args.AtEnd ? null : call.Args.Take("node");
        var pairs = call.Args.TakeNameValues();
        call.Args.EnsureEnd();
        if (!pairs.IsEmpty)
        {
            if (node is null || filter is not null)
            {
                throw new UsageException("setting attributes needs a node and NAME=VALUE (no --name)");
            }

            var status = await call.Client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.Members.All(m => m.Name != node))
            {
                return call.Fail($"Node '{node}' does not appear to exist in configuration");
            }

            return await ClusterCommand.ApplyAsync(call, [.. pairs.Select(p => Changes.SetNodeAttribute(node, p.Key, p.Value.Length == 0 ? null : p.Value))], cancellationToken)
                .ConfigureAwait(false);
        }

        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        call.Out.Write("Node Attributes:\n");
        foreach (var n in state.Snapshot.Configuration.Nodes.Where(n => node is null || n.Name.Value == node)
                     .OrderBy(n => n.Name.Value, Output.NodeNameOrder.Instance))
        {
            var attributes = n.Attributes.SelectMany(s => s.Pairs).Where(p => filter is null || p.Name == filter).ToList();
            if (attributes.Count > 0)
            {
                call.Out.Write($" {n.Name}: {string.Join(' ', attributes.Select(p => $"{p.Name}={p.Value}"))}\n");
            }
        }

        return ExitCodes.Ok;
    }
}
