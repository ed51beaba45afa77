namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// <c>hactl stonith list|describe</c>: the fence agents installed on this node and their options, read from the
/// agents' metadata (no cluster needed), printed as pcs does.
/// </summary>
internal static class FenceAgentCommands
{
    public const string ListUsage = """
        Usage: hactl stonith list [FILTER] [--nodesc]

        Lists the fence agents installed on this node (fence_* in /usr/sbin and ClusterManager's own agents) with
        their short description. FILTER keeps the agents whose name contains it (case-insensitive).

          --nodesc   names only (does not run every agent)

        """;

    public const string DescribeUsage = """
        Usage: hactl stonith describe AGENT [--full] [--output text|json]

        Shows a fence agent's description and options: the agent's own and the fencer's pcmk_* options.

          --full           also advanced and deprecated options
          -o, --output F   text (default) or json

        """;

    public static async Task<int> ListAsync(CommandContext context, LocalAgents agents, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var noDescription = args.TakeFlag("--nodesc");
        var filter = args.AtEnd ? null : args.Take("filter");
        args.EnsureEnd();
        var names = agents.FenceAgents().Where(a => AgentDiscoveryCommands.Matches(a, filter)).ToList();
        if (names.Count == 0)
        {
            context.Error.Write(filter is null
                ? "error: No stonith agents available. Do you have fence agents installed?\n"
                : "error: No stonith agents matching the filter.\n");
            return ExitCodes.Failure;
        }

        var descriptions = noDescription
            ? new string?[names.Count]
            : await AgentDiscoveryCommands.DescribeAllAsync(names, async (name, ct) =>
            {
                var (metadata, problem) = await agents.GetFenceMetadataAsync(name, ct).ConfigureAwait(false);
                return (metadata?.ShortDescription, problem);
            }, context, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < names.Count; i++)
        {
            AgentListWriter.WriteEntry(context.Out, names[i], descriptions[i]);
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> DescribeAsync(CommandContext context, LocalAgents agents, CancellationToken cancellationToken)
    {
        var (full, json) = AgentDiscoveryCommands.TakeDescribeOptions(context.Args);
        var text = context.Args.Take("fence agent name");
        context.Args.EnsureEnd();
        var agent = text.StartsWith(LocalAgents.StonithClass + ":", StringComparison.Ordinal) ? text[(LocalAgents.StonithClass.Length + 1)..] : text;
        var (metadata, problem) = await agents.GetFenceMetadataAsync(agent, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            context.Error.Write($"error: Agent 'stonith:{agent}' is not installed or does not provide valid metadata: {problem}\n");
            return ExitCodes.Failure;
        }

        AgentDiscoveryCommands.Write(context.Out, AgentDescription.FromFence(agent, metadata), full, json);
        return ExitCodes.Ok;
    }
}
