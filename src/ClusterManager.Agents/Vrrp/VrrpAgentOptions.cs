namespace ClusterManager.Agents.Vrrp;

/// <summary>Where <c>ocf:clustermanager:vrrp</c> keeps its instances and finds cm-vrrpd.</summary>
public sealed record VrrpAgentOptions
{
    /// <summary>
    /// One sub-directory per instance: cm-vrrpd's generated configuration, pid file, log, and the state and mismatch
    /// files it writes. Under /run so that a reboot starts clean.
    /// </summary>
    public string StateDirectory { get; init; } = "/run/clustermanager/vrrp";

    /// <summary>cm-vrrpd's path (a <c>.dll</c> runs with <c>dotnet</c>); null = found (see <see cref="VrrpAgent"/>).</summary>
    public string? Daemon { get; init; }

    /// <summary>How often a running instance's state and mismatch files are read and its process checked.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}
