using System.Collections.Immutable;
using ClusterManager.Agents;
using ClusterManager.Agents.Ocf;
using ClusterManager.Fencing.Agents;
using ClusterManager.Model;

namespace ClusterManager.Cli.Commands.Agents;

/// <summary>
/// One parameter as <c>describe</c> shows it. <see cref="Advanced"/> and <see cref="Deprecated"/> ones are shown with
/// <c>--full</c> only; <see cref="DeprecatedBy"/> names the parameters that replace a deprecated one.
/// </summary>
internal sealed record ParameterDescription(
    string Name,
    string? ShortDescription,
    string? LongDescription,
    string? Type,
    string? Default,
    bool Required,
    bool Unique,
    bool Advanced,
    bool Deprecated,
    ImmutableArray<string> DeprecatedBy);

/// <summary>An operation <c>resource create</c> would add by default, with the agent's advertised timeout.</summary>
internal sealed record OperationDefault(string Name, string Interval, string? Timeout, string? Role, string? Depth);

/// <summary>
/// An agent's description as pcs builds it for <c>resource describe</c> and <c>stonith describe</c>
/// (<c>pcs/lib/resource_agent</c>): the meta-data, plus the parameters pcs adds (trace_ra/trace_file for heartbeat
/// and pacemaker agents, the fencer's <c>pcmk_*</c> parameters for fence agents) and the default operations
/// (every advertised action but meta-data, status and validate-all; fence agents: monitor only; a monitor is
/// always there, every 60 s unless the agent says otherwise).
/// </summary>
internal sealed record AgentDescription(
    string FullName,
    string Standard,
    string? Provider,
    string Type,
    string? ShortDescription,
    string? LongDescription,
    ImmutableArray<ParameterDescription> Parameters,
    ImmutableArray<OperationDefault> DefaultOperations)
{
    private static readonly string[] NotDefaultOperations = ["meta-data", "status", "validate-all"];

    public bool IsStonith => Standard == LocalAgents.StonithClass;

    /// <summary>A resource agent's description from its OCF meta-data.</summary>
    public static AgentDescription FromResource(ResourceAgentName name, AgentMetadata metadata)
    {
        var parameters = metadata.Parameters
            .Select(p => new ParameterDescription(p.Name, p.ShortDescription, p.LongDescription, p.Type, p.Default,
                p.Required, p.Unique, Advanced: false, Deprecated: false, []))
            .ToList();
        if (name.Class == ResourceAgentName.OcfClass && name.Provider is "heartbeat" or "pacemaker")
        {
            // ocf-shellfuncs traces the agent when these are set; pcs offers them as advanced options.
            parameters.AddRange(TraceParameters.Where(t => !parameters.Any(p => p.Name.Equals(t.Name, StringComparison.OrdinalIgnoreCase))));
        }

        var operations = metadata.Actions
            .Where(a => !NotDefaultOperations.Contains(a.Name))
            .Select(a => new OperationDefault(a.Name, FormatInterval(a.Name, a.Interval), a.Timeout is { } t ? Format(t) : null,
                PrimaryRole(a.Role), a.Depth))
            .ToList();
        AddMonitorIfMissing(operations);
        return new AgentDescription(name.ToString(), name.Class, name.Provider, name.Type,
            metadata.ShortDescription, metadata.LongDescription, [.. parameters], [.. operations]);
    }

    /// <summary>A fence agent's description from its metadata, as pcs shows it (<c>pcs_transform.py</c>).</summary>
    public static AgentDescription FromFence(string agent, FenceAgentMetadata metadata)
    {
        var replacedBy = metadata.Parameters
            .Where(p => p.Obsoletes is not null)
            .GroupBy(p => p.Obsoletes!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Name).ToImmutableArray(), StringComparer.Ordinal);

        // 'port' and whatever replaces it are required by the agent but filled in by the fencer from
        // pcmk_host_map / the node name, so they are not required of the user.
        var portRelated = new HashSet<string>(StringComparer.Ordinal);
        var next = new Queue<string>(["port"]);
        while (next.TryDequeue(out var current))
        {
            if (portRelated.Add(current) && replacedBy.TryGetValue(current, out var replacements))
            {
                foreach (var r in replacements)
                {
                    next.Enqueue(r);
                }
            }
        }

        var parameters = new List<ParameterDescription>();
        foreach (var p in metadata.Parameters)
        {
            if (p.Name is "help" or "version")
            {
                // Only meaningful on the agent's command line.
                continue;
            }

            var deprecatedBy = replacedBy.TryGetValue(p.Name, out var by) ? by : [];
            var description = new ParameterDescription(p.Name, p.ShortDescription, null, p.Type, p.Default,
                p.Required && !portRelated.Contains(p.Name), Unique: false, Advanced: false, p.Deprecated || !deprecatedBy.IsEmpty,
                deprecatedBy);
            if (p.Name == "action")
            {
                // The fencer chooses the action; a device's own 'action' is only kept for old configurations.
                description = description with
                {
                    Required = false,
                    Advanced = true,
                    Deprecated = true,
                    DeprecatedBy = ["pcmk_off_action", "pcmk_reboot_action", .. deprecatedBy],
                };
            }

            parameters.Add(description);
        }

        parameters.AddRange(FencerParameters);
        return new AgentDescription(agent, LocalAgents.StonithClass, null, agent, metadata.ShortDescription,
            metadata.LongDescription, [.. parameters], [new OperationDefault("monitor", "60s", null, null, null)]);
    }

    /// <summary>Pacemaker text for a duration (<c>20s</c>, <c>1500ms</c>, <c>0s</c>).</summary>
    public static string Format(TimeSpan value) => value == TimeSpan.Zero ? "0s" : Durations.Format(value);

    private static string FormatInterval(string action, TimeSpan? interval) =>
        interval is { } i && i > TimeSpan.Zero ? Format(i) : action == "monitor" ? "60s" : "0s";

    private static void AddMonitorIfMissing(List<OperationDefault> operations)
    {
        if (!operations.Any(o => o.Name == "monitor"))
        {
            operations.Add(new OperationDefault("monitor", "60s", null, null, null));
        }
    }

    private static string? PrimaryRole(string? role) => role switch
    {
        "Master" => "Promoted",
        "Slave" => "Unpromoted",
        _ => role,
    };

    private static readonly ParameterDescription[] TraceParameters =
    [
        Parameter("trace_ra", "integer", "0", advanced: true,
            "Set to 1 to turn on resource agent tracing (expect large output)",
            "Set to 1 to turn on resource agent tracing (expect large output) The trace output will be saved to trace_file, "
            + "if set, or by default to $HA_VARRUN/ra_trace/<type>/<id>.<action>.<timestamp> e.g. "
            + "$HA_VARRUN/ra_trace/oracle/db.start.2012-11-27.08:37:08"),
        Parameter("trace_file", "string", "", advanced: true,
            "Path to a file to store resource agent tracing log", "Path to a file to store resource agent tracing log"),
    ];

    // The device parameters ClusterManager's fencer interprets (src/ClusterManager.Fencing/FenceDevice.cs); they
    // never reach the agent. The per-action overrides are advanced, as in Pacemaker's fencer meta-data.
    private static readonly ParameterDescription[] FencerParameters =
    [
        Parameter("pcmk_host_map", "string", null, advanced: false,
            "A mapping of node names to the port or alias the device knows them by, for devices that do not use node "
            + "names, e.g. node1:1;node2:2,3 (port 1 for node1, ports 2 and 3 for node2)"),
        Parameter("pcmk_host_list", "string", null, advanced: false,
            "The nodes this device can fence, e.g. node1,node2,node3 (used with pcmk_host_check=static-list)"),
        Parameter("pcmk_host_check", "string", null, advanced: false,
            "How to find the nodes the device can fence: static-list (pcmk_host_list and pcmk_host_map), dynamic-list "
            + "(ask the agent's list action), status (ask the agent's status action for the node), none (every node). "
            + "Default: static-list when pcmk_host_list or pcmk_host_map is set, else dynamic-list when the agent has "
            + "list, else status"),
        Parameter("pcmk_delay_max", "time", "0s", advanced: false,
            "Delay fencing by a random time of up to this much (plus pcmk_delay_base), so that in a two-node cluster "
            + "the nodes do not fence each other at the same moment"),
        Parameter("pcmk_delay_base", "string", "0s", advanced: false,
            "A fixed delay before fencing, or a per-node map (node1:1s;node2:5s): give the node that should win a "
            + "fence race the shorter delay. With pcmk_delay_max the random part keeps the total below the maximum"),
        Parameter("pcmk_host_argument", "string", "port", advanced: true,
            "The agent parameter that receives the node to fence instead of port and plug; none passes no node"),
        .. new[] { "reboot", "off", "on", "status", "monitor", "list" }.SelectMany(action => new[]
        {
            Parameter($"pcmk_{action}_action", "string", action, advanced: true,
                $"The agent action to run instead of '{action}', for devices whose commands have other names"),
            Parameter($"pcmk_{action}_timeout", "time", null, advanced: true,
                $"The timeout of '{action}' actions instead of the cluster's stonith-timeout"),
            Parameter($"pcmk_{action}_retries", "integer", "2", advanced: true,
                $"How many times to try '{action}' within the timeout (a busy device may refuse a connection)"),
        }),
    ];

    private static ParameterDescription Parameter(string name, string type, string? defaultValue, bool advanced, string shortDescription, string? longDescription = null) =>
        new(name, shortDescription, longDescription, type, defaultValue, Required: false, Unique: false, advanced, Deprecated: false, []);
}
