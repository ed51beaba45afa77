namespace ClusterManager.Fencing.Agents;

/// <summary>Where agents live and the environment they run in.</summary>
public sealed class FenceAgentRunnerOptions
{
    /// <summary>Directories searched in order for <c>fence_*</c> executables. Pacemaker uses only /usr/sbin.</summary>
    public IList<string> AgentDirectories { get; init; } = ["/usr/sbin"];

    /// <summary>
    /// Set <c>PCMK_service=pacemaker-fenced</c> as Pacemaker does: fence-agents then disable their own
    /// login/power timeouts (20 s) and the caller's timeout governs. Default true.
    /// </summary>
    public bool RunAsPacemaker { get; init; } = true;

    /// <summary>Extra environment variables for every agent (after the defaults, so they can override).</summary>
    public IDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long to wait for the agent's output pipes to close after it exited, before killing what is left
    /// of its process group (a child that kept stdout open).</summary>
    public TimeSpan OutputGrace { get; init; } = TimeSpan.FromSeconds(2);
}
