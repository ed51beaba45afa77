using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ClusterManager.Model;

namespace ClusterManager.Policy.Scheduling;

// What the run produces: the transition summary (LogActions / rsc_action_default of 2.1.5), the actions as a
// graph, the cluster as it will be once every runnable required action ran, and the placement reasons.
internal sealed partial class Scheduler
{
    private readonly Dictionary<WResource, (bool Managed, bool Blocked, bool Orphan, bool FailureIgnored, bool Failed)> _displayFlags = [];

    private static bool InGraph(WAction a) => (!a.Optional || a.PrintAlways) && a.Runnable;

    private List<ResourceChange> Summarize()
    {
        var changes = new List<ResourceChange>();

        // Pacemaker prepends every new action to its list, so node actions print newest first.
        for (var i = _actions.Count - 1; i >= 0; i--)
        {
            var action = _actions[i];
            if (action.Rsc is not null || action.Optional)
            {
                continue;
            }

            if (action.Task == "stonith")
            {
                changes.Add(new ResourceChange(ChangeKind.Fence, action.Node!.Name.Value, null, action.Node.Name, null, null,
                    action.Reason, false) with { Subject = $"({action.FenceAction}) {action.Node.Name}" });
            }
        }

        foreach (var rsc in _resources)
        {
            LogActions(rsc, changes);
        }

        return changes;
    }

    private void LogActions(WResource rsc, List<ResourceChange> changes)
    {
        if (rsc.Children.Count > 0)
        {
            foreach (var child in rsc.Children)
            {
                LogActions(child, changes);
            }

            return;
        }

        var next = rsc.AllocatedTo;
        WNode? current = null;
        if (rsc.RunningOn.Count > 0)
        {
            current = rsc.CurrentNode;
            if (rsc.Role == ResourceRole.Stopped)
            {
                rsc.Role = ResourceRole.Started;
            }
        }

        if (current is null && rsc.Orphan)
        {
            return;
        }

        RscAction(rsc, current, next, changes);
    }

    private WAction? LastMatch(WResource rsc, string task, WNode? node)
    {
        WAction? found = null;
        foreach (var a in rsc.ActionsOf(task))
        {
            if (a.IntervalMs == 0 && !a.Probe && (node is null || a.Node is null || a.Node == node))
            {
                found ??= a;
            }
        }

        return found;
    }

    private void RscAction(WResource rsc, WNode? current, WNode? next, List<ResourceChange> changes)
    {
        if (!rsc.Managed || (current is null && next is null))
        {
            return;
        }

        var moving = current is not null && next is not null && current != next;
        var start = LastMatch(rsc, "start", next);
        var startNode = start is null || !start.Runnable ? null : current;
        var stop = LastMatch(rsc, "stop", startNode);
        if (stop is null && rsc.StopUnexpected)
        {
            stop = LastMatch(rsc, "stop", null);
        }

        var promote = LastMatch(rsc, "promote", next);
        var demote = LastMatch(rsc, "demote", next);

        void Item(ChangeKind kind, WNode? origin, WNode? destination, WAction action, WAction? source)
        {
            source ??= action;
            changes.Add(new ResourceChange(kind, rsc.Id, origin?.Name, destination?.Name, rsc.Role, rsc.NextRole,
                source.Reason, !action.Runnable));
        }

        if (rsc.Role == rsc.NextRole)
        {
            if (next is null)
            {
                return;
            }

            if (current is not null && rsc.AllowMigrate && LastMatch(rsc, "migrate_from", next) is { Runnable: true } migrateFrom)
            {
                Item(ChangeKind.Migrate, current, next, start ?? migrateFrom, null);
            }
            else if (rsc.Reload)
            {
                Item(ChangeKind.Reload, current, next, start ?? FindFirstAction(rsc, ReloadTask, null)!, null);
            }
            else if (start is null || start.Optional)
            {
                if (demote is not null && promote is not null && !demote.Optional && !promote.Optional)
                {
                    Item(ChangeKind.RePromote, current, next, promote, demote);
                }
            }
            else if (!start.Runnable)
            {
                Item(ChangeKind.Stop, current, null, stop ?? start, stop is { Reason: not null } ? stop : start);
            }
            else if (moving && current is not null)
            {
                Item(rsc.Failed ? ChangeKind.Recover : ChangeKind.Move, current, next, stop ?? start, null);
            }
            else if (rsc.Failed)
            {
                Item(ChangeKind.Recover, current, null, stop ?? start, null);
            }
            else
            {
                Item(ChangeKind.Restart, current, next, start, null);
            }

            return;
        }

        if (stop is not null && (rsc.NextRole == ResourceRole.Stopped || (start is not null && !start.Runnable)))
        {
            foreach (var node in rsc.RunningOn)
            {
                var stopOp = rsc.Actions.LastOrDefault(a => a.Task == "stop" && a.Node == node && !a.Probe);
                stopOp = rsc.Actions.FirstOrDefault(a => a.Task == "stop" && a.Node == node) ?? stopOp;
                var source = stopOp is { Reason: not null } ? stopOp : start;
                changes.Add(new ResourceChange(ChangeKind.Stop, rsc.Id, node.Name, null, rsc.Role, rsc.NextRole,
                    (source ?? stopOp)?.Reason, stopOp is null || !stopOp.Runnable));
            }
        }
        else if (stop is not null && rsc.Failed && rsc.StopFlag)
        {
            Item(ChangeKind.Recover, current, next, stop, start);
        }
        else if (moving)
        {
            Item(ChangeKind.Move, current, next, stop ?? start!, null);
        }
        else if (rsc.Reload)
        {
            Item(ChangeKind.Reload, current, next, start ?? FindFirstAction(rsc, ReloadTask, null)!, null);
        }
        else if (stop is not null && !stop.Optional)
        {
            Item(ChangeKind.Restart, current, next, start ?? stop, null);
        }
        else if (rsc.Role == ResourceRole.Promoted)
        {
            if (demote is not null)
            {
                Item(ChangeKind.Demote, current, next, demote, null);
            }
        }
        else if (rsc.NextRole == ResourceRole.Promoted)
        {
            if (promote is not null)
            {
                Item(ChangeKind.Promote, current, next, promote, null);
            }
        }
        else if (rsc.Role == ResourceRole.Stopped && rsc.NextRole > ResourceRole.Stopped && start is not null)
        {
            Item(ChangeKind.Start, current, next, start, null);
        }
    }

    // ---- views ------------------------------------------------------------------------------------------

    private ClusterView BuildView(bool projected)
    {
        ProjectedState? state = projected ? Project() : null;

        // Which nodes anything is placed on, in one pass over the placements (not one pass per node).
        var activeAfter = new bool[_nodes.Count];
        if (state is not null)
        {
            foreach (var (_, placed, _) in state.Value.Placement.Values)
            {
                foreach (var n in placed)
                {
                    activeAfter[n.Index] = true;
                }
            }
        }

        var nodes = ImmutableArray.CreateBuilder<NodeView>();
        foreach (var node in _nodes)
        {
            var online = node.Online;
            var unclean = node.Unclean;
            var shutdown = node.Shutdown;
            var hasActive = node.Running.Count > 0;
            if (state is not null)
            {
                if (state.Value.DownNodes.Contains(node))
                {
                    online = false;
                    unclean = false;
                    shutdown = false;
                }

                hasActive = activeAfter[node.Index];
            }

            var standby = node.Standby && !node.Pending;
            var condition = unclean ? NodeCondition.Unclean
                : !online ? NodeCondition.Offline
                : node.Pending ? NodeCondition.Pending
                : node.Standby ? NodeCondition.Standby
                : node.Maintenance ? NodeCondition.Maintenance
                : NodeCondition.Online;
            nodes.Add(new NodeView(node.Name, condition, online, unclean, standby, node.Maintenance, shutdown, hasActive));
        }

        var resources = ImmutableArray.CreateBuilder<ResourceView>();
        foreach (var rsc in _resources.OrderBy(r => r.DocumentIndex))
        {
            resources.Add(ViewOf(rsc, state));
        }

        return new ClusterView(nodes.ToImmutable(), resources.ToImmutable());
    }

    private ResourceView ViewOf(WResource rsc, ProjectedState? state)
    {
        switch (rsc.Variant)
        {
            case Variant.Group:
                return new GroupView(new ResourceId(rsc.Id),
                    [.. rsc.Children.Select(c => (PrimitiveView)ViewOf(c, state))],
                    rsc.Managed, rsc.TargetRole == ResourceRole.Stopped);
            case Variant.Clone:
                var instances = rsc.Children
                    .OrderBy(c => InstanceNumber(c.Id))
                    .Select(c => ViewOf(c, state))
                    .ToImmutableArray();
                return new CloneView(new ResourceId(rsc.Id), rsc.Unique, rsc.Promotable, instances,
                    rsc.Managed, rsc.TargetRole == ResourceRole.Stopped);
        }

        if (!_displayFlags.TryGetValue(rsc, out var flags))
        {
            flags = (rsc.Managed, rsc.Blocked, rsc.Orphan, rsc.FailureIgnored, rsc.Failed);
            _displayFlags[rsc] = flags;
        }

        var role = rsc.Role;
        var nodes = rsc.RunningOn.Select(n => n.Name).ToImmutableArray();
        var failed = flags.Failed;
        var pending = rsc.PendingTask;
        if (state is { } s && s.Placement.TryGetValue(rsc, out var p))
        {
            role = p.Role;
            nodes = [.. p.Nodes.Select(n => n.Name)];
            failed = failed && !p.Touched;
            if (p.Touched)
            {
                pending = null;

                // The revised status still holds the pending operation: Pacemaker shows its node (pending_node).
                if (nodes.Length == 0 && rsc.PendingNode is { } pn)
                {
                    nodes = [pn.Name];
                }
            }
        }

        var agent = rsc.Primitive?.Agent ?? string.Empty;
        return new PrimitiveView(new ResourceId(rsc.Id), agent, nodes.Length == 0 && role > ResourceRole.Stopped ? ResourceRole.Stopped : role,
            nodes, failed, flags.Managed, flags.Blocked, flags.Orphan, flags.FailureIgnored,
            rsc.TargetRole == ResourceRole.Stopped, rsc.TargetRole, pending);
    }

    private static int InstanceNumber(string id)
    {
        var colon = id.LastIndexOf(':');
        return colon >= 0 && int.TryParse(id[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private readonly record struct ProjectedState(
        Dictionary<WResource, (ResourceRole Role, List<WNode> Nodes, bool Touched)> Placement,
        HashSet<WNode> DownNodes);

    private ProjectedState? _projected;

    /// <summary>The cluster after every required, runnable action of the transition has succeeded.</summary>
    private ProjectedState Project()
    {
        if (_projected is { } cached)
        {
            return cached;
        }

        var down = new HashSet<WNode>();
        foreach (var a in _actions)
        {
            // crm_simulate confirms a shutdown without changing the node's state: only fencing takes a node down.
            if (InGraph(a) && a.Node is not null && a.Task == "stonith" && a.FenceAction != "on")
            {
                down.Add(a.Node);
            }
        }

        var placement = new Dictionary<WResource, (ResourceRole, List<WNode>, bool)>(_resourcesById.Count);
        foreach (var rsc in AllPrimitives())
        {
            var nodes = new List<WNode>(rsc.RunningOn.Count);
            var touched = false;
            foreach (var n in rsc.RunningOn)
            {
                if (down.Contains(n))
                {
                    touched = true;
                }
                else
                {
                    nodes.Add(n);
                }
            }

            var role = rsc.Role;
            var promotable = rsc.Top.Promotable;
            foreach (var a in rsc.Actions)
            {
                if (!InGraph(a) || a.Node is null || a.Probe)
                {
                    continue;
                }

                switch (a.Task)
                {
                    case "stop":
                        nodes.Remove(a.Node);
                        touched = true;
                        break;
                    case "demote":
                        role = ResourceRole.Unpromoted;
                        touched = true;
                        break;
                }
            }

            var promoted = false;
            foreach (var a in rsc.Actions)
            {
                if (!InGraph(a) || a.Node is null || a.Probe || down.Contains(a.Node))
                {
                    continue;
                }

                switch (a.Task)
                {
                    case "start":
                        if (!nodes.Contains(a.Node))
                        {
                            nodes.Add(a.Node);
                        }

                        role = promotable ? ResourceRole.Unpromoted : ResourceRole.Started;
                        touched = true;
                        break;
                    case "promote":
                        promoted = true;
                        touched = true;
                        break;
                }
            }

            // A promote follows the start in the transition, whichever of the two the resource lists first (a restart
            // for a definition change of a promoted instance: bug-pm-12).
            if (promoted)
            {
                role = ResourceRole.Promoted;
            }

            if (nodes.Count == 0)
            {
                role = ResourceRole.Stopped;
            }
            else if (role <= ResourceRole.Stopped)
            {
                role = promotable ? ResourceRole.Unpromoted : ResourceRole.Started;
            }

            placement[rsc] = (role, nodes, touched);
        }

        _projected = new ProjectedState(placement, down);
        return _projected.Value;
    }

    // ---- export -----------------------------------------------------------------------------------------

    private ImmutableArray<PlannedAction> ExportActions()
    {
        var exported = 0;
        foreach (var a in _actions)
        {
            if (!a.Optional)
            {
                exported++;
            }
        }

        var result = ImmutableArray.CreateBuilder<PlannedAction>(exported);
        var scratch = new List<int>();
        foreach (var a in _actions)
        {
            if (a.Optional)
            {
                continue;
            }

            var kind = a.Task switch
            {
                "start" => ActionKind.Start,
                "stop" => ActionKind.Stop,
                "monitor" => a.Probe || a.IntervalMs == 0 ? ActionKind.Probe : ActionKind.Monitor,
                "promote" => ActionKind.Promote,
                "demote" => ActionKind.Demote,
                "migrate_to" => ActionKind.MigrateTo,
                "migrate_from" => ActionKind.MigrateFrom,
                ReloadTask => ActionKind.Reload,
                "stonith" => ActionKind.Fence,
                "clear_failcount" => ActionKind.ClearFailcount,
                "do_shutdown" => ActionKind.Shutdown,
                _ => ActionKind.Pseudo,
            };
            if (a.Pseudo)
            {
                kind = ActionKind.Pseudo;
            }

            result.Add(new PlannedAction(a.Id, kind, a.Key, a.Rsc is null ? null : new ResourceId(a.Rsc.Id),
                a.Node?.Name, TimeSpan.FromMilliseconds(a.IntervalMs), a.Runnable, a.FenceAction, a.Reason, InputsOf(a, scratch))
            {
                Detail = kind is ActionKind.Start or ActionKind.Stop or ActionKind.Monitor or ActionKind.Probe
                    or ActionKind.Promote or ActionKind.Demote or ActionKind.MigrateTo or ActionKind.MigrateFrom or ActionKind.Reload ? DetailOf(a) : null,
            });
        }

        return result.MoveToImmutable();
    }

    /// <summary>The ids of the actions in the graph an action waits for, sorted, without duplicates.</summary>
    private static ImmutableArray<int> InputsOf(WAction a, List<int> scratch)
    {
        scratch.Clear();
        foreach (var e in a.Before)
        {
            // should_add_input_to_graph: an optional input counts when it is in the graph anyway (print_always: the
            // clone-min pseudo-action once an instance starts).
            if (e.Type != OrderFlags.None && (!e.Action.Optional || e.Action.PrintAlways))
            {
                scratch.Add(e.Action.Id);
            }
        }

        if (scratch.Count == 0)
        {
            return [];
        }

        scratch.Sort();
        var distinct = 1;
        for (var i = 1; i < scratch.Count; i++)
        {
            if (scratch[i] != scratch[i - 1])
            {
                distinct++;
            }
        }

        var inputs = new int[distinct];
        inputs[0] = scratch[0];
        for (int i = 1, j = 1; i < scratch.Count; i++)
        {
            if (scratch[i] != scratch[i - 1])
            {
                inputs[j++] = scratch[i];
            }
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(inputs);
    }

    /// <summary>The default operation timeout when neither the operation nor op_defaults set one (Pacemaker's 20 s).</summary>
    private static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromSeconds(20);

    // Every probe of a resource (one per node) and every operation of it with the same task and interval has the
    // same detail: built once per (resource, task, interval, probe) and shared, the record being immutable
    // (kept on the resource: WResource.FindDetail).
    private ActionDetail? DetailOf(WAction a)
    {
        if (a.Rsc is not { Primitive: { } primitive } rsc || a.Node is null)
        {
            return null;
        }

        if (rsc.FindDetail(a.Task, a.IntervalMs, a.Probe) is not { } detail)
        {
            detail = BuildDetail(a, rsc, primitive);
            rsc.AddDetail(a.Task, a.IntervalMs, a.Probe, detail);
        }

        return detail;
    }

    private ActionDetail BuildDetail(WAction a, WResource rsc, Model.Configuration.PrimitiveConfig primitive)
    {
        // A reload runs with the start's parameters, and its result is recorded as a start with the start's digest;
        // its timeout is its own operation's (else the defaults').
        var parametersTask = a.Task == ReloadTask ? "start" : a.Task;
        var op = FindOpConfig(rsc, parametersTask, a.IntervalMs);
        var parameters = HasOwnParameters(op)
            ? OperationParameters(rsc.Parameters, op).ToImmutableSortedDictionary(StringComparer.Ordinal)
            : SortedCopy(rsc.Parameters);

        var timeout = OperationTimeout(a.Task == ReloadTask ? FindOpConfig(rsc, ReloadTask, 0) : op);
        var expectedRc = a.Probe || (a.Task == "monitor" && a.IntervalMs == 0)
            ? 7
            : a.Task == "monitor" && op?.Role == ResourceRole.Promoted ? 8 : 0;
        var historyId = rsc.Unique ? rsc.Id : primitive.Id.Value;
        var meta = SortedCopy(rsc.Meta);
        if (a.Task is "migrate_to" or "migrate_from" && (FindFirstAction(rsc, "migrate_to", null)?.Node ?? rsc.PartialMigrationSource) is { } source && rsc.AllocatedTo is { } target)
        {
            // add_migration_meta: the agent learns both ends of the migration.
            meta = meta.SetItem("migrate_source", source.Name.Value).SetItem("migrate_target", target.Name.Value);
        }

        return new ActionDetail(primitive.Class, primitive.Provider, primitive.Type, historyId,
            parameters,
            meta,
            timeout, expectedRc, Recurring: a.IntervalMs > 0);
    }

    // Details are built last, when every resource's parameters and meta attributes are final; the resources built
    // from one configuration share those dictionaries (CachedParameters, CachedMeta: a clone's instances, the
    // operations of one resource), so they share one sorted, immutable copy of each as well.
    private readonly Dictionary<Dictionary<string, string>, ImmutableSortedDictionary<string, string>> _sortedCopies =
        new(ReferenceEqualityComparer.Instance);

    private ImmutableSortedDictionary<string, string> SortedCopy(Dictionary<string, string> source)
    {
        if (!_sortedCopies.TryGetValue(source, out var copy))
        {
            copy = source.ToImmutableSortedDictionary(StringComparer.Ordinal);
            _sortedCopies[source] = copy;
        }

        return copy;
    }

    /// <summary>An operation's timeout: its own, else the operation defaults' (through OpSetting), else 20 s.</summary>
    private TimeSpan OperationTimeout(Model.Configuration.OperationConfig? op) =>
        op?.Timeout ?? (Durations.TryParse(OpSetting(op, "timeout"), out var t) && t > TimeSpan.Zero ? t : DefaultOperationTimeout);

    /// <summary>
    /// Every primitive, in the order of _resources and their children, taken at the first call: for the output
    /// only, once assignment has re-sorted clone instances (the resource set itself is final after unpacking).
    /// </summary>
    private List<WResource> AllPrimitives()
    {
        if (_allPrimitives is null)
        {
            _allPrimitives = new List<WResource>(_resourcesById.Count);
            foreach (var rsc in _resources)
            {
                AddPrimitives(rsc, _allPrimitives);
            }
        }

        return _allPrimitives;

        static void AddPrimitives(WResource rsc, List<WResource> into)
        {
            if (rsc.Variant == Variant.Primitive)
            {
                into.Add(rsc);
                return;
            }

            foreach (var child in rsc.Children)
            {
                AddPrimitives(child, into);
            }
        }
    }

    private List<WResource>? _allPrimitives;

    private ImmutableArray<Placement> ExportPlacements()
    {
        var state = Project();
        var result = ImmutableArray.CreateBuilder<Placement>(_resourcesById.Count);
        foreach (var rsc in _resources.OrderBy(r => r.DocumentIndex).SelectMany(r => r.Primitives()))
        {
            var (role, nodes, _) = state.Placement[rsc];
            result.Add(new Placement(new ResourceId(rsc.Id), role, nodes.FirstOrDefault()?.Name, ReasonFor(rsc, nodes)));
        }

        return result.ToImmutable();
    }

    private string ReasonFor(WResource rsc, List<WNode> finalNodes)
    {
        // The best two nodes and how many are banned, in one pass: enough to answer "why there?" cheaply.
        WNode? first = null, second = null;
        int allowed = 0, banned = 0;
        foreach (var n in _nodes)
        {
            if (rsc.Allowed[n.Index] is not { } sc)
            {
                continue;
            }

            allowed++;
            if (sc.IsMinusInfinity || sc.Value <= InfinityHack)
            {
                banned++;
            }

            if (first is null || Better(n, first))
            {
                second = first;
                first = n;
            }
            else if (second is null || Better(n, second))
            {
                second = n;
            }
        }

        bool Better(WNode a, WNode b)
        {
            var (va, vb) = (rsc.Allowed[a.Index]!.Value.Value, rsc.Allowed[b.Index]!.Value.Value);
            return va != vb ? va > vb : string.CompareOrdinal(a.Name.Value, b.Name.Value) < 0;
        }

        // One string per placement (tens of thousands of them): the parts go into one reused builder.
        var text = _reasonText.Clear();
        if (!rsc.Managed)
        {
            text.Append("unmanaged: left where it is");
        }
        else if (rsc.AllocatedTo is { } target)
        {
            text.Append(finalNodes.Contains(target) ? "assigned" : "assigned but its actions cannot run")
                .Append(" to ").Append(target.Name.Value);
            if (FindFirstAction(rsc, "start", target) is { Runnable: false, Reason: { } r })
            {
                text.Append(" (").Append(r).Append(')');
            }

            text.Append(": highest score among available nodes");
        }
        else
        {
            var stop = FindFirstAction(rsc, "stop", null);
            text.Append("stopped: ").Append(rsc.NextRole == ResourceRole.Stopped && rsc.TargetRole == ResourceRole.Stopped ? "target-role is Stopped"
                : StopEverything ? "stop-all-resources is set"
                : stop?.Reason ?? "no available node has a score >= 0");
        }

        text.Append("; best scores ");
        if (first is null)
        {
            return text.Append("none").ToString();
        }

        Show(text, first);
        if (second is not null)
        {
            Show(text.Append(", "), second);
        }

        return text.Append(CultureInfo.InvariantCulture, $" ({allowed} nodes scored, {banned} at -INFINITY)").ToString();

        void Show(StringBuilder into, WNode n)
        {
            var score = rsc.Allowed[n.Index]!.Value;
            into.Append(n.Name.Value).Append('=');
            // Score's own text, with InfinityHack (far below -INFINITY) printed as -INFINITY too.
            if (score.Value <= -Score.InfinityValue)
            {
                into.Append("-INFINITY");
            }
            else if (score.Value >= Score.InfinityValue)
            {
                into.Append("INFINITY");
            }
            else
            {
                into.Append(CultureInfo.InvariantCulture, $"{score.Value}");
            }

            into.Append(n.CanRunResources ? "" : " (unavailable)");
        }
    }

    private readonly StringBuilder _reasonText = new();
}
