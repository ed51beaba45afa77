using System.Globalization;
using System.Text.Json.Nodes;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Output;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Commands.Status;

/// <summary><c>hactl status ...</c>, <c>hactl cluster status</c>, <c>hactl quorum status</c> and <c>hactl history</c>.</summary>
internal static class StatusCommands
{
    /// <summary>Every status command.</summary>
    public static IEnumerable<CommandDefinition> All =>
    [
        Status, StatusStatus, StatusNodes, StatusResources, StatusCluster, ClusterStatus, StatusQuorum, QuorumStatus, History,
        Config, ConfigShow, ClusterCib, StatusWait,
    ];

    private const string WaitUsage = """
        Usage: hactl status wait [TIMEOUT]

        Waits until the cluster has settled: the policy engine, run on the current state, plans no action (everything
        has started, stopped or moved as configured). TIMEOUT is a number of seconds or a duration such as 30s, 10min
        or 1h (default 60 minutes). Exit 0 once settled; 1 at the timeout, naming the actions still pending.
        """;

    private static readonly CommandDefinition StatusWait = ClusterCommand.DefineWaiting(
        ["status", "wait"], "wait until the cluster has settled", WaitUsage, WaitAsync);

    private static async Task<int> WaitAsync(ClusterCall call, TimeSpan? wait, CancellationToken cancellationToken)
    {
        call.RequireLive();
        var args = call.Args;
        var limit = wait ?? TimeSpan.FromMinutes(60);
        if (!args.AtEnd)
        {
            var text = args.Take("timeout");
            limit = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : Model.Durations.TryParse(text, out var parsed) && parsed > TimeSpan.Zero
                    ? parsed
                    : throw new UsageException($"timeout '{text}': give seconds or a duration such as 30s, 10min, 1h");
        }

        args.EnsureEnd();
        return await ClusterCommand.WaitUntilSettledAsync(call, limit, cancellationToken).ConfigureAwait(false);
    }

    private const string ConfigUsage = """
        Usage: hactl config [show]

        The whole configuration: resources, fence devices and levels, constraints, defaults, cluster properties.
        """;

    private static readonly CommandDefinition Config = ClusterCommand.Bare("config", "show the whole configuration", ConfigUsage, ConfigAsync);

    private static readonly CommandDefinition ConfigShow = ClusterCommand.Define(["config", "show"], "show the whole configuration (= config)", ConfigUsage, ConfigAsync);

    private const string CibUsage = """
        Usage: hactl cluster cib [FILE] [--config]

        Writes the CIB (configuration and recorded status with every member as a node, as the controller's engine
        sees it; or only the configuration with --config) to FILE or standard output; 'hactl simulate --xml FILE'
        then computes what the cluster would do with it.
        """;

    private static readonly CommandDefinition ClusterCib = ClusterCommand.Define(["cluster", "cib"], "write the CIB (for simulate or backups)", CibUsage, CibAsync);

    private const string StatusUsage = """
        Usage: hactl status [--full] [--output json]

        The cluster's state as pcs status shows it: cluster name, warnings, summary (DC = the Raft leader, quorum),
        nodes, resources and where they run, failed resource actions. --full adds node attributes and fail counts.
        Resource state comes from the recorded operation history through the policy engine's current view; a node is
        online when clusterd's membership (the leader's view) sees it.
        """;

    private static readonly CommandDefinition Status = ClusterCommand.Define(["status"], "show the cluster's state (as pcs status)", StatusUsage, StatusAsync);

    private static readonly CommandDefinition StatusStatus = ClusterCommand.Define(["status", "status"], "show the cluster's state (= status)", StatusUsage, StatusAsync);

    private const string NodesUsage = """
        Usage: hactl status nodes [--output json]

        Nodes by state: Online, Standby, Maintenance, Offline.
        """;

    private static readonly CommandDefinition StatusNodes = ClusterCommand.Define(["status", "nodes"], "list nodes by state", NodesUsage, NodesAsync);

    private const string ResourcesUsage = """
        Usage: hactl status resources [RESOURCE_ID] [node=NODE] [--hide-inactive] [--output json]
               hactl resource status ...

        The resources and where they run (stonith devices are listed by 'hactl stonith status').
        """;

    private static readonly CommandDefinition StatusResources = ClusterCommand.Define(
        ["status", "resources"], "list resources and where they run", ResourcesUsage, (call, ct) => ResourcesAsync(call, stonith: false, ct));

    private const string ClusterUsage = """
        Usage: hactl cluster status [--output json]
               hactl status cluster

        The cluster summary and node list.
        """;

    private static readonly CommandDefinition StatusCluster = ClusterCommand.Define(["status", "cluster"], "show the cluster summary", ClusterUsage, ClusterAsync);

    private static readonly CommandDefinition ClusterStatus = ClusterCommand.Define(["cluster", "status"], "show the cluster summary (= status cluster)", ClusterUsage, ClusterAsync);

    private const string QuorumUsage = """
        Usage: hactl quorum status [--output json]
               hactl status quorum

        Membership and quorum as clusterd's Raft sees it (the analogue of corosync-quorumtool).
        """;

    private static readonly CommandDefinition StatusQuorum = ClusterCommand.Define(["status", "quorum"], "show membership and quorum", QuorumUsage, QuorumAsync);

    private static readonly CommandDefinition QuorumStatus = ClusterCommand.Define(["quorum", "status"], "show membership and quorum (= status quorum)", QuorumUsage, QuorumAsync);

    private const string HistoryUsage = """
        Usage: hactl history [--limit N] [--output json]

        The most recent configuration changes, newest last: epoch, when (UTC), who and what (one line per change).
        Default: the last 20 (--limit 0: all that clusterd keeps).
        """;

    private static readonly CommandDefinition History = ClusterCommand.Define(["history"], "show who changed what and when", HistoryUsage, HistoryAsync);

    private static async Task<int> StatusAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        var full = call.Args.TakeFlag("--full");
        call.Args.TakeFlag("--hide-inactive");
        call.Args.EnsureEnd();
        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var last = await LastChangeAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var now = call.Context.Time.GetUtcNow();
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, LiveStatusWriter.Json(live, last, now));
        }
        else
        {
            LiveStatusWriter.Write(call.Out, live, last, now, call.Context.Time.LocalTimeZone, full);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> NodesAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        if (call.Args.Peek() is "both" or "config" or "corosync")
        {
            call.Args.Take("view");
        }

        call.Args.EnsureEnd();
        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var nodes = LiveStatusWriter.Nodes(live);
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, LiveStatusWriter.Json(live, null, call.Context.Time.GetUtcNow())["nodes"]!.DeepClone());
            return ExitCodes.Ok;
        }

        string Join(IEnumerable<NodeLine> lines) => string.Concat(lines.Select(n => " " + n.Name));
        call.Out.Write("Pacemaker Nodes:\n");
        call.Out.Write($" Online:{Join(nodes.Where(n => n.Online && !n.Standby && !n.Maintenance))}\n");
        call.Out.Write($" Standby:{Join(nodes.Where(n => n.Online && n.Standby && !n.HasActiveResources))}\n");
        call.Out.Write($" Standby with resource(s) running:{Join(nodes.Where(n => n.Online && n.Standby && n.HasActiveResources))}\n");
        call.Out.Write($" Maintenance:{Join(nodes.Where(n => n.Online && n.Maintenance && !n.Standby))}\n");
        call.Out.Write($" Offline:{Join(nodes.Where(n => !n.Online))}\n");
        return ExitCodes.Ok;
    }

    /// <summary>status resources / resource status / stonith status.</summary>
    internal static async Task<int> ResourcesAsync(ClusterCall call, bool stonith, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        var hideInactive = call.Args.TakeFlag("--hide-inactive");
        string? id = null;
        if (!call.Args.AtEnd && !call.Args.Peek()!.Contains('=', StringComparison.Ordinal))
        {
            id = call.Args.Take("resource id");
        }

        string? node = null;
        foreach (var (name, value) in call.Args.TakeNameValues())
        {
            node = name == "node" ? value : throw new UsageException($"unknown option '{name}=' (use node=NODE)");
        }

        call.Args.EnsureEnd();
        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        bool Include(ResourceView view)
        {
            var primitives = ResourceDisplay.Members(view).ToList();
            // Like crm_mon: an inactive orphan (deleted, its history still recorded) is not listed.
            if (primitives.Count > 0 && primitives.All(p => p.Orphaned && p.Nodes.IsEmpty))
            {
                return false;
            }

            var isStonith = primitives.Count > 0 && primitives.All(p => p.Agent.StartsWith("stonith:", StringComparison.Ordinal));
            return isStonith == stonith
                   && (id is null || view.Id.Value == id || primitives.Any(p => ResourceDisplay.BaseId(p.Id.Value) == id))
                   && (node is null || primitives.Any(p => p.Nodes.Any(n => n.Value == node)))
                   && (!hideInactive || primitives.Any(p => !p.Nodes.IsEmpty));
        }

        if (id is not null && Editing.CibEdit.FindResource(live.State.Resources, id) is null)
        {
            return call.Fail($"{(stonith ? "stonith device" : "resource")} '{id}' does not exist");
        }

        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonArray([.. (live.Transition?.Current.Resources ?? []).Where(Include).Select(LiveStatusWriter.ResourceJson)]));
            return ExitCodes.Ok;
        }

        if (stonith && live.Transition is { } t && !t.Current.Resources.Any(Include) && id is null)
        {
            call.Out.Write("NO stonith devices configured\n");
        }
        else
        {
            LiveStatusWriter.WriteResources(call.Out, live, Include);
        }

        if (stonith)
        {
            Stonith.StonithCommands.WriteLevels(call.Out, live.Snapshot.Configuration, indent: " ");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> ClusterAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        call.Args.EnsureEnd();
        var live = await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var last = await LastChangeAsync(call.Client, cancellationToken).ConfigureAwait(false);
        var now = call.Context.Time.GetUtcNow();
        if (format == OutputFormat.Json)
        {
            var json = LiveStatusWriter.Json(live, last, now);
            json.Remove("resources");
            json.Remove("failed_actions");
            json.Remove("fail_counts");
            ClusterCommand.WriteJson(call.Out, json);
            return ExitCodes.Ok;
        }

        call.Out.Write("Cluster Status:\n");
        LiveStatusWriter.WriteSummary(call.Out, live, last, now, call.Context.Time.LocalTimeZone, indent: " ");
        LiveStatusWriter.WriteNodeList(call.Out, LiveStatusWriter.Nodes(live), indent: " ");
        return ExitCodes.Ok;
    }

    private static async Task<int> QuorumAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.RequireLive();
        var format = ClusterCommand.TakeFormat(call.Args);
        call.Args.EnsureEnd();
        var status = await call.Client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonObject
            {
                ["local_node"] = status.LocalNode,
                ["leader"] = status.Leader.Length > 0 ? status.Leader : null,
                ["quorate"] = status.HasQuorum,
                ["term"] = status.Term,
                ["epoch"] = status.Epoch,
                ["applied_index"] = status.AppliedIndex,
                ["members"] = new JsonArray([.. status.Members.Select(m => (JsonNode)new JsonObject
                {
                    ["name"] = m.Name,
                    ["status"] = m.Status,
                    ["leader"] = m.IsLeader,
                    ["local"] = m.IsLocal,
                    ["raft_endpoint"] = m.RaftEndpoint,
                    ["api_endpoint"] = m.ApiEndpoint,
                })]),
            });
            return ExitCodes.Ok;
        }

        var o = call.Out;
        o.Write("Quorum information\n------------------\n");
        o.Write($"Date:             {OperationFailures.CTime(call.Context.Time.GetUtcNow(), call.Context.Time.LocalTimeZone)}\n");
        o.Write("Quorum provider:  clusterd (Raft majority)\n");
        o.Write($"Nodes:            {status.Members.Count}\n");
        o.Write($"Node name:        {status.LocalNode}\n");
        o.Write($"Leader:           {(status.Leader.Length > 0 ? status.Leader : "none")}\n");
        o.Write($"Term:             {status.Term}\n");
        o.Write($"Quorate:          {(status.HasQuorum ? "Yes" : "No")}\n");
        o.Write($"Votes needed:     {(status.Members.Count / 2) + 1} of {status.Members.Count}\n");
        o.Write("\nMembership information\n----------------------\n");
        foreach (var m in status.Members)
        {
            var flags = string.Join(", ", new[] { m.IsLocal ? "local" : null, m.IsLeader ? "leader" : null }.OfType<string>());
            o.Write($"  {m.Name,-12} {m.Status,-12} raft {m.RaftEndpoint}, api {m.ApiEndpoint}{(flags.Length > 0 ? $" ({flags})" : "")}\n");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> HistoryAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var format = ClusterCommand.TakeFormat(call.Args);
        var limitText = call.Args.TakeOption("--limit", "-n") ?? "20";
        call.Args.EnsureEnd();
        if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
        {
            throw new UsageException($"--limit '{limitText}' is not a number");
        }

        var history = await call.Live.GetHistoryAsync(limit, catchUp: true, cancellationToken).ConfigureAwait(false);
        if (format == OutputFormat.Json)
        {
            ClusterCommand.WriteJson(call.Out, new JsonArray([.. history.Entries.Select(e => (JsonNode)new JsonObject
            {
                ["epoch"] = e.Epoch,
                ["index"] = e.Index,
                ["request_id"] = e.RequestId,
                ["author"] = e.Author,
                ["time"] = DateTimeOffset.FromUnixTimeMilliseconds(e.TimestampUnixMs).ToString("O", CultureInfo.InvariantCulture),
                ["changes"] = new JsonArray([.. e.Changes.Select(c => JsonValue.Create(c))]),
            })]));
            return ExitCodes.Ok;
        }

        if (history.Entries.Count == 0)
        {
            call.Out.Write("No changes recorded\n");
            return ExitCodes.Ok;
        }

        call.Out.Write($"{"EPOCH",-7}{"WHEN (UTC)",-21}{"WHO",-20}WHAT\n");
        foreach (var entry in history.Entries)
        {
            var when = DateTimeOffset.FromUnixTimeMilliseconds(entry.TimestampUnixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var first = true;
            foreach (var change in entry.Changes.DefaultIfEmpty(""))
            {
                call.Out.Write(first
                    ? $"{entry.Epoch,-7}{when,-21}{entry.Author,-20}{change}\n"
                    : $"{"",-48}{change}\n");
                first = false;
            }
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> ConfigAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        call.Args.EnsureEnd();
        var state = await call.Client.ReadStateAsync(includeStatus: false, cancellationToken).ConfigureAwait(false);
        var configuration = state.Cib.Root!.Element("configuration")!;
        var o = call.Out;
        if (LiveStatusWriter.Property(state.Snapshot.Configuration, "cluster-name") is { } name)
        {
            o.Write($"Cluster Name: {name}\n");
        }

        bool IsStonith(System.Xml.Linq.XElement r) => r.Name.LocalName == "primitive" && (string?)r.Attribute("class") == "stonith";
        var resources = state.Resources.Elements().Where(e => Editing.CibEdit.ResourceElements.Contains(e.Name.LocalName)).ToList();
        o.Write("\nResources:\n");
        Indented(o, w => ConfigWriter.WriteText(w, resources.Where(r => !IsStonith(r))));
        o.Write("\nStonith Devices:\n");
        Indented(o, w => ConfigWriter.WriteText(w, resources.Where(IsStonith)));
        Indented(o, w => Stonith.StonithCommands.WriteLevels(w, state.Snapshot.Configuration, indent: ""));
        o.Write('\n');
        ConstraintWriter.WriteText(o, state.Constraints, full: true);
        o.Write("\nResources Defaults:\n");
        Indented(o, w => ConfigWriter.WriteSets(w, configuration.Element("rsc_defaults") ?? new System.Xml.Linq.XElement("x"), "meta_attributes", "Meta Attrs", 0));
        o.Write("\nOperations Defaults:\n");
        Indented(o, w => ConfigWriter.WriteSets(w, configuration.Element("op_defaults") ?? new System.Xml.Linq.XElement("x"), "meta_attributes", "Meta Attrs", 0));
        o.Write('\n');
        ConfigWriter.WriteSets(o, configuration.Element("crm_config") ?? new System.Xml.Linq.XElement("x"), "cluster_property_set", "Cluster Properties", 0);
        return ExitCodes.Ok;
    }

    private static void Indented(TextWriter writer, Action<TextWriter> write)
    {
        using var buffer = new StringWriter();
        write(buffer);
        foreach (var line in buffer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            writer.Write($"  {line}\n");
        }
    }

    private static async Task<int> CibAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var configOnly = call.Args.TakeFlag("--config");
        var file = call.Args.AtEnd ? null : call.Args.Take("file");
        call.Args.EnsureEnd();
        // With the status: the engine's input as the controller builds it (every member a node, quorum, the DC), so
        // that 'hactl simulate --xml FILE' decides what the cluster decides.
        var text = configOnly
            ? (await call.Client.ReadStateAsync(includeStatus: false, cancellationToken).ConfigureAwait(false)).Cib + "\n"
            : Cib.CibWriter.Write((await LiveCluster.ReadAsync(call.Client, cancellationToken).ConfigureAwait(false)).Snapshot);
        if (file is null)
        {
            call.Out.Write(text);
            return ExitCodes.Ok;
        }

        try
        {
            await File.WriteAllTextAsync(file, text, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return call.BadInput($"cannot write {file}: {e.Message}");
        }

        return ExitCodes.Ok;
    }

    private static async Task<HistoryEntry?> LastChangeAsync(IClusterBackend backend, CancellationToken cancellationToken)
    {
        if (backend is not ClusterClient client)
        {
            // A CIB file has no change history.
            return null;
        }

        // The state was just read through the leader: no need to catch up again.
        var history = await client.GetHistoryAsync(1, catchUp: false, cancellationToken).ConfigureAwait(false);
        return history.Entries.LastOrDefault();
    }
}
