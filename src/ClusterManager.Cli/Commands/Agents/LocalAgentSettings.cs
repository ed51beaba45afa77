using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Systemd;

namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// Where the local agent commands look for agents: the OCF root, systemd (used only when it runs as init, as
/// Pacemaker checks) with the directories its unit files live in, and the fence agent directories.
/// <see cref="Default"/> is this node's standard layout; tests point the settings elsewhere.
/// </summary>
internal sealed record LocalAgentSettings(
    OcfOptions Ocf,
    SystemdOptions Systemd,
    bool SystemdRunning,
    IReadOnlyList<string> SystemdUnitDirectories,
    IReadOnlyList<string> FenceAgentDirectories)
{
    /// <summary>Where deploy installs ClusterManager's own fence agents (fencing-agents/ in the repository).</summary>
    public const string InstalledFenceAgents = "/usr/lib/clustermanager/fencing-agents";

    /// <summary>The directory systemd creates when it runs as init (what <c>sd_booted()</c> checks).</summary>
    public const string SystemdRuntimeDirectory = "/run/systemd/system";

    /// <summary>
    /// This node: OCF agents under <c>/usr/lib/ocf</c>; systemd when it runs; fence agents in <c>/usr/sbin</c>
    /// (where Pacemaker looks), in <see cref="InstalledFenceAgents"/> and in <c>fencing-agents/</c> next to hactl.
    /// </summary>
    public static LocalAgentSettings Default => new(
        new OcfOptions(),
        new SystemdOptions(),
        Directory.Exists(SystemdRuntimeDirectory),
        ["/etc/systemd/system", SystemdRuntimeDirectory, "/lib/systemd/system", "/usr/lib/systemd/system"],
        [.. new[] { "/usr/sbin", InstalledFenceAgents, Path.Combine(AppContext.BaseDirectory, "fencing-agents") }
            .Distinct(StringComparer.Ordinal)]);
}
