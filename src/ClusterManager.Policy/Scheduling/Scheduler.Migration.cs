using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Policy.Scheduling;

// Live migration (allow-migrate) as Pacemaker 2.1.5 has it: the migration history in unpack.c
// (unpack_migrate_to_success, unpack_migrate_to_failure, unpack_migrate_from_failure: partial and dangling
// migrations) and the migration actions of pcmk_sched_migration.c (pcmk__rsc_can_migrate,
// pcmk__create_migration_actions, pcmk__abort_dangling_migration, pcmk__order_migration_equivalents).
// Nothing here runs unless some resource allows migration or some history records a migration.
internal sealed partial class Scheduler
{
    /// <summary>Some resource has allow-migrate (pe_rsc_allow_migrate): only then are migration orderings looked for.</summary>
    internal bool AnyMigratable { get; private set; }

    // The status section by (node name, history id), built on the first migration record met: find_lrm_resource and
    // find_lrm_op look other nodes' histories up by name (xpath; more than one match counts as none).
    private Dictionary<(string Node, string Rsc), List<ResourceHistory>>? _historyIndex;

    // Probes to order before a migration action (the probe of a resource, "RSC_monitor_0", then migrate_to or
    // migrate_from): applied with the orderings, once the probes exist.
    private readonly List<(WResource Rsc, WAction Then)> _migrationProbeOrders = [];

    /// <summary>The histories of the resource on the node (the node named by its node_state), usually one.</summary>
    private List<ResourceHistory>? FindLrmResources(string rscId, string? nodeName)
    {
        if (nodeName is null)
        {
            return null;
        }

        if (_historyIndex is null)
        {
            _historyIndex = [];
            foreach (var state in _snapshot.Status.Nodes)
            {
                foreach (var history in state.Resources)
                {
                    var key = (state.Name.Value, history.Id.Value);
                    if (!_historyIndex.TryGetValue(key, out var list))
                    {
                        list = [];
                        _historyIndex[key] = list;
                    }

                    list.Add(history);
                }
            }
        }

        return _historyIndex.GetValueOrDefault((nodeName, rscId));
    }

    /// <summary>find_lrm_resource: the one history of the resource on the node (none when there are several).</summary>
    private ResourceHistory? FindHistory(string rscId, string? nodeName) =>
        FindLrmResources(rscId, nodeName) is [var history] ? history : null;

    /// <summary>
    /// find_lrm_op: the one operation of the resource on the node with this task (for migrate_to the given migration
    /// target, for migrate_from the given source), and, where <paramref name="targetRc"/> is not negative, completed
    /// with that rc; none when several match.
    /// </summary>
    private OperationRecord? FindLrmOp(string rscId, string task, string? nodeName, string? other, int targetRc)
    {
        if (FindLrmResources(rscId, nodeName) is not { } histories)
        {
            return null;
        }

        OperationRecord? match = null;
        var matches = 0;
        foreach (var history in histories)
        {
            if (history.Operations.IsDefault)
            {
                continue;
            }

            foreach (var op in history.Operations)
            {
                if (op.Operation != task
                    || (other is not null && task == "migrate_to" && op.MigrateTarget != other)
                    || (other is not null && task == "migrate_from" && op.MigrateSource != other))
                {
                    continue;
                }

                match = op;
                matches++;
            }
        }

        if (matches != 1)
        {
            return null;
        }

        return targetRc >= 0 && (match!.RcCode != targetRc || match.ExecStatus != ExecDone) ? null : match;
    }

    /// <summary>pe__is_newer_op: positive when <paramref name="a"/> is newer than <paramref name="b"/>.</summary>
    private static int IsNewerOp(OperationRecord a, OperationRecord b, bool sameNodeDefault)
    {
        var sameNode = a.OnNode is null || b.OnNode is null
            ? sameNodeDefault
            : string.Equals(a.OnNode, b.OnNode, StringComparison.OrdinalIgnoreCase);
        int ca = a.CallId, cb = b.CallId;
        if (ca == -1 && cb == -1)
        {
            return 0;
        }

        if (sameNode && ca >= 0 && ca < cb)
        {
            return -1;
        }

        if (sameNode && cb >= 0 && ca > cb)
        {
            return 1;
        }

        if (ca >= 0 && cb >= 0 && (!sameNode || ca == cb))
        {
            long la = a.LastRcChange ?? -1, lb = b.LastRcChange ?? -1;
            if (la >= 0 && la < lb)
            {
                return -1;
            }

            return lb >= 0 && la > lb ? 1 : 0;
        }

        // One of them is pending: as the history's own order (CompareOps) has it.
        return CompareOps(a, b);
    }

    /// <summary>non_monitor_after: a start, stop or migration of the resource on the node newer than <paramref name="op"/>.</summary>
    private bool NonMonitorAfter(string rscId, string? nodeName, OperationRecord op, bool sameNode)
    {
        if (FindHistory(rscId, nodeName) is not { Operations.IsDefault: false } history)
        {
            return false;
        }

        foreach (var other in history.Operations)
        {
            if (other != op && other.Operation is "start" or "stop" or "migrate_to" or "migrate_from"
                && IsNewerOp(other, op, sameNode) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>monitor_not_running_after: a monitor of the resource on the node, newer than <paramref name="op"/>, found it stopped.</summary>
    private bool MonitorNotRunningAfter(string rscId, string? nodeName, OperationRecord op, bool sameNode) =>
        FindLrmOp(rscId, "monitor", nodeName, null, 7) is { } monitor && IsNewerOp(monitor, op, sameNode) > 0;

    /// <summary>
    /// newer_state_after_migrate: the node has a newer state of the resource than the migration (compared with the
    /// migration record of that node where there is one, as call ids are reliable only on one node).
    /// </summary>
    private bool NewerStateAfterMigrate(string rscId, string? nodeName, OperationRecord? migrateTo, OperationRecord? migrateFrom)
    {
        var op = migrateFrom ?? migrateTo!;
        var sameNode = false;
        if (nodeName == op.MigrateTarget)
        {
            op = migrateFrom ?? migrateTo!;
            sameNode = migrateFrom is not null;
        }
        else if (nodeName == op.MigrateSource)
        {
            op = migrateTo ?? migrateFrom!;
            sameNode = migrateTo is not null;
        }

        return NonMonitorAfter(rscId, nodeName, op, sameNode) || MonitorNotRunningAfter(rscId, nodeName, op, sameNode);
    }

    /// <summary>unknown_on_node: no operation of the resource is recorded on the node (it will be probed there).</summary>
    private bool UnknownOnNode(string rscId, string? nodeName) =>
        FindHistory(rscId, nodeName) is not { } history || history.Operations.IsDefaultOrEmpty;

    /// <summary>get_migration_node_names: both names recorded, and the node of the record is the one it names.</summary>
    private static bool MigrationNodes(OperationRecord op, WNode? sourceNode, WNode? targetNode, out string source, out string target)
    {
        source = op.MigrateSource ?? "";
        target = op.MigrateTarget ?? "";
        return op.MigrateSource is not null && op.MigrateTarget is not null
            && (sourceNode is null || sourceNode.Name.Value == source)
            && (targetNode is null || targetNode.Name.Value == target);
    }

    /// <summary>
    /// unpack_migrate_to_success: migrate_to succeeded on the source. With the migrate_from done on the target too but
    /// no stop on the source, the migration dangles (stop the source); with the migrate_from still to come, the
    /// resource is active on both nodes (a partial migration that may continue); with it failed, on the target as well
    /// or, if the target is gone, failed.
    /// </summary>
    private void UnpackMigrateToSuccess(WResource rsc, WNode node, OperationRecord op)
    {
        if (!MigrationNodes(op, node, null, out var source, out var target))
        {
            return;
        }

        var sourceNewerOp = NonMonitorAfter(rsc.Id, source, op, sameNode: true);
        var migrateFrom = FindLrmOp(rsc.Id, "migrate_from", target, source, -1);
        int fromRc = 0, fromStatus = ExecPending;
        if (migrateFrom is not null)
        {
            if (sourceNewerOp)
            {
                return;
            }

            fromRc = migrateFrom.RcCode;
            fromStatus = migrateFrom.ExecStatus;
        }

        var targetNewerState = NewerStateAfterMigrate(rsc.Id, target, op, migrateFrom);
        if (sourceNewerOp && targetNewerState)
        {
            return;
        }

        if (fromRc == 0 && fromStatus == ExecDone)
        {
            rsc.Role = ResourceRole.Stopped;
            (rsc.DanglingMigrations ??= []).Insert(0, node);
            return;
        }

        rsc.Role = ResourceRole.Started;
        var targetNode = FindNode(target);
        var activeOnTarget = !targetNewerState && targetNode is { Online: true };
        if (fromStatus != ExecPending)
        {
            if (activeOnTarget)
            {
                AddRunning(rsc, targetNode!, failed: true);
            }
            else
            {
                FailMigration(rsc);
            }

            return;
        }

        if (targetNode is { Online: true } && UnknownOnNode(rsc.Id, target))
        {
            return;
        }

        if (activeOnTarget)
        {
            AddRunning(rsc, targetNode!, failed: false);
            if (FindNode(source) is { Online: true } sourceNode)
            {
                rsc.PartialMigrationTarget = targetNode;
                rsc.PartialMigrationSource = sourceNode;
            }
        }
        else if (!sourceNewerOp)
        {
            FailMigration(rsc);
        }
    }

    /// <summary>The resource must be recovered, and not by migrating it (pe_rsc_failed, pe_rsc_stop, no allow-migrate).</summary>
    private static void FailMigration(WResource rsc)
    {
        rsc.Failed = true;
        rsc.StopFlag = true;
        rsc.AllowMigrate = false;
    }

    /// <summary>
    /// unpack_migrate_to_failure: the resource is active on the source, and on the target unless the target has newer
    /// state (then a migrate_to with nothing newer on the source leaves a dangling migration to stop there).
    /// </summary>
    private void UnpackMigrateToFailure(WResource rsc, WNode node, OperationRecord op)
    {
        if (!MigrationNodes(op, node, null, out var source, out var target))
        {
            return;
        }

        rsc.Role = ResourceRole.Started;
        var targetMigrateFrom = FindLrmOp(rsc.Id, "migrate_from", target, source, 0);
        if (!UnknownOnNode(rsc.Id, target) && !NewerStateAfterMigrate(rsc.Id, target, op, targetMigrateFrom))
        {
            if (FindNode(target) is { Online: true } targetNode)
            {
                AddRunning(rsc, targetNode, failed: false);
            }
        }
        else if (!NonMonitorAfter(rsc.Id, source, op, sameNode: true))
        {
            (rsc.DanglingMigrations ??= []).Insert(0, node);
        }
    }

    /// <summary>unpack_migrate_from_failure: the resource is active on the target, and on the source unless it has newer state there.</summary>
    private void UnpackMigrateFromFailure(WResource rsc, WNode node, OperationRecord op)
    {
        if (!MigrationNodes(op, null, node, out var source, out var target))
        {
            return;
        }

        rsc.Role = ResourceRole.Started;
        var sourceMigrateTo = FindLrmOp(rsc.Id, "migrate_to", source, target, 0);
        if (!UnknownOnNode(rsc.Id, source) && !NewerStateAfterMigrate(rsc.Id, source, sourceMigrateTo, op)
            && FindNode(source) is { Online: true } sourceNode)
        {
            AddRunning(rsc, sourceNode, failed: true);
        }
    }

    /// <summary>A pending migrate_to on an unclean node: the target may have the resource already, so stop it there.</summary>
    private void PendingMigrateToOnUncleanNode(WResource rsc, WNode node, OperationRecord op)
    {
        if (node.Unclean && FindNode(op.MigrateTarget) is { } target)
        {
            StopAction(rsc, target, optional: false);
        }
    }

    /// <summary>pcmk__rsc_can_migrate.</summary>
    private static bool CanMigrate(WResource rsc, WNode? current) =>
        rsc.AllowMigrate && rsc.Managed && !rsc.Failed && !rsc.StartPending
        && current is { Unclean: false } && rsc.AllocatedTo is { Unclean: false };

    /// <summary>pcmk__abort_dangling_migration: stop the resource on each source of a dangling migration.</summary>
    private void AbortDanglingMigrations(WResource rsc)
    {
        foreach (var source in rsc.DanglingMigrations!)
        {
            StopAction(rsc, source, optional: false).Dangle = true;
        }
    }

    /// <summary>
    /// pcmk__create_migration_actions: migrate_to on the current node (unless a partial migration already did it),
    /// migrate_from on the next; the start becomes a pseudo-action and start and stop are "migrate runnable" until an
    /// ordering takes that away, which turns the migration back into a stop and a start.
    /// </summary>
    private void CreateMigrationActions(WResource rsc, WNode current)
    {
        var chosen = rsc.AllocatedTo!;
        var start = StartAction(rsc, chosen, optional: true);
        var stop = StopAction(rsc, current, optional: true);
        var partial = rsc.PartialMigrationTarget is not null;
        var migrateTo = partial ? null : CustomAction(rsc, "migrate_to", current, optional: true);
        var migrateFrom = CustomAction(rsc, "migrate_from", chosen, optional: true);

        start.MigrateRunnable = true;
        stop.MigrateRunnable = true;
        start.Pseudo = true;
        migrateFrom.MigrateRunnable = true;
        if (migrateTo is not null)
        {
            migrateTo.MigrateRunnable = true;
            migrateTo.Needs = start.Needs;
            _migrationProbeOrders.Add((rsc, migrateTo));
            Order(rsc, "migrate_to", rsc, "migrate_from", OrderFlags.Optional | OrderFlags.ImpliesFirstMigratable);
        }
        else
        {
            migrateFrom.Needs = start.Needs;
            _migrationProbeOrders.Add((rsc, migrateFrom));
        }

        Order(rsc, "migrate_from", rsc, "stop", OrderFlags.Optional | OrderFlags.ImpliesFirstMigratable);
        Order(rsc, "migrate_from", rsc, "start", OrderFlags.Optional | OrderFlags.ImpliesFirstMigratable | OrderFlags.PseudoLeft);
    }

    /// <summary>The probes of each migrating resource before its first migration action (optional orderings).</summary>
    private void ApplyMigrationProbeOrders()
    {
        foreach (var (rsc, then) in _migrationProbeOrders)
        {
            foreach (var probe in rsc.ActionsOf("monitor"))
            {
                if (probe.IntervalMs == 0)
                {
                    AddEdge(probe, then, OrderFlags.Optional);
                }
            }
        }
    }

    /// <summary>
    /// pcmk__order_migration_equivalents: an ordering of starts, stops, promotes or demotes between two resources, one
    /// of them migratable, gets the same (optional) ordering of the migration actions, so that it holds for a
    /// migration too.
    /// </summary>
    private void OrderMigrationEquivalents()
    {
        if (!AnyMigratable)
        {
            return;
        }

        var count = _orderings.Count;
        for (var i = 0; i < count; i++)
        {
            var order = _orderings[i];
            var first = order.FirstRsc ?? order.FirstAction?.Rsc;
            var then = order.ThenRsc ?? order.ThenAction?.Rsc;
            if (first is null || then is null || first == then || IsAncestor(first, then) || IsAncestor(then, first))
            {
                continue;
            }

            var firstMigratable = first.AllowMigrate;
            var thenMigratable = then.AllowMigrate;
            if (!firstMigratable && !thenMigratable)
            {
                continue;
            }

            var firstTask = order.FirstAction?.Task ?? order.FirstTask;
            var thenTask = order.ThenAction?.Task ?? order.ThenTask;
            var flags = OrderFlags.Optional;
            if (firstTask == "start" && thenTask == "start")
            {
                if (firstMigratable && thenMigratable)
                {
                    Order(first, "migrate_from", then, "migrate_to", flags);
                }

                if (thenMigratable)
                {
                    Order(first, "start", then, "migrate_to", firstMigratable ? flags | OrderFlags.ApplyFirstNonMigratable : flags);
                }
            }
            else if (thenMigratable && firstTask == "stop" && thenTask == "stop")
            {
                if (firstMigratable)
                {
                    flags |= OrderFlags.ApplyFirstNonMigratable;
                }

                Order(first, "stop", then, "migrate_to", flags);
                if (then.PartialMigrationTarget is not null)
                {
                    Order(first, "stop", then, "migrate_from", flags);
                }
            }
            else if (firstTask == "promote" && thenTask == "start" && thenMigratable)
            {
                Order(first, "promote", then, "migrate_to", flags);
            }
            else if (firstTask == "demote" && thenTask == "stop" && thenMigratable)
            {
                Order(first, "demote", then, "migrate_to", flags);
                if (then.PartialMigrationTarget is not null)
                {
                    Order(first, "demote", then, "migrate_from", flags);
                }
            }
        }
    }
}
