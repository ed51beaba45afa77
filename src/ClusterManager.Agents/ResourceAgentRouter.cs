using ClusterManager.Agents.Ocf;

namespace ClusterManager.Agents;

/// <summary>
/// Sends each request to the agent of its class: OCF scripts, native agents (<c>ocf:clustermanager:TYPE</c>, which
/// also stand in for <c>ocf:heartbeat:TYPE</c> where that script is not installed) and systemd units.
/// </summary>
public sealed class ResourceAgentRouter(
    OcfScriptAgent ocf, IResourceAgent? systemd, IReadOnlyDictionary<string, IResourceAgent> nativeAgents,
    TimeProvider timeProvider) : IResourceAgent
{
    /// <summary>The provider name of the agents built into ClusterManager.</summary>
    public const string NativeProvider = "clustermanager";

    /// <summary>The provider whose missing scripts native agents of the same type replace.</summary>
    public const string HeartbeatProvider = "heartbeat";

    public Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        var agent = request.Agent;
        switch (agent.Class)
        {
            case ResourceAgentName.OcfClass when agent.Provider == NativeProvider:
                return nativeAgents.TryGetValue(agent.Type, out var native)
                    ? native.ExecuteAsync(request, cancellationToken)
                    : Task.FromResult(NotInstalled(request, $"no native agent {agent}"));
            case ResourceAgentName.OcfClass when agent.Provider == HeartbeatProvider && !ocf.IsInstalled(agent)
                                                 && nativeAgents.TryGetValue(agent.Type, out var standIn):
                return standIn.ExecuteAsync(request, cancellationToken);
            case ResourceAgentName.OcfClass:
                return ocf.ExecuteAsync(request, cancellationToken);
            case ResourceAgentName.SystemdClass when systemd is not null:
                return systemd.ExecuteAsync(request, cancellationToken);
            default:
                return Task.FromResult(NotInstalled(request, $"agent class {agent.Class} is not available on this node"));
        }
    }

    /// <summary>
    /// Runs the agent's meta-data action and parses it; null when the agent could not supply it. Throws
    /// <see cref="FormatException"/> when what it supplied is not OCF meta-data.
    /// </summary>
    public async Task<AgentMetadata?> GetMetadataAsync(ResourceAgentName agent, CancellationToken cancellationToken)
    {
        var request = new AgentRequest(new Model.ResourceId("meta-data"), agent, AgentActions.MetaData, TimeSpan.Zero,
            TimeSpan.FromSeconds(5),
            System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty,
            System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty);
        var result = await ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess && result.Output.Length > 0 ? AgentMetadata.Parse(result.Output) : null;
    }

    private AgentResult NotInstalled(AgentRequest request, string reason) =>
        AgentResult.Of(OcfExitCode.NotInstalled, ExecStatus.NotInstalled, reason, timeProvider.GetUtcNow(), TimeSpan.Zero);
}
