namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// The hactl commands that work with the agents of this node, without the cluster: <c>resource standards</c>,
/// <c>providers</c>, <c>agents</c>, <c>list</c>, <c>describe</c>, <c>debug-start|stop|monitor|promote|demote</c>,
/// and <c>stonith list</c>, <c>describe</c>.
/// </summary>
public static class LocalAgentCommands
{
    /// <summary>The commands, using this node's standard agent locations.</summary>
    public static IEnumerable<CommandDefinition> Definitions() => Definitions(() => LocalAgentSettings.Default);

    /// <summary>The commands, looking for agents where <paramref name="settings"/> says.</summary>
    internal static IEnumerable<CommandDefinition> Definitions(Func<LocalAgentSettings> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        yield return Define(["resource", "standards"], "list the resource agent standards available on this node",
            AgentDiscoveryCommands.StandardsUsage, settings, AgentDiscoveryCommands.StandardsAsync);
        yield return Define(["resource", "providers"], "list the OCF resource agent providers on this node",
            AgentDiscoveryCommands.ProvidersUsage, settings, AgentDiscoveryCommands.ProvidersAsync);
        yield return Define(["resource", "agents"], "list the resource agents of a standard or provider",
            AgentDiscoveryCommands.AgentsUsage, settings, AgentDiscoveryCommands.AgentsAsync);
        yield return Define(["resource", "list"], "list the resource agents with their descriptions",
            AgentDiscoveryCommands.ListUsage, settings, AgentDiscoveryCommands.ListAsync);
        yield return Define(["resource", "describe"], "show a resource agent's parameters and default operations",
            AgentDiscoveryCommands.DescribeUsage, settings, AgentDiscoveryCommands.DescribeAsync);
        foreach (var (word, action) in DebugAgentCommand.Commands)
        {
            yield return Define(["resource", word], $"run an agent's {action} action on this node now, outside the cluster",
                DebugAgentCommand.Usage(word, action), settings,
                (context, agents, cancellationToken) => DebugAgentCommand.RunAsync(action, context, agents, cancellationToken));
        }

        yield return Define(["stonith", "list"], "list the fence agents installed on this node",
            FenceAgentCommands.ListUsage, settings, FenceAgentCommands.ListAsync);
        yield return Define(["stonith", "describe"], "show a fence agent's options",
            FenceAgentCommands.DescribeUsage, settings, FenceAgentCommands.DescribeAsync);
    }

    private static CommandDefinition Define(
        string[] words, string summary, string usage, Func<LocalAgentSettings> settings,
        Func<CommandContext, LocalAgents, CancellationToken, Task<int>> run) =>
        new(words, summary, usage, async (context, cancellationToken) =>
        {
            await using var agents = new LocalAgents(settings(), context.Time);
            return await run(context, agents, cancellationToken).ConfigureAwait(false);
        });
}
