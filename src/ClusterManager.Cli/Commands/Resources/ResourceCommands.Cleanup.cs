using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Editing;
using ClusterManager.Cli.Output;

namespace ClusterManager.Cli.Commands.Resources;

internal static partial class ResourceCommands
{
    private const string CleanupUsage = """
        Usage: hactl resource cleanup [RESOURCE_ID] [node=NODE | --node NODE]

        Forgets a resource's failed operations so the cluster probes it again and its fail counts start over (as
        pcs resource cleanup). Without RESOURCE_ID: every resource with a failed operation. With a node: only there.
        """;

    private static readonly CommandDefinition Cleanup = ClusterCommand.Define(
        ["resource", "cleanup"], "forget failed operations of resources (re-probe)", CleanupUsage, (call, ct) => CleanupAsync(call, refresh: false, ct));

    private const string RefreshUsage = """
        Usage: hactl resource refresh [RESOURCE_ID] [node=NODE | --node NODE]

        Forgets the whole operation history of a resource (all resources without RESOURCE_ID), so the cluster probes
        it again everywhere (as pcs resource refresh).
        """;

    private static readonly CommandDefinition Refresh = ClusterCommand.Define(
        ["resource", "refresh"], "forget the operation history of resources (re-probe)", RefreshUsage, (call, ct) => CleanupAsync(call, refresh: true, ct));

    private const string FailcountUsage = """
        Usage: hactl resource failcount [show] [RESOURCE_ID] [node=NODE] [operation=OPERATION] [--full] [--output json]
               hactl resource failcount reset [RESOURCE_ID] [node=NODE]

        Shows fail counts (per node, with --full per operation); 'reset' clears them (= resource cleanup).
        """;

    private static readonly CommandDefinition FailcountShow = ClusterCommand.Define(
        ["resource", "failcount", "show"], "show fail counts", FailcountUsage, FailcountAsync);

    private static readonly CommandDefinition Failcount = ClusterCommand.Define(
        ["resource", "failcount"], "show fail counts (= resource failcount show)", FailcountUsage, FailcountAsync);

    private static readonly CommandDefinition FailcountReset = ClusterCommand.Define(
        ["resource", "failcount", "reset"], "reset fail counts (= resource cleanup)", FailcountUsage, (call, ct) => CleanupAsync(call, refresh: false, ct));

    /// <summary>resource cleanup / refresh (also stonith cleanup / refresh).</summary>
    internal static async Task<int> CleanupAsync(ClusterCall call, bool refresh, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var node = args.TakeOption("--node");
        args.TakeFlag("--strict");
        args.TakeFlag("--force");
        string? id = null;
        if (!args.AtEnd && !args.Peek()!.Contains('=', StringComparison.Ordinal))
        {
            id = args.Take("resource id");
        }

        foreach (var (name, value) in args.TakeNameValues())
        {
            switch (name)
            {
                case "node":
                    node = value;
                    break;
                case "operation" or "interval":
                    throw new UsageException($"{name}= is not supported: the whole history of the resource is cleaned up");
                default:
                    throw new UsageException($"unknown option '{name}=' (use node=NODE)");
            }
        }

        args.EnsureEnd();
        return await ClusterCommand.EditAsync(call, state =>
        {
            var status = state.Snapshot.Status;
            var nodes = status.Nodes.Where(n => node is null || n.Name.Value == node).OrderBy(n => n.Name.Value, NodeNameOrder.Instance).ToList();
            if (node is not null && nodes.Count == 0 && state.Snapshot.Configuration.Nodes.All(n => n.Name.Value != node))
            {
                return EditPlan.Fail($"node '{node}' has no recorded state (is it a cluster member?)");
            }

            HashSet<string> targets;
            if (id is not null)
            {
                var element = CibEdit.FindResource(state.Resources, id);
                var recorded = nodes.Any(n => n.Resources.Any(r => r.Id.Value == id));
                if (element is null && !recorded)
                {
                    return EditPlan.Fail($"resource '{id}' does not exist");
                }

                targets = element is null
                    ? [id]
                    : [.. CibEdit.Primitives(element).Select(p => (string)p.Attribute("id")!)];
            }
            else if (refresh)
            {
                targets = [.. nodes.SelectMany(n => n.Resources).Select(r => ResourceDisplay.BaseId(r.Id.Value))];
            }
            else
            {
                targets = [.. OperationFailures.Failed(status).Where(f => node is null || f.Node.Value == node).Select(f => ResourceDisplay.BaseId(f.Resource))];
                targets.UnionWith(OperationFailures.FailCounts(status).Where(f => node is null || f.Node.Value == node).Select(f => ResourceDisplay.BaseId(f.Resource)));
            }

            var changes = new List<Change>();
            var messages = new List<string>();
            foreach (var target in targets.Order(StringComparer.Ordinal))
            {
                var historyIds = nodes.SelectMany(n => n.Resources).Select(r => r.Id.Value)
                    .Where(h => h == target || ResourceDisplay.BaseId(h) == target)
                    .Distinct().Order(StringComparer.Ordinal).ToList();
                if (historyIds.Count == 0)
                {
                    historyIds.Add(target);
                }

                changes.AddRange(historyIds.Select(h => Changes.ClearHistory(h, node)));
                var on = nodes.Where(n => n.Resources.Any(r => historyIds.Contains(r.Id.Value))).Select(n => n.Name.Value).ToList();
                messages.AddRange(on.Count == 0
                    ? [$"Cleaned up {target} on {node ?? "all nodes"}"]
                    : on.Select(n => $"Cleaned up {target} on {n}"));
            }

            if (changes.Count == 0)
            {
                messages.Add(refresh ? "No resources to refresh" : "No failed resources to clean up");
            }

            return EditPlan.Of(changes, [.. messages]);
        }, cancellationToken, includeStatus: true).ConfigureAwait(false);
    }

    private static async Task<int> FailcountAsync(ClusterCall call, CancellationToken cancellationToken)
    {
        var args = call.Args;
        var format = ClusterCommand.TakeFormat(args);
        var full = args.TakeFlag("--full");
        string? id = null;
        if (!args.AtEnd && !args.Peek()!.Contains('=', StringComparison.Ordinal))
        {
            id = args.Take("resource id");
        }

        string? node = null;
        string? operation = null;
        foreach (var (name, value) in args.TakeNameValues())
        {
            switch (name)
            {
                case "node":
                    node = value;
                    break;
                case "operation":
                    operation = value;
                    break;
                case "interval":
                    break;
                default:
                    throw new UsageException($"unknown option '{name}=' (use node=NODE or operation=OPERATION)");
            }
        }

        args.EnsureEnd();
        var state = await call.Client.ReadStateAsync(true, cancellationToken).ConfigureAwait(false);
        var counts = OperationFailures.FailCounts(state.Snapshot.Status, id)
            .Where(c => (node is null || c.Node.Value == node) && (operation is null || c.Operation == operation)).ToList();
        if (format == OutputFormat.Json)
        {
            var array = new System.Text.Json.Nodes.JsonArray();
            foreach (var c in counts)
            {
                array.Add(new System.Text.Json.Nodes.JsonObject
                {
                    ["resource"] = c.Resource,
                    ["node"] = c.Node.Value,
                    ["operation"] = c.Operation,
                    ["interval_ms"] = c.IntervalMs,
                    ["count"] = c.Count.ToString(),
                    ["last_failure_unix"] = c.LastFailure,
                });
            }

            ClusterCommand.WriteJson(call.Out, array);
            return ExitCodes.Ok;
        }

        if (counts.Count == 0)
        {
            call.Out.Write(id is null ? "No failcounts\n" : $"No failcounts for resource '{id}'\n");
            return ExitCodes.Ok;
        }

        foreach (var byResource in counts.GroupBy(c => c.Resource).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            call.Out.Write($"Failcounts for resource '{byResource.Key}'\n");
            foreach (var byNode in byResource.GroupBy(c => c.Node))
            {
                if (full)
                {
                    call.Out.Write($"  {byNode.Key}:\n");
                    foreach (var c in byNode)
                    {
                        call.Out.Write($"    {c.Operation} {Model.Durations.Format(TimeSpan.FromMilliseconds(c.IntervalMs))}: {c.Count}\n");
                    }
                }
                else
                {
                    var total = byNode.Aggregate(Model.Score.Zero, (sum, c) => sum + c.Count);
                    call.Out.Write($"  {byNode.Key}: {total}\n");
                }
            }
        }

        return ExitCodes.Ok;
    }
}
