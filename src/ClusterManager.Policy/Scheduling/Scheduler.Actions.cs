using ClusterManager.Model;

namespace ClusterManager.Policy.Scheduling;

// Action creation: custom_action (lib/pengine/utils.c), native_create_actions and the role matrices
// (pcmk_sched_native.c), group/clone pseudo-actions, internal orderings.
internal sealed partial class Scheduler
{
    private WAction NewAction(WResource? rsc, string task, WNode? node, long interval, bool optional)
    {
        var action = new WAction(_actions.Count + 1, rsc, task, node, interval) { Optional = optional };
        _actions.Add(action);
        rsc?.AddAction(action);
        return action;
    }

    internal static List<WAction> FindActions(WResource rsc, string task, WNode? node)
    {
        var result = new List<WAction>();
        foreach (var a in rsc.ActionsOf(task))
        {
            if (node is null || a.Node == node)
            {
                result.Add(a);
            }
        }

        return result;
    }

    /// <summary>The first of <see cref="FindActions"/>, without making the list.</summary>
    internal static WAction? FindFirstAction(WResource rsc, string task, WNode? node)
    {
        foreach (var a in rsc.ActionsOf(task))
        {
            if (node is null || a.Node == node)
            {
                return a;
            }
        }

        return null;
    }

    /// <summary>custom_action: finds or creates an action; runnability follows node state, quorum and requirements.</summary>
    private WAction CustomAction(WResource rsc, string task, WNode? node, bool optional, long interval = 0)
    {
        if (rsc.FindAction(task, interval, node) is { } existing)
        {
            UpdateActionOptional(existing, optional);
            return existing;
        }

        // find_actions: an action not yet on any node matches, and is given this node.
        if (node is not null && rsc.FindAction(task, interval, null) is { Pseudo: false } unassigned)
        {
            unassigned.Node = node;
            rsc.NodeAssigned(unassigned);
            UpdateActionOptional(unassigned, optional);

            unassigned.Runnable = true;
            UpdateRunnable(unassigned);
            return unassigned;
        }

        var action = NewAction(rsc, task, node, interval, optional);
        action.Needs = task is "start" or "promote"
            ? rsc.NeedsFencing ? Requirement.Fencing : rsc.NeedsQuorum ? Requirement.Quorum : Requirement.Nothing
            : Requirement.Nothing;
        UpdateRunnable(action);
        return action;
    }

    /// <summary>
    /// update_action_optional, for an action found again: a non-recurring action of an unmanaged resource is made
    /// optional again (a start required a moment ago included), otherwise a required request requires it.
    /// </summary>
    private static void UpdateActionOptional(WAction action, bool optional)
    {
        if (action.Node is not null && !action.Pseudo && !action.Rsc!.Managed && action.IntervalMs == 0 && action.Task != "monitor")
        {
            action.Optional = true;
        }
        else if (!optional)
        {
            action.Optional = false;
        }
    }

    private void UpdateRunnable(WAction action)
    {
        var rsc = action.Rsc!;
        if (action.Node is null)
        {
            action.Runnable = false;
        }
        else if (!rsc.Managed && action.IntervalMs == 0 && action.Task != "monitor")
        {
            action.Optional = true;
        }
        else if (!action.Node.Online)
        {
            action.Runnable = false;
            if (rsc.Managed && action.Task == "stop" && !action.Node.Unclean)
            {
                FenceNode(action.Node, "resource actions are unrunnable");
            }
        }
        else if (action.Node.Pending)
        {
            action.Runnable = false;
        }
        else if (action.Needs == Requirement.Nothing)
        {
            // update_resource_action_runnable drops the reason here: with requires=nothing (no fencing, and
            // no-quorum-policy=ignore) a restart for a definition change is summarised without "due to".
            action.Reason = null;
            action.Runnable = true;
        }
        else if (EffectiveNoQuorum(rsc) == NoQuorumPolicy.Stop)
        {
            SetReason(action, "no quorum", overwrite: true);
            action.Runnable = false;
        }
        else if (EffectiveNoQuorum(rsc) == NoQuorumPolicy.Freeze)
        {
            if (rsc.RunningOn.Count == 0 || rsc.NextRole > rsc.Role)
            {
                SetReason(action, "quorum freeze", overwrite: true);
                action.Runnable = false;
            }
        }
        else
        {
            action.Runnable = true;
        }
    }

    private static void SetReason(WAction action, string? reason, bool overwrite)
    {
        if (action.Reason is null || overwrite)
        {
            action.Reason = reason;
        }
    }

    internal WAction StopAction(WResource rsc, WNode? node, bool optional) => CustomAction(rsc, "stop", node, optional);

    internal WAction StartAction(WResource rsc, WNode? node, bool optional) => CustomAction(rsc, "start", node, optional);

    internal WAction DemoteAction(WResource rsc, WNode? node, bool optional) => CustomAction(rsc, "demote", node, optional);

    internal WAction PromoteAction(WResource rsc, WNode? node, bool optional) => CustomAction(rsc, "promote", node, optional);

    private void ClearFailcount(WResource rsc, WNode node, string reason)
    {
        var action = CustomAction(rsc, "clear_failcount", node, optional: false);
        action.Runnable = node.Online;
        SetReason(action, reason, overwrite: false);
    }

    private WAction PseudoAction(WResource rsc, string task, bool optional)
    {
        var action = CustomAction(rsc, task, null, optional);
        action.Pseudo = true;
        action.Runnable = true;
        return action;
    }

    // ---- per-resource actions --------------------------------------------------------------------------

    private void CreateAllActions()
    {
        foreach (var rsc in _resources.ToList())
        {
            CreateActions(rsc);
        }
    }

    private void CreateActions(WResource rsc)
    {
        switch (rsc.Variant)
        {
            case Variant.Primitive:
                CreatePrimitiveActions(rsc);
                break;
            case Variant.Group:
                foreach (var child in rsc.Children)
                {
                    CreateActions(child);
                }

                PseudoAction(rsc, "start", optional: true);
                PseudoAction(rsc, "running", optional: true);
                PseudoAction(rsc, "stop", optional: true);
                PseudoAction(rsc, "stopped", optional: true);
                if (rsc.Top.Promotable)
                {
                    PseudoAction(rsc, "demote", optional: true);
                    PseudoAction(rsc, "demoted", optional: true);
                    PseudoAction(rsc, "promote", optional: true);
                    PseudoAction(rsc, "promoted", optional: true);
                }

                break;
            case Variant.Clone:
                CreateCloneActions(rsc);
                break;
        }
    }

    private void CreateCloneActions(WResource clone)
    {
        bool active = false, starting = false, stopping = false, allowDependentMigrations = true;
        foreach (var child in clone.Children)
        {
            CreateActions(child);
            bool wasStarting = starting, wasStopping = stopping;
            starting = stopping = false;
            foreach (var p in child.Primitives())
            {
                if (p.RunningOn.Count > 0)
                {
                    active = true;
                }

                foreach (var a in p.Actions)
                {
                    if (a.Optional || !(a.Pseudo || a.Runnable))
                    {
                        continue;
                    }

                    if (a.Task == "stop")
                    {
                        stopping = true;
                    }
                    else if (a.Task == "start" && a.Runnable)
                    {
                        starting = true;
                    }
                }
            }

            // clone_create_pseudo_actions: an instance that moves keeps the clone's dependents from migrating.
            allowDependentMigrations &= !(starting && stopping);
            starting |= wasStarting;
            stopping |= wasStopping;
        }

        PseudoAction(clone, "start", !starting);
        var started = PseudoAction(clone, "running", !starting);
        started.Runnable = active || starting;
        PseudoAction(clone, "stop", !stopping).MigrateRunnable = allowDependentMigrations;
        PseudoAction(clone, "stopped", !stopping);
        if (clone.Promotable)
        {
            CreatePromotableActions(clone);
        }
    }

    private void CreatePromotableActions(WResource clone)
    {
        bool promoting = false, demoting = false;
        foreach (var p in clone.Children.SelectMany(c => c.Primitives()))
        {
            foreach (var a in p.Actions)
            {
                if (a.Optional)
                {
                    continue;
                }

                promoting |= a.Task == "promote";
                demoting |= a.Task == "demote";
            }
        }

        var promote = PseudoAction(clone, "promote", !promoting);
        var promoted = PseudoAction(clone, "promoted", !promoting);
        var demote = PseudoAction(clone, "demote", !demoting);
        var demoted = PseudoAction(clone, "demoted", !demoting);
        _ = (promote, promoted, demote, demoted);
    }

    private static readonly ResourceRole[,] StateMatrix =
    {
        // next:      Unknown                 Stopped                 Started                 Unpromoted                Promoted
        /* Unknown */ { ResourceRole.Unknown, ResourceRole.Stopped, ResourceRole.Stopped, ResourceRole.Stopped, ResourceRole.Stopped },
        /* Stopped */ { ResourceRole.Stopped, ResourceRole.Stopped, ResourceRole.Started, ResourceRole.Unpromoted, ResourceRole.Unpromoted },
        /* Started */ { ResourceRole.Stopped, ResourceRole.Stopped, ResourceRole.Started, ResourceRole.Unpromoted, ResourceRole.Promoted },
        /* Unprom. */ { ResourceRole.Stopped, ResourceRole.Stopped, ResourceRole.Stopped, ResourceRole.Unpromoted, ResourceRole.Promoted },
        /* Promoted*/ { ResourceRole.Stopped, ResourceRole.Unpromoted, ResourceRole.Unpromoted, ResourceRole.Unpromoted, ResourceRole.Promoted },
    };

    private static ResourceRole NextStep(ResourceRole from, ResourceRole to) => StateMatrix[(int)from, (int)to];

    /// <summary>The action that takes a resource from one role to the next (rsc_action_matrix); false = RoleError.</summary>
    private bool RoleStep(WResource rsc, ResourceRole from, ResourceRole to, WNode? node, bool optional)
    {
        switch (from, to)
        {
            case (ResourceRole.Unknown, ResourceRole.Stopped):
            case (ResourceRole.Started, ResourceRole.Stopped):
            case (ResourceRole.Unpromoted, ResourceRole.Stopped):
            case (ResourceRole.Unpromoted, ResourceRole.Started):
                StopResource(rsc, optional);
                return true;
            case (ResourceRole.Stopped, ResourceRole.Started):
            case (ResourceRole.Stopped, ResourceRole.Unpromoted):
                StartResource(rsc, node, optional);
                return true;
            case (ResourceRole.Started, ResourceRole.Promoted):
            case (ResourceRole.Unpromoted, ResourceRole.Promoted):
                PromoteResource(rsc, node, optional);
                return true;
            case (ResourceRole.Promoted, ResourceRole.Stopped):
            case (ResourceRole.Promoted, ResourceRole.Started):
            case (ResourceRole.Promoted, ResourceRole.Unpromoted):
                if (IsExpectedNode(rsc, node))
                {
                    return true;
                }

                foreach (var current in rsc.RunningOn)
                {
                    DemoteAction(rsc, current, optional);
                }

                return true;
            case (ResourceRole.Stopped, ResourceRole.Stopped):
            case (ResourceRole.Started, ResourceRole.Started):
            case (ResourceRole.Started, ResourceRole.Unpromoted):
            case (ResourceRole.Unpromoted, ResourceRole.Unpromoted):
            case (ResourceRole.Promoted, ResourceRole.Promoted):
                return true;
            default:
                return false;
        }
    }

    /// <summary>The resource being brought down and up again by schedule_restart_actions (pe_rsc_restarting).</summary>
    private WResource? _restarting;

    /// <summary>
    /// is_expected_node: during the restart of a resource multiply active with multiple-active=stop_unexpected, its
    /// assigned node, where it is neither stopped nor started again.
    /// </summary>
    private bool IsExpectedNode(WResource rsc, WNode? node) =>
        rsc.StopUnexpected && _restarting == rsc && rsc.NextRole > ResourceRole.Stopped && node is not null
        && rsc.AllocatedTo == node;

    private void StopResource(WResource rsc, bool optional)
    {
        foreach (var current in rsc.RunningOn.ToList())
        {
            if (IsExpectedNode(rsc, current))
            {
                continue;
            }

            if (rsc.PartialMigrationTarget is { } target)
            {
                // A partial migration to the node the resource stays on is not stopped there; anywhere else it is.
                if (current == target && current == rsc.AllocatedTo)
                {
                    continue;
                }

                optional = false;
            }

            var stop = StopAction(rsc, current, optional);
            if (rsc.AllocatedTo is null)
            {
                SetReason(stop, "node availability", overwrite: true);
            }
            else if (rsc.StopUnexpected && _restarting == rsc)
            {
                SetReason(stop, "being multiply active", overwrite: true);
            }

            if (!rsc.Managed)
            {
                stop.Runnable = false;
            }
        }
    }

    private void StartResource(WResource rsc, WNode? node, bool optional)
    {
        var start = StartAction(rsc, node, optional: true);
        if (node is not null)
        {
            _startsVsUnfence.Add((rsc, node, start));
        }

        if (start.Runnable && !optional)
        {
            start.Optional = false;
        }

        // Pacemaker makes the start on the expected node a pseudo-action even when the resource moves there (it is
        // then never started); here only where it already runs. Neither changes the summary or the placement.
        if (IsExpectedNode(rsc, node) && rsc.RunningOn.Contains(node!))
        {
            start.Pseudo = true;
        }
    }

    private void PromoteResource(WResource rsc, WNode? node, bool optional)
    {
        if (node is null)
        {
            return;
        }

        var runnable = FindActions(rsc, "start", node).All(a => a.Runnable);
        if (runnable)
        {
            var promote = PromoteAction(rsc, node, optional);
            if (IsExpectedNode(rsc, node) && rsc.RunningOn.Contains(node))
            {
                promote.Pseudo = true;
            }

            return;
        }

        foreach (var promote in FindActions(rsc, "promote", node))
        {
            promote.Runnable = false;
        }
    }

    private void CreatePrimitiveActions(WResource rsc)
    {
        var chosen = rsc.AllocatedTo;
        if (rsc.NextRole == ResourceRole.Unknown)
        {
            rsc.NextRole = chosen is null ? ResourceRole.Stopped : ResourceRole.Started;
        }

        // check_action_definition ran before this: a changed definition has already made the start (or promote)
        // required, which turns what follows into a full restart.
        var current = rsc.CurrentNode;
        var allActive = rsc.RunningOn.Count;
        var cleanActive = rsc.RunningOn.Count(n => n.Online && !n.Unclean);
        var multiplyActive = rsc.NeedsFencing ? allActive > 1 : cleanActive > 1;
        var needStop = false;
        var needPromote = false;
        if (rsc.DanglingMigrations is not null)
        {
            AbortDanglingMigrations(rsc);
        }

        var allowMigrate = current is not null && chosen is not null && current != chosen
            && rsc.NextRole >= ResourceRole.Started && CanMigrate(rsc, current);
        if (rsc.PartialMigrationSource is not null || rsc.PartialMigrationTarget is not null)
        {
            // A partial migration continues only to the node it was going to; otherwise the resource is recovered.
            if (!(rsc.PartialMigrationSource is not null && rsc.PartialMigrationTarget is not null && allowMigrate
                && allActive == 2 && current == rsc.PartialMigrationSource && chosen == rsc.PartialMigrationTarget))
            {
                needStop = true;
                rsc.PartialMigrationSource = null;
                rsc.PartialMigrationTarget = null;
                allowMigrate = false;
            }

            multiplyActive = false;
        }

        if (multiplyActive)
        {
            if (rsc.Recovery is MultipleActive.StopStart or MultipleActive.StopUnexpected)
            {
                needStop = true;
            }

            // StopRsc skips the expected node (is_expected_node)
            rsc.StopUnexpected = rsc.Recovery == MultipleActive.StopUnexpected;
        }
        else
        {
            rsc.StopUnexpected = false;
        }

        if (rsc.StartPending)
        {
            StartAction(rsc, chosen, optional: true).PrintAlways = true;
        }

        if (current is not null && chosen is not null && current != chosen)
        {
            needStop = true;
        }
        else if (rsc.Failed)
        {
            if (rsc.StopFlag)
            {
                needStop = true;
            }
            else if (rsc.NextRole == ResourceRole.Promoted)
            {
                needPromote = true;
            }
        }
        else if (rsc.Blocked)
        {
            needStop = true;
        }
        else if (rsc.Role > ResourceRole.Started && current is not null && chosen is not null)
        {
            var start = StartAction(rsc, chosen, optional: true);
            if (!start.Optional)
            {
                needStop = true;
            }
        }

        // schedule_restart_actions
        _restarting = rsc;
        var role = rsc.Role;
        while (role != ResourceRole.Stopped)
        {
            var next = NextStep(role, ResourceRole.Stopped);
            if (!RoleStep(rsc, role, next, current, !needStop))
            {
                break;
            }

            role = next;
        }

        while (rsc.Role <= rsc.NextRole && role != rsc.Role && !rsc.Blocked)
        {
            var required = needStop;
            var next = NextStep(role, rsc.Role);
            if (next == ResourceRole.Promoted && needPromote)
            {
                required = true;
            }

            if (!RoleStep(rsc, role, next, chosen, !required))
            {
                break;
            }

            role = next;
        }

        _restarting = null;
        role = rsc.Role;
        while (role != rsc.NextRole)
        {
            var next = NextStep(role, rsc.NextRole);
            if (!RoleStep(rsc, role, next, chosen, optional: false))
            {
                break;
            }

            role = next;
        }

        if (!rsc.Blocked && (rsc.NextRole != ResourceRole.Stopped || !rsc.Managed))
        {
            var start = StartAction(rsc, chosen, optional: true);
            CreateRecurring(rsc, start, chosen);
        }

        if (allowMigrate)
        {
            CreateMigrationActions(rsc, current!);
        }
    }

    /// <summary>Recurring monitors for the role the resource will have on its node.</summary>
    private void CreateRecurring(WResource rsc, WAction start, WNode? node)
    {
        if (node is null || rsc.Primitive is not { } p)
        {
            return;
        }

        foreach (var op in p.Operations)
        {
            if (op.Name != "monitor" || op.Interval <= TimeSpan.Zero || !op.Enabled)
            {
                continue;
            }

            var wantRole = op.Role ?? ResourceRole.Unknown;
            var nextRole = rsc.NextRole == ResourceRole.Started && rsc.Top.Promotable ? ResourceRole.Unpromoted : rsc.NextRole;
            if (wantRole == ResourceRole.Stopped || (wantRole != ResourceRole.Unknown && wantRole != nextRole
                && !(wantRole == ResourceRole.Started && nextRole == ResourceRole.Unpromoted)))
            {
                continue;
            }

            var interval = (long)op.Interval.TotalMilliseconds;
            // Optional only when it already runs there: a monitor missing from the history is (re)scheduled.
            var alreadyRunning = rsc.RunningOn.Contains(node) && start.Optional && !rsc.Failed
                && _activeRecurring.Contains((rsc, node, "monitor", interval));
            var monitor = CustomAction(rsc, "monitor", node, optional: alreadyRunning, interval);
            if (!start.Runnable)
            {
                monitor.Runnable = false;
            }

            _orderings.Add(new Ordering(null, "start", start, null, "monitor", monitor, OrderFlags.Optional | OrderFlags.RunnableLeft));
        }
    }

    // ---- internal orderings ---------------------------------------------------------------------------

    private void Order(WResource first, string firstTask, WResource then, string thenTask, OrderFlags flags) =>
        _orderings.Add(new Ordering(first, firstTask, null, then, thenTask, null, flags));

    private void CreateInternalConstraints()
    {
        foreach (var rsc in _resources.ToList())
        {
            InternalConstraints(rsc);
        }
    }

    private void InternalConstraints(WResource rsc)
    {
        switch (rsc.Variant)
        {
            case Variant.Primitive:
                Order(rsc, "stop", rsc, "start", OrderFlags.Optional | OrderFlags.ImpliesThen | OrderFlags.Restart);
                if (rsc.Top.Promotable || rsc.Role > ResourceRole.Unpromoted)
                {
                    Order(rsc, "demote", rsc, "stop", OrderFlags.ImpliesFirstPromoted);
                    Order(rsc, "start", rsc, "promote", OrderFlags.RunnableLeft);
                }

                break;
            case Variant.Group:
                GroupInternalConstraints(rsc);
                break;
            case Variant.Clone:
                CloneInternalConstraints(rsc);
                break;
        }
    }

    private void GroupInternalConstraints(WResource rsc)
    {
        var promotable = rsc.Top.Promotable;
        Order(rsc, "stopped", rsc, "start", OrderFlags.Optional);
        Order(rsc, "start", rsc, "running", OrderFlags.RunnableLeft);
        Order(rsc, "stop", rsc, "stopped", OrderFlags.RunnableLeft);
        WResource? last = null;
        WResource? lastActive = null;
        foreach (var child in rsc.Children)
        {
            var stop = OrderFlags.None;
            var stopped = OrderFlags.ImpliesThenPrinted;
            var start = OrderFlags.ImpliesThen | OrderFlags.RunnableLeft;
            var started = OrderFlags.RunnableLeft | OrderFlags.ImpliesThen | OrderFlags.ImpliesThenPrinted;
            InternalConstraints(child);
            if (last is null)
            {
                if (rsc.GroupOrdered)
                {
                    stop |= OrderFlags.Optional;
                    stopped = OrderFlags.ImpliesThen;
                }
            }
            else if (rsc.GroupColocated)
            {
                NewColocation("group:internal_colocation", null, Score.InfinityValue, child, last, null, null, child.Critical);
            }

            if (promotable)
            {
                Order(rsc, "demote", child, "demote", stop | OrderFlags.ImpliesFirstPrinted);
                Order(child, "demote", rsc, "demoted", stopped);
                Order(child, "promote", rsc, "promoted", started);
                Order(rsc, "promote", child, "promote", OrderFlags.ImpliesFirstPrinted);
            }

            Order(rsc, "start", child, "start", OrderFlags.ImpliesFirstPrinted);
            Order(rsc, "stop", child, "stop", stop | OrderFlags.ImpliesFirstPrinted);
            Order(child, "stop", rsc, "stopped", stopped);
            Order(child, "start", rsc, "running", started);
            if (!rsc.GroupOrdered)
            {
                Order(rsc, "start", child, "start", start | OrderFlags.ImpliesFirstPrinted);
                if (promotable)
                {
                    Order(rsc, "promote", child, "promote", start | OrderFlags.ImpliesFirstPrinted);
                }
            }
            else if (last is not null)
            {
                Order(last, "start", child, "start", start);
                Order(child, "stop", last, "stop", OrderFlags.Optional | OrderFlags.Restart);
                if (promotable)
                {
                    Order(last, "promote", child, "promote", start);
                    Order(child, "demote", last, "demote", OrderFlags.Optional);
                }
            }
            else
            {
                Order(rsc, "start", child, "start", OrderFlags.None);
                if (promotable)
                {
                    Order(rsc, "promote", child, "promote", OrderFlags.None);
                }
            }

            if (child.RunningOn.Count > 0)
            {
                if (rsc.GroupOrdered && last is not null && last.RunningOn.Count == 0 && lastActive is { RunningOn.Count: > 0 })
                {
                    Order(child, "stop", lastActive, "stop", OrderFlags.Optional);
                }

                lastActive = child;
            }

            last = child;
        }

        if (rsc.GroupOrdered && last is not null)
        {
            Order(rsc, "stop", last, "stop", OrderFlags.ImpliesThen);
            Order(last, "stop", rsc, "stopped", OrderFlags.Optional);
            if (promotable)
            {
                Order(rsc, "demote", last, "demote", OrderFlags.ImpliesThen);
                Order(last, "demote", rsc, "demoted", OrderFlags.Optional);
            }
        }
    }

    private void CloneInternalConstraints(WResource rsc)
    {
        Order(rsc, "stopped", rsc, "start", OrderFlags.Optional);
        Order(rsc, "start", rsc, "running", OrderFlags.RunnableLeft);
        Order(rsc, "stop", rsc, "stopped", OrderFlags.RunnableLeft);
        if (rsc.Promotable)
        {
            Order(rsc, "demoted", rsc, "start", OrderFlags.Optional);
            Order(rsc, "running", rsc, "promote", OrderFlags.Optional);
            Order(rsc, "demote", rsc, "demoted", OrderFlags.Optional);
            Order(rsc, "promote", rsc, "promoted", OrderFlags.Optional);
            Order(rsc, "demoted", rsc, "promote", OrderFlags.Optional);
            Order(rsc, "demote", rsc, "stop", OrderFlags.Optional);
        }

        var children = rsc.CloneOrdered ? rsc.Children.OrderBy(c => c.Id, StringComparer.Ordinal).ToList() : rsc.Children.ToList();
        WResource? last = null;
        foreach (var child in children)
        {
            InternalConstraints(child);
            Order(rsc, "start", child, "start", OrderFlags.RunnableLeft | OrderFlags.ImpliesFirstPrinted);
            Order(child, "start", rsc, "running", OrderFlags.ImpliesThenPrinted);
            if (rsc.CloneOrdered && last is not null)
            {
                Order(last, "start", child, "start", OrderFlags.Optional);
            }

            Order(rsc, "stop", child, "stop", OrderFlags.ImpliesFirstPrinted);
            Order(child, "stop", rsc, "stopped", OrderFlags.ImpliesThenPrinted);
            if (rsc.CloneOrdered && last is not null)
            {
                Order(child, "stop", last, "stop", OrderFlags.Optional);
            }

            if (rsc.Promotable)
            {
                Order(rsc, "promote", child, "promote", OrderFlags.RunnableLeft | OrderFlags.ImpliesFirstPrinted);
                Order(child, "promote", rsc, "promoted", OrderFlags.ImpliesThenPrinted);
                Order(rsc, "demote", child, "demote", OrderFlags.ImpliesFirstPrinted);
                Order(child, "demote", rsc, "demoted", OrderFlags.ImpliesThenPrinted);
            }

            last = child;
        }
    }

    // ---- probes and fencing -----------------------------------------------------------------------------

    /// <summary>pcmk__schedule_probes: find out what runs where, on every online node that is not unclean.</summary>
    private void ScheduleProbes()
    {
        if (Option("enable-startup-probes") is { } esp && !IsTrue(esp))
        {
            return;
        }

        var probing = new bool[_nodes.Count];
        foreach (var node in _nodes)
        {
            probing[node.Index] = node.Online && !node.Unclean
                && (node.Attribute("probe_complete") is not { } probed || IsTrue(probed));
        }

        // At most one probe (action and ordering) per primitive and probed node where its state is not known yet:
        // reserve the room once, as growing lists of hundreds of thousands of references copies them repeatedly.
        var room = 0L;
        var probingCount = probing.Count(p => p);
        foreach (var rsc in _resources)
        {
            room += ProbeRoom(rsc, probing, probingCount);
        }

        if (room < 4_000_000)
        {
            // With some room to spare: the orderings still add a few actions.
            _actions.EnsureCapacity(_actions.Count + (int)room + 1024);
            _probeOrderings.EnsureCapacity(_probeOrderings.Count + (int)room);
        }

        _probeOrderingsAt = _orderings.Count;

        foreach (var node in _nodes)
        {
            if (!node.Online || node.Unclean)
            {
                continue;
            }

            if (node.Attribute("probe_complete") is { } probed && !IsTrue(probed))
            {
                continue;
            }

            var count = _resources.Count;
            for (var i = 0; i < count; i++)
            {
                ProbeOn(_resources[i], node);
            }
        }
    }

    private bool ProbeOn(WResource rsc, WNode node)
    {
        switch (rsc.Variant)
        {
            case Variant.Group:
                return ProbeList(rsc.Children, node);
            case Variant.Clone:
                SortByInstance(rsc);
                if (rsc.ExclusiveDiscover && rsc.Allowed[node.Index] is not null && rsc.DiscoverModeOn(node.Index) != 2)
                {
                    rsc.Allowed[node.Index] = null;
                    return false;
                }

                if (rsc.Unique)
                {
                    return ProbeList(rsc.Children, node);
                }

                var child = FirstKnownOn(rsc.Children, node.Index);
                if (child is null)
                {
                    foreach (var c in rsc.Children)
                    {
                        if (LocationOf(c) == node)
                        {
                            child = c;
                            break;
                        }
                    }
                }

                child ??= rsc.Children.Count > 0 ? rsc.Children[0] : null;
                return child is not null && ProbeOn(child, node);
        }

        if (rsc.Orphan || rsc.KnownOn.Contains(node.Index))
        {
            return false;
        }

        var top = rsc.Top;
        if (rsc.ExclusiveDiscover || top.ExclusiveDiscover)
        {
            if (rsc.Allowed[node.Index] is null || rsc.DiscoverModeOn(node.Index) != 2)
            {
                return false;
            }
        }

        if (rsc.DiscoverModeOn(node.Index) == 1)
        {
            return false;
        }

        var probe = CustomAction(rsc, "monitor", node, optional: false);
        probe.Optional = false;
        probe.Probe = true;
        OrderVsUnfence(rsc, node, probe, OrderFlags.Optional);
        var target = top.IsClone ? top : rsc;
        var flags = OrderFlags.Optional;
        if (!probe.Runnable && target.RunningOn.Count == 0)
        {
            flags |= OrderFlags.RunnableLeft;
        }

        _probeOrderings.Add((probe, target, flags));
        target.ProbesBeforeStart++;

        // The probe comes before any agent reload of the resource (of a clone instance, none: the order names the
        // clone, which has no reload).
        if (target == rsc && rsc.Reload && FindFirstAction(rsc, ReloadTask, null) is { } reload)
        {
            _orderings.Add(new Ordering(null, "monitor", probe, null, ReloadTask, reload, OrderFlags.Optional));
        }

        return true;
    }

    // The probes' orderings (probe, then the start of its resource or clone), one per resource and node: kept
    // apart from _orderings as small values, and applied in their place, after the orderings made before them.
    private readonly List<(WAction Probe, WResource Target, OrderFlags Type)> _probeOrderings = [];
    private int _probeOrderingsAt = -1;

    private static long ProbeRoom(WResource rsc, bool[] probing, int probingCount)
    {
        if (rsc.Variant == Variant.Primitive)
        {
            var room = probingCount;
            if (rsc.KnownOn.Count > 0)
            {
                for (var i = 0; i < probing.Length; i++)
                {
                    if (probing[i] && rsc.KnownOn.Contains(i))
                    {
                        room--;
                    }
                }
            }

            if (room > 0 && !rsc.Orphan)
            {
                rsc.ReserveActions("monitor", room);
            }

            return room;
        }

        var n = 0L;
        if (rsc.IsClone && !rsc.Unique)
        {
            // An anonymous clone is probed through one of its instances per node.
            foreach (var child in rsc.Children)
            {
                n = Math.Max(n, (long)probingCount * CountPrimitives(child));
            }

            return n;
        }

        foreach (var child in rsc.Children)
        {
            n += ProbeRoom(child, probing, probingCount);
        }

        return n;
    }

    private static int CountPrimitives(WResource rsc)
    {
        if (rsc.Variant == Variant.Primitive)
        {
            return 1;
        }

        var n = 0;
        foreach (var child in rsc.Children)
        {
            n += CountPrimitives(child);
        }

        return n;
    }

    /// <summary>The first resource of the list with a primitive whose state on the node is known.</summary>
    private static WResource? FirstKnownOn(List<WResource> list, int nodeIndex)
    {
        foreach (var r in list)
        {
            if (r.Variant == Variant.Primitive ? r.KnownOn.Contains(nodeIndex) : FirstKnownOn(r.Children, nodeIndex) is not null)
            {
                return r;
            }
        }

        return null;
    }

    private bool ProbeList(List<WResource> list, WNode node)
    {
        var any = false;
        foreach (var r in list)
        {
            any |= ProbeOn(r, node);
        }

        return any;
    }

    private readonly HashSet<WResource> _sortedByInstance = [];

    private void SortByInstance(WResource clone)
    {
        if (!_sortedByInstance.Add(clone))
        {
            return;
        }

        var sorted = clone.Children.OrderBy(c => InstanceNumber(c.Id)).ToList();
        clone.Children.Clear();
        clone.Children.AddRange(sorted);
    }

    /// <summary>
    /// effective_quorum_policy: quorate → ignore; demote → ignore for a promotable instance that is active (its
    /// next role capped at Unpromoted), stop for everything else.
    /// </summary>
    private NoQuorumPolicy EffectiveNoQuorum(WResource rsc)
    {
        if (HaveQuorum)
        {
            return NoQuorumPolicy.Ignore;
        }

        if (NoQuorum != NoQuorumPolicy.Demote)
        {
            return NoQuorum;
        }

        if (rsc.Role is not (ResourceRole.Promoted or ResourceRole.Unpromoted))
        {
            return NoQuorumPolicy.Stop;
        }

        if (rsc.NextRole > ResourceRole.Unpromoted)
        {
            rsc.NextRole = ResourceRole.Unpromoted;
        }

        return NoQuorumPolicy.Ignore;
    }

    private bool AnyManagedResources() => _resources.Any(r => r.Primitives().Any(p => p.Managed));

    private bool CanFence(WNode node)
    {
        if (!StonithEnabled || !HaveStonithResource)
        {
            return false;
        }

        return HaveQuorum || NoQuorum == NoQuorumPolicy.Ignore || node.Online;
    }

    private readonly Dictionary<WNode, WAction> _fenceActions = [];

    private WAction EnsureFenceAction(WNode node, string reason)
    {
        if (_fenceActions.TryGetValue(node, out var existing))
        {
            return existing;
        }

        var action = NewAction(null, "stonith", node, 0, optional: true);
        action.FenceAction = StonithAction;
        action.Reason = node.FenceReason ?? reason;
        action.Runnable = true;
        _fenceActions[node] = action;
        return action;
    }

    private void ScheduleFencing()
    {
        var needStonith = StonithEnabled && AnyManagedResources();
        WAction? previous = null;
        foreach (var node in _nodes)
        {
            if (node.Unclean && needStonith && CanFence(node))
            {
                var fence = EnsureFenceAction(node, "node is unclean");
                fence.Optional = false;
                foreach (var rsc in _resources)
                {
                    StonithOrdering(rsc, fence);
                }

                if (!ConcurrentFencing && previous is not null && !node.IsDc)
                {
                    _orderings.Add(new Ordering(null, "stonith", previous, null, "stonith", fence, OrderFlags.Optional));
                }

                previous = fence;
                node.Fenced = true;
            }
            else if (node.Unclean)
            {
                _warnings.Add($"node {node.Name} is unclean but cannot be fenced");
            }
            else if (node.Online && node.Shutdown)
            {
                var down = NewAction(null, "do_shutdown", node, 0, optional: false);
                down.Runnable = true;
                foreach (var p in node.Running)
                {
                    foreach (var stop in FindActions(p, "stop", node))
                    {
                        _orderings.Add(new Ordering(null, "stop", stop, null, "do_shutdown", down, OrderFlags.Optional | OrderFlags.RunnableLeft));
                    }
                }
            }
        }
    }

    private void StonithOrdering(WResource rsc, WAction fence)
    {
        if (rsc.Children.Count > 0)
        {
            foreach (var child in rsc.Children)
            {
                StonithOrdering(child, fence);
            }

            return;
        }

        if (!rsc.Managed)
        {
            return;
        }

        var target = fence.Node!;
        foreach (var action in rsc.Actions.ToList())
        {
            if (action.Needs == Requirement.Fencing)
            {
                _orderings.Add(new Ordering(null, "stonith", fence, null, action.Task, action, OrderFlags.Optional));
            }
            else if (action.Needs == Requirement.Quorum && action.Task == "start" && rsc.Allowed[target.Index] is not null && !rsc.KnownOn.Contains(target.Index))
            {
                _orderings.Add(new Ordering(null, "stonith", fence, null, action.Task, action, OrderFlags.Optional | OrderFlags.RunnableLeft));
            }
        }

        foreach (var stop in FindActions(rsc, "stop", target).ToList())
        {
            stop.Pseudo = true;
            stop.Runnable = true;
            if (rsc.NeedsFencing)
            {
                stop.ImpliedByFencing = true;
                _orderings.Add(new Ordering(null, "stonith", fence, null, "stop", stop, OrderFlags.Preserve));
            }
        }

        foreach (var demote in FindActions(rsc, "demote", target).ToList())
        {
            if (!target.Online || target.Unclean || rsc.Failed)
            {
                demote.Pseudo = true;
                demote.Runnable = true;
                if (rsc.NeedsFencing)
                {
                    _orderings.Add(new Ordering(null, "stonith", fence, null, "demote", demote, OrderFlags.Preserve | OrderFlags.Optional));
                }
            }
        }
    }
}
