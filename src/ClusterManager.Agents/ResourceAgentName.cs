namespace ClusterManager.Agents;

/// <summary>
/// A resource agent's full name as Pacemaker writes it: <c>ocf:PROVIDER:TYPE</c>, <c>systemd:UNIT</c> or <c>stonith:AGENT</c>.
/// <see cref="Provider"/> is set for the <c>ocf</c> class only.
/// </summary>
public sealed record ResourceAgentName(string Class, string? Provider, string Type)
{
    /// <summary>The OCF standard.</summary>
    public const string OcfClass = "ocf";

    /// <summary>The systemd standard (units driven over D-Bus).</summary>
    public const string SystemdClass = "systemd";

    /// <summary>Fence devices (<c>stonith:fence_ipmilan</c>): run by the fencer; as resources they only register.</summary>
    public const string StonithClass = "stonith";

    /// <summary>
    /// Parses <c>ocf:heartbeat:IPaddr2</c>, <c>systemd:haproxy</c> or <c>stonith:fence_ipmilan</c>.
    /// Throws <see cref="FormatException"/> naming the problem for anything else.
    /// </summary>
    public static ResourceAgentName Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Any(p => p.Length == 0))
        {
            throw new FormatException($"agent name '{text}' has an empty part; expected ocf:PROVIDER:TYPE or systemd:UNIT");
        }

        return parts switch
        {
            [OcfClass, var provider, var type] => new ResourceAgentName(OcfClass, provider, type),
            [OcfClass, ..] => throw new FormatException($"agent name '{text}' needs a provider: ocf:PROVIDER:TYPE"),
            [SystemdClass, var unit] => new ResourceAgentName(SystemdClass, null, unit),
            // systemd unit names may not contain ':' but a template instance can; keep the rest as the unit.
            [SystemdClass, .. var rest] => new ResourceAgentName(SystemdClass, null, string.Join(':', rest)),
            [StonithClass, var agent] => new ResourceAgentName(StonithClass, null, agent),
            [var cls, ..] => throw new FormatException($"agent class '{cls}' in '{text}' is not supported (ocf, systemd, stonith)"),
            _ => throw new FormatException($"agent name '{text}' is empty"),
        };
    }

    public override string ToString() => Provider is null ? $"{Class}:{Type}" : $"{Class}:{Provider}:{Type}";
}
