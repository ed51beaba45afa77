namespace ClusterManager.Agents;

/// <summary>
/// One class of resource agents (OCF scripts, systemd units, the native agents). Implementations return every
/// expected outcome as an <see cref="AgentResult"/>, including timeouts (<see cref="ExecStatus.Timeout"/>) and
/// missing agents (<see cref="ExecStatus.NotInstalled"/>); they throw only for bugs and broken infrastructure.
/// The timeout in the request is the agent's to enforce; cancellation means the caller gave up
/// (<see cref="ExecStatus.Cancelled"/>).
/// </summary>
public interface IResourceAgent
{
    /// <summary>Runs one action and reports what happened.</summary>
    Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken);
}
