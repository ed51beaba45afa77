using System.Collections.Frozen;
using System.Text.Json.Nodes;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Output;

namespace ClusterManager.Cli.Commands.Properties;

/// <summary><c>hactl property set|unset|config</c>: cluster properties (crm_config), pcs 0.11's syntax and layout.</summary>
internal static class PropertyCommands
{
    /// <summary>Every property command.</summary>
    public static IEnumerable<CommandDefinition> All => [Bare, Config, DefaultsCommand, List, Show, Set, Unset];

    /// <summary>Pacemaker 2.1.5's defaults of the cluster properties (what <c>pcs property config --defaults</c> lists).</summary>
    public static readonly FrozenDictionary<string, string> Defaults = new Dictionary<string, string>
    {
        ["batch-limit"] = "0",
        ["cluster-delay"] = "60s",
        ["cluster-ipc-limit"] = "500",
        ["cluster-recheck-interval"] = "15min",
        ["concurrent-fencing"] = "false",
        ["dc-deadtime"] = "20s",
        ["election-timeout"] = "2min",
        ["enable-acl"] = "false",
        ["enable-startup-probes"] = "true",
        ["fence-reaction"] = "stop",
        ["join-finalization-timeout"] = "30min",
        ["join-integration-timeout"] = "3min",
        ["load-threshold"] = "80%",
        ["maintenance-mode"] = "false",
        ["migration-limit"] = "-1",
        ["no-quorum-policy"] = "stop",
        ["node-action-limit"] = "0",
        ["node-health-base"] = "0",
        ["node-health-green"] = "0",
        ["node-health-red"] = "-INFINITY",
        ["node-health-strategy"] = "none",
        ["node-health-yellow"] = "0",
        ["pe-error-series-max"] = "-1",
        ["pe-input-series-max"] = "4000",
        ["pe-warn-series-max"] = "5000",
        ["placement-strategy"] = "default",
        ["priority-fencing-delay"] = "0",
        ["remove-after-stop"] = "false",
        ["shutdown-escalation"] = "20min",
        ["shutdown-lock"] = "false",
        ["shutdown-lock-limit"] = "0",
        ["start-failure-is-fatal"] = "true",
        ["startup-fencing"] = "true",
        ["stonith-action"] = "reboot",
        ["stonith-enabled"] = "true",
        ["stonith-max-attempts"] = "10",
        ["stonith-timeout"] = "60s",
        ["stonith-watchdog-timeout"] = "0",
        ["stop-all-resources"] = "false",
        ["stop-orphan-actions"] = "true",
        ["stop-orphan-resources"] = "true",
        ["symmetric-cluster"] = "true",
        ["transition-delay"] = "0s",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string ConfigUsage = """
        Usage: hactl property [config [PROPERTY...] | --all | --defaults] [--output json]
               hactl property defaults [PROPERTY...] [--output json]

        The cluster properties that are set; --all also those at their default, --defaults only the defaults.
        'property list' and 'property show' are deprecated names of it.
        """;

    private static readonly CommandDefinition Bare = ClusterCommand.Bare("property", "show cluster properties (= property config)", ConfigUsage, (c, ct) => ConfigAsync(c, false, ct));

    private static readonly CommandDefinition Config = ClusterCommand.Define(["property", "config"], "show cluster properties", ConfigUsage, (c, ct) => ConfigAsync(c, false, ct));

    private static readonly CommandDefinition DefaultsCommand = ClusterCommand.Define(["property", "defaults"], "show the default values of cluster properties (= property config --defaults)", ConfigUsage,
        (c, ct) => ConfigAsync(c, false, ct, defaultsOnly: true));

    private static readonly CommandDefinition List = ClusterCommand.Define(["property", "list"], "show cluster properties (deprecated: property config)", ConfigUsage, (c, ct) => ConfigAsync(c, true, ct));

    private static readonly CommandDefinition Show = ClusterCommand.Define(["property", "show"], "show cluster properties (deprecated: property config)", ConfigUsage, (c, ct) => ConfigAsync(c, true, ct));

    private const string SetUsage = """
        Usage: hactl property set PROPERTY=[VALUE]...

        Sets cluster properties (an empty value removes one), e.g. hactl property set stonith-enabled=true
        no-quorum-policy=ignore. clusterd refuses unknown names and invalid values; all are set or none.
        """;

    private static readonly CommandDefinition Set = ClusterCommand.Define(["property", "set"], "set cluster properties", SetUsage, SetAsync);

    private const string UnsetUsage = """
        Usage: hactl property unset PROPERTY...

        Removes cluster properties (they return to their defaults).
        """;

    private static readonly CommandDefinition Unset = ClusterCommand.Define(["property", "unset"], "remove cluster properties", UnsetUsage, UnsetAsync);

    private static async Task<int> SetAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.Args.TakeFlag("--force");
        var pairs = call.Args.TakeNameValues();
        call.Args.EnsureEnd();
        if (pairs.IsEmpty)
        {
            throw new UsageException("give properties as NAME=VALUE (e.g. stonith-enabled=true)");
        }

        if (pairs.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new UsageException($"property '{twice.Key}' is given more than once");
        }

        var code = await ClusterCommand.ApplyAsync(call, [.. pairs.Select(p => Changes.SetProperty(p.Key, p.Value.Length == 0 ? null : p.Value))], cancellationToken)
            .ConfigureAwait(false);
        if (code == ExitCodes.Ok && pairs.Any(p => p.Key is "stonith-enabled" or "fencing-enabled" && IsTrue(p.Value)))
        {
            await WarnAboutFencingAsync(call, cancellationToken).ConfigureAwait(false);
        }

        return code;
    }

    /// <summary>
    /// After fencing was switched on: warns when there is no fence device, or when some node cannot be fenced (as
    /// far as the configuration tells), since a lost node's resources are then never recovered.
    /// </summary>
    private static async Task WarnAboutFencingAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var configuration = live.Snapshot.Configuration;
        var warnings = LiveStatusWriter.Warnings(configuration).Concat(
            FencingCoverage.Warnings(configuration, LiveStatusWriter.Nodes(live).Select(n => n.Name), unverifiable: true));
        foreach (var warning in warnings)
        {
            call.Error.Write($"Warning: {warning}\n");
        }
    }

    private static bool IsTrue(string value) => value.ToLowerInvariant() is "true" or "yes" or "on" or "1" or "y";

    private static async Task<int> UnsetAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.Args.TakeFlag("--force");
        var names = new List<string> { call.Args.Take("property name") };
        while (!call.Args.AtEnd)
        {
            names.Add(call.Args.Take("property name"));
        }

        if (names.FirstOrDefault(n => n.Contains('=', StringComparison.Ordinal)) is { } withValue)
        {
            throw new UsageException($"'{withValue}': unset takes property names only");
        }

        return await ClusterCommand.EditAsync(call, state =>
        {
            var set = state.Snapshot.Configuration.Properties.SelectMany(s => s.Pairs).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            if (names.FirstOrDefault(n => !set.Contains(n)) is { } missing)
            {
                return Client.EditPlan.Fail($"Cannot remove property '{missing}', it is not present in property set 'cib-bootstrap-options'");
            }

            return Client.EditPlan.Of([.. names.Select(n => Changes.SetProperty(n, null))]);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ConfigAsync(ClusterCall call, bool deprecated, CancellationToken cancellationToken, bool defaultsOnly = false)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        var all = call.Args.TakeFlag("--all");
        var defaults = call.Args.TakeFlag("--defaults") | defaultsOnly;
        call.Args.TakeFlag("--full");
        var names = new List<string>();
        while (!call.Args.AtEnd)
        {
            names.Add(call.Args.Take("property name"));
        }

        if (deprecated)
        {
            call.Error.Write("Deprecation Warning: This command is deprecated and will be removed. Please use 'hactl property config' instead.\n");
        }

        var state = await call.Client.ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        var values = new List<(string Name, string Value, bool Default)>();
        var configured = state.Snapshot.Configuration.Properties.Where(s => s.Rule is null).OrderByDescending(s => s.Score)
            .SelectMany(s => s.Pairs).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().Value ?? "", StringComparer.Ordinal);
        if (!defaults)
        {
            values.AddRange(configured.Select(kv => (kv.Key, kv.Value, false)));
        }

        if (all || defaults)
        {
            values.AddRange(Defaults.Where(d => defaults || !configured.ContainsKey(d.Key)).Select(d => (d.Key, d.Value, true)));
        }

        if (names.Count > 0)
        {
            values = [.. values.Where(v => names.Contains(v.Name))];
        }

        values = [.. values.OrderBy(v => v.Name, StringComparer.Ordinal)];
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonObject
            {
                ["id"] = "cib-bootstrap-options",
                ["nvpairs"] = new JsonArray([.. values.Select(v => (JsonNode)new JsonObject
                {
                    ["name"] = v.Name,
                    ["value"] = v.Value,
                    ["default"] = v.Default,
                })]),
            });
            return ExitCodes.Ok;
        }

        if (values.Count == 0 && !all && !defaults)
        {
            call.Out.Write("No properties configured\n");
            return ExitCodes.Ok;
        }

        call.Out.Write(defaults ? "Cluster Properties (defaults):\n" : "Cluster Properties: cib-bootstrap-options\n");
        foreach (var (name, value, isDefault) in values)
        {
            call.Out.Write($"  {name}={value}{(isDefault && !defaults ? " (default)" : "")}\n");
        }

        return ExitCodes.Ok;
    }
}
