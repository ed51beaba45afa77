using System.Text.Json.Nodes;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Output;

/// <summary>One node as <c>hactl status</c> shows it: membership decides online, the configuration standby/maintenance.</summary>
internal sealed record NodeLine(string Name, bool Online, bool Standby, bool Maintenance, bool HasActiveResources, bool Leader, bool Local, string Membership);

/// <summary>
/// <c>hactl status</c> in the layout of <c>pcs status</c> (crm_mon 2.1.5): cluster name, warnings, summary (stack,
/// DC = the Raft leader, quorum, counts), node list, resources, failed resource actions; with --full also node
/// attributes and fail counts. Also the JSON form and the pieces other commands print.
/// </summary>
internal static class LiveStatusWriter
{
    /// <summary>pcs's warning for a cluster that would fence with nothing to fence with.</summary>
    public const string NoStonithWarning = "No stonith devices and stonith-enabled is not false";

    /// <summary>The warnings <c>pcs status</c> prints.</summary>
    public static IReadOnlyList<string> Warnings(ClusterConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var warnings = new List<string>();
        var stonith = Property(configuration, "stonith-enabled") ?? Property(configuration, "fencing-enabled");
        var enabled = stonith is null || !IsFalse(stonith);
        if (enabled && !configuration.AllPrimitives().Any(p => p.IsFencingDevice))
        {
            warnings.Add(NoStonithWarning);
        }

        return warnings;
    }

    /// <summary>The warnings of <c>hactl status</c>: pcs's, and a stale read without quorum.</summary>
    public static IReadOnlyList<string> Warnings(LiveCluster live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var warnings = Warnings(live.Snapshot.Configuration).ToList();
        warnings.AddRange(FencingCoverage.Warnings(live.Snapshot.Configuration, Nodes(live).Select(n => n.Name), unverifiable: false));
        if (live.State.Stale)
        {
            warnings.Add($"{live.Membership.LocalNode} has no quorum: the configuration and resource state shown may be out of date");
        }

        warnings.AddRange(VrrpMismatchWarnings(live.Snapshot.Status));
        return warnings;
    }

    /// <summary>
    /// One warning per node and VRRP resource whose instance sees a peer's adverts disagree with its settings (the
    /// <c>vrrp-RESOURCE-mismatch</c> attribute ocf:clustermanager:vrrp sets): the adverts are dropped, so both sides
    /// may act as master.
    /// </summary>
    public static IReadOnlyList<string> VrrpMismatchWarnings(Model.Status.ClusterStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        const string Prefix = "vrrp-";
        const string Suffix = "-mismatch";
        return [.. status.Nodes.OrderBy(n => n.Name.Value, NodeNameOrder.Instance)
            .SelectMany(n => n.TransientAttributes
                .Where(a => a.Key.Length > Prefix.Length + Suffix.Length && a.Key.StartsWith(Prefix, StringComparison.Ordinal)
                            && a.Key.EndsWith(Suffix, StringComparison.Ordinal) && a.Value.Length > 0)
                .Select(a => $"VRRP {a.Key[Prefix.Length..^Suffix.Length]} on {n.Name}: adverts that disagree with its settings from {a.Value}"))];
    }

    /// <summary>The nodes, in crm_mon's order (natural sort of names).</summary>
    public static IReadOnlyList<NodeLine> Nodes(LiveCluster live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var views = live.Transition?.Current.Nodes.ToDictionary(n => n.Name.Value, StringComparer.Ordinal)
                    ?? new Dictionary<string, NodeView>(StringComparer.Ordinal);
        var names = live.Snapshot.Configuration.Nodes.Where(n => n.Type == NodeType.Member).Select(n => n.Name.Value)
            .Concat(live.Membership.Members.Select(m => m.Name)).Distinct().Order(NodeNameOrder.Instance);
        var lines = new List<NodeLine>();
        foreach (var name in names)
        {
            var member = live.Membership.Members.FirstOrDefault(m => m.Name == name);
            views.TryGetValue(name, out var view);
            var config = live.Snapshot.Configuration.Nodes.FirstOrDefault(n => n.Name.Value == name);
            var online = member is not null ? LiveCluster.IsAvailable(member) : view?.Online ?? false;
            lines.Add(new NodeLine(
                name,
                online,
                view?.Standby ?? IsTrue(NodeAttribute(config, "standby")),
                view?.Maintenance ?? IsTrue(NodeAttribute(config, "maintenance")),
                view?.HasActiveResources ?? false,
                member?.IsLeader ?? false,
                member?.IsLocal ?? false,
                member?.Status ?? "not a member"));
        }

        return lines;
    }

    /// <summary>Writes <c>hactl status</c> (<paramref name="full"/>: <c>--full</c>).</summary>
    public static void Write(TextWriter writer, LiveCluster live, HistoryEntry? lastChange, DateTimeOffset now, TimeZoneInfo zone, bool full)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(live);
        var configuration = live.Snapshot.Configuration;
        if (Property(configuration, "cluster-name") is { } name)
        {
            writer.Write($"Cluster name: {name}\n");
        }

        var warnings = Warnings(live);
        if (warnings.Count > 0)
        {
            writer.Write("WARNINGS:\n");
            foreach (var warning in warnings)
            {
                writer.Write(warning + "\n");
            }

            writer.Write('\n');
        }

        WriteSummary(writer, live, lastChange, now, zone, indent: "");
        writer.Write('\n');
        WriteNodeList(writer, Nodes(live), indent: "");
        writer.Write('\n');
        writer.Write("Full List of Resources:\n");
        WriteResources(writer, live, _ => true);
        WriteFailedActions(writer, live, zone);
        if (full)
        {
            WriteNodeAttributes(writer, live);
            WriteMigrationSummary(writer, live, zone);
        }
    }

    /// <summary>crm_mon's "Cluster Summary" block.</summary>
    public static void WriteSummary(TextWriter writer, LiveCluster live, HistoryEntry? lastChange, DateTimeOffset now, TimeZoneInfo zone, string indent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(live);
        var membership = live.Membership;
        writer.Write($"{indent}Cluster Summary:\n");
        writer.Write($"{indent}  * Stack: clusterd (Raft)\n");
        var quorum = membership.HasQuorum ? "partition with quorum" : "partition WITHOUT quorum";
        writer.Write(membership.Leader.Length > 0
            ? $"{indent}  * Current DC: {membership.Leader} (term {membership.Term}) - {quorum}\n"
            : $"{indent}  * Current DC: NONE\n");
        writer.Write($"{indent}  * Last updated: {OperationFailures.CTime(now, zone)}{(membership.LocalNode.Length > 0 ? $" on {membership.LocalNode}" : "")}\n");
        if (lastChange is not null)
        {
            writer.Write($"{indent}  * Last change:  {OperationFailures.CTime(DateTimeOffset.FromUnixTimeMilliseconds(lastChange.TimestampUnixMs), zone)} by {lastChange.Author} (epoch {lastChange.Epoch})\n");
        }

        writer.Write($"{indent}  * {Nodes(live).Count} nodes configured\n");
        if (live.Transition is { } transition)
        {
            var (instances, disabled, blocked) = ClusterStatusWriter.CountInstances(transition.Current);
            var extra = new List<string>();
            if (disabled > 0)
            {
                extra.Add($"{disabled} DISABLED");
            }

            if (blocked > 0)
            {
                extra.Add($"{blocked} BLOCKED from further action due to failure");
            }

            writer.Write($"{indent}  * {instances} resource instance{(instances == 1 ? "" : "s")} configured{(extra.Count > 0 ? $" ({string.Join(", ", extra)})" : "")}\n");
        }
    }

    /// <summary>crm_mon's "Node List" block.</summary>
    public static void WriteNodeList(TextWriter writer, IReadOnlyList<NodeLine> nodes, string indent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(nodes);
        writer.Write($"{indent}Node List:\n");
        var online = new List<string>();
        var offline = new List<string>();
        foreach (var node in nodes)
        {
            string? mode = null;
            if (node.Standby)
            {
                mode = node.Online ? node.HasActiveResources ? "standby (with active resources)" : "standby" : "OFFLINE (standby)";
            }
            else if (node.Maintenance)
            {
                mode = node.Online ? "maintenance" : "OFFLINE (maintenance)";
            }

            if (mode is null)
            {
                (node.Online ? online : offline).Add(node.Name);
            }
            else
            {
                writer.Write($"{indent}  * Node {node.Name}: {mode}\n");
            }
        }

        if (online.Count > 0)
        {
            writer.Write($"{indent}  * Online: [ {string.Join(' ', online)} ]\n");
        }

        if (offline.Count > 0)
        {
            writer.Write($"{indent}  * OFFLINE: [ {string.Join(' ', offline)} ]\n");
        }
    }

    /// <summary>The resource list (those <paramref name="include"/> accepts), crm_mon's lines at depth 1.</summary>
    public static void WriteResources(TextWriter writer, LiveCluster live, Func<ResourceView, bool> include)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(include);
        if (live.Transition is not { } transition)
        {
            writer.Write($"  * resource state unknown: the policy engine cannot read this configuration: {live.EngineError}\n");
            return;
        }

        var view = transition.Current with { Resources = [.. transition.Current.Resources.Where(include)] };
        ClusterStatusWriter.WriteResources(writer, 1, view, Commands.SimulateCommand.StatusOptionsFor(live.Snapshot));
    }

    /// <summary>crm_mon's "Failed Resource Actions" (nothing when there is none).</summary>
    public static void WriteFailedActions(TextWriter writer, LiveCluster live, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(live);
        var failed = OperationFailures.Failed(live.Snapshot.Status);
        if (failed.Count == 0)
        {
            return;
        }

        writer.Write("\nFailed Resource Actions:\n");
        foreach (var action in failed)
        {
            writer.Write($"  * {OperationFailures.Line(action, zone)}\n");
        }
    }

    private static void WriteNodeAttributes(TextWriter writer, LiveCluster live)
    {
        var nodes = live.Snapshot.Configuration.Nodes.Where(n => n.Attributes.Any(s => s.Pairs.Length > 0)).ToList();
        if (nodes.Count == 0)
        {
            return;
        }

        writer.Write("\nNode Attributes:\n");
        foreach (var node in nodes.OrderBy(n => n.Name.Value, NodeNameOrder.Instance))
        {
            writer.Write($"  * Node: {node.Name}:\n");
            foreach (var pair in node.Attributes.SelectMany(s => s.Pairs))
            {
                writer.Write($"    * {pair.Name.PadRight(32)}\t: {pair.Value}\n");
            }
        }
    }

    private static void WriteMigrationSummary(TextWriter writer, LiveCluster live, TimeZoneInfo zone)
    {
        var counts = OperationFailures.FailCounts(live.Snapshot.Status);
        if (counts.Count == 0)
        {
            return;
        }

        writer.Write("\nMigration Summary:\n");
        foreach (var byNode in counts.GroupBy(c => c.Node))
        {
            writer.Write($"  * Node: {byNode.Key}:\n");
            foreach (var byResource in byNode.GroupBy(c => c.Resource))
            {
                var total = byResource.Aggregate(Score.Zero, (sum, c) => sum + c.Count);
                var last = byResource.Max(c => c.LastFailure);
                var threshold = MigrationThreshold(live.Snapshot.Configuration, byResource.Key);
                writer.Write($"    * {byResource.Key}: migration-threshold={threshold} fail-count={total}"
                             + (last is { } l ? $" last-failure='{OperationFailures.CTime(DateTimeOffset.FromUnixTimeSeconds(l), zone)}'" : "") + ":\n");
            }
        }
    }

    /// <summary>The status as JSON (for scripts).</summary>
    public static JsonObject Json(LiveCluster live, HistoryEntry? lastChange, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(live);
        var membership = live.Membership;
        var configuration = live.Snapshot.Configuration;
        return new JsonObject
        {
            ["cluster_name"] = Property(configuration, "cluster-name"),
            ["stack"] = "clusterd",
            ["local_node"] = membership.LocalNode,
            ["dc"] = membership.Leader.Length > 0 ? membership.Leader : null,
            ["quorum"] = membership.HasQuorum,
            ["epoch"] = membership.Epoch,
            ["term"] = membership.Term,
            ["applied_index"] = membership.AppliedIndex,
            ["last_updated"] = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["last_change"] = lastChange is null ? null : new JsonObject
            {
                ["time"] = DateTimeOffset.FromUnixTimeMilliseconds(lastChange.TimestampUnixMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["author"] = lastChange.Author,
                ["epoch"] = lastChange.Epoch,
            },
            ["warnings"] = new JsonArray([.. Warnings(live).Select(w => JsonValue.Create(w))]),
            ["engine_error"] = live.EngineError,
            ["nodes"] = new JsonArray([.. Nodes(live).Select(n => (JsonNode)new JsonObject
            {
                ["name"] = n.Name,
                ["online"] = n.Online,
                ["standby"] = n.Standby,
                ["maintenance"] = n.Maintenance,
                ["leader"] = n.Leader,
                ["local"] = n.Local,
                ["membership"] = n.Membership,
            })]),
            ["resources"] = new JsonArray([.. (live.Transition?.Current.Resources ?? []).Select(ResourceJson)]),
            ["failed_actions"] = new JsonArray([.. OperationFailures.Failed(live.Snapshot.Status).Select(f => (JsonNode)new JsonObject
            {
                ["resource"] = f.Resource,
                ["node"] = f.Node.Value,
                ["operation"] = f.Operation.Operation,
                ["key"] = f.Operation.OperationKey,
                ["interval_ms"] = (long)f.Operation.Interval.TotalMilliseconds,
                ["rc"] = f.Operation.RcCode,
                ["rc_text"] = OperationFailures.ExitCodeText(f.Operation.RcCode),
                ["status"] = OperationFailures.ExecStatusText(f.Operation.ExecStatus),
                ["exit_reason"] = f.Operation.ExitReason,
                ["call_id"] = f.Operation.CallId,
                ["last_rc_change_unix"] = f.Operation.LastRcChange,
            })]),
            ["fail_counts"] = new JsonArray([.. OperationFailures.FailCounts(live.Snapshot.Status).Select(c => (JsonNode)new JsonObject
            {
                ["resource"] = c.Resource,
                ["node"] = c.Node.Value,
                ["operation"] = c.Operation,
                ["interval_ms"] = c.IntervalMs,
                ["count"] = c.Count.ToString(),
            })]),
        };
    }

    /// <summary>One resource of the engine's view as JSON.</summary>
    public static JsonNode ResourceJson(ResourceView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view switch
        {
            PrimitiveView p => new JsonObject
            {
                ["id"] = p.Id.Value,
                ["type"] = "primitive",
                ["agent"] = p.Agent,
                ["role"] = ResourceDisplay.RoleText(p.Role),
                ["active"] = !p.Nodes.IsEmpty,
                ["nodes"] = new JsonArray([.. p.Nodes.Select(n => JsonValue.Create(n.Value))]),
                ["failed"] = p.Failed,
                ["managed"] = p.Managed,
                ["disabled"] = p.Disabled,
                ["blocked"] = p.Blocked,
                ["orphaned"] = p.Orphaned,
                ["target_role"] = p.TargetRole is { } t ? ResourceDisplay.RoleText(t) : null,
            },
            GroupView g => new JsonObject
            {
                ["id"] = g.Id.Value,
                ["type"] = "group",
                ["managed"] = g.Managed,
                ["disabled"] = g.Disabled,
                ["members"] = new JsonArray([.. g.Members.Select(ResourceJson)]),
            },
            CloneView c => new JsonObject
            {
                ["id"] = c.Id.Value,
                ["type"] = "clone",
                ["promotable"] = c.Promotable,
                ["unique"] = c.Unique,
                ["managed"] = c.Managed,
                ["disabled"] = c.Disabled,
                ["instances"] = new JsonArray([.. c.Instances.Select(ResourceJson)]),
            },
            _ => new JsonObject { ["id"] = view.Id.Value },
        };
    }

    /// <summary>A cluster property's value from sets without rules, higher-scored sets first.</summary>
    public static string? Property(ClusterConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Properties.Where(set => set.Rule is null).OrderByDescending(set => set.Score)
            .SelectMany(set => set.Pairs).FirstOrDefault(pair => pair.Name == name)?.Value;
    }

    private static string? NodeAttribute(NodeConfig? node, string name) =>
        node?.Attributes.Where(s => s.Rule is null).SelectMany(s => s.Pairs).FirstOrDefault(p => p.Name == name)?.Value;

    private static string MigrationThreshold(ClusterConfiguration configuration, string resource)
    {
        var id = ResourceDisplay.BaseId(resource);
        var primitive = configuration.AllPrimitives().FirstOrDefault(p => p.Id.Value == id);
        var value = primitive?.Meta.SelectMany(s => s.Pairs).FirstOrDefault(p => p.Name == "migration-threshold")?.Value
                    ?? configuration.ResourceDefaults.SelectMany(s => s.Pairs).FirstOrDefault(p => p.Name == "migration-threshold")?.Value;
        return value ?? "1000000";
    }

    private static bool IsTrue(string? value) => value?.Trim().ToLowerInvariant() is "true" or "on" or "yes" or "y" or "1";

    private static bool IsFalse(string value) => value.Trim().ToLowerInvariant() is "false" or "off" or "no" or "n" or "0";
}
