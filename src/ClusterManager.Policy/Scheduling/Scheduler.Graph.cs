using ClusterManager.Model;

namespace ClusterManager.Policy.Scheduling;

// Orderings become action edges; then flags (optional, runnable) propagate along them to a fixed point:
// pcmk__apply_orderings, update_action, native/group/clone update_actions, handle_restart_ordering (2.1.5).
internal sealed partial class Scheduler
{
    private readonly Queue<WAction> _queue = new();

    /// <summary>Adds the edge unless the same one (actions and type) exists already; true when added.</summary>
    private static bool AddEdge(WAction first, WAction then, OrderFlags type)
    {
        if (first == then || !first.AddAfter(new Edge(then, type)))
        {
            return false;
        }

        then.AddBefore(new Edge(first, type));
        return true;
    }

    private void ApplyOrderings()
    {
        OrderMigrationEquivalents();

        // Applying an ordering may add orderings: only those present at the start are applied.
        var count = _orderings.Count;
        for (var i = 0; i < count; i++)
        {
            if (i == _probeOrderingsAt)
            {
                ApplyProbeOrderings();
            }

            var order = _orderings[i];
            ApplyOrdering(in order);
        }

        // pcmk__apply_orderings: every action unrunnable by now (newest first) blocks its mandatory colocation
        // dependents (pcmk__block_colocation_dependents), before any flag is propagated.
        for (var i = _actions.Count - 1; i >= 0; i--)
        {
            if (!_actions[i].Runnable)
            {
                ColocatedStartChain(_actions[i]);
            }
        }

        if (_probeOrderingsAt >= count)
        {
            ApplyProbeOrderings();
        }

        ApplyMigrationProbeOrders();
    }

    private void ApplyProbeOrderings()
    {
        // Each start gets an edge from every probe of its resource: room for them at once, rather than growing
        // the start's edges step by step.
        foreach (var (_, target, _) in _probeOrderings)
        {
            if (target.ProbesBeforeStart > 0)
            {
                foreach (var start in target.ActionsOf("start"))
                {
                    start.ReserveBefore(target.ProbesBeforeStart);
                }

                target.ProbesBeforeStart = 0;
            }
        }

        foreach (var (probe, target, type) in _probeOrderings)
        {
            var order = new Ordering(null, "monitor", probe, target, "start", null, type);
            ApplyOrdering(in order);
        }
    }

    private void ApplyOrdering(in Ordering order)
    {
        var thenRsc = order.ThenRsc;
        if (order.ThenAction is null && thenRsc is null)
        {
            return;
        }

        if (order.FirstAction is { } fa)
        {
            ApplyOrderingFrom(fa, in order);
            return;
        }

        if (order.FirstRsc is not { } fr)
        {
            return;
        }

        var found = false;
        var actions = fr.ActionsOf(order.FirstTask);
        var count = actions.Count;
        for (var i = 0; i < count; i++)
        {
            found = true;
            ApplyOrderingFrom(actions[i], in order);
        }

        if (!found && fr != thenRsc)
        {
            var state = StateOf(fr, current: true);
            if ((state == ResourceRole.Stopped && order.FirstTask == "stop") || (state == ResourceRole.Unpromoted && order.FirstTask == "demote"))
            {
                return;
            }

            ApplyOrderingFrom(CustomAction(fr, order.FirstTask, null, optional: true), in order);
        }
    }

    private void ApplyOrderingFrom(WAction first, in Ordering order)
    {
        var type = order.Type;
        if (first.Dangle && first.Rsc == order.ThenRsc)
        {
            type &= ~OrderFlags.ImpliesThen;
        }

        if (order.ThenAction is { } ta)
        {
            AddEdge(first, ta, type);
            return;
        }

        var actions = order.ThenRsc!.ActionsOf(order.ThenTask);
        var count = actions.Count;
        for (var i = 0; i < count; i++)
        {
            AddEdge(first, actions[i], type);
        }
    }

    private void Enqueue(WAction action)
    {
        if (!action.Queued)
        {
            action.Queued = true;
            _queue.Enqueue(action);
        }
    }

    private bool _depthFirst;

    /// <summary>
    /// Propagates flags the way Pacemaker does (pcmk__update_action_for_orderings, recursive, newest action first,
    /// each action's orderings newest first): the order decides which reason each flag change records. A final
    /// worklist pass guarantees the fixed point even where the recursion was cut short.
    /// </summary>
    private void PropagateAll()
    {
        _depthFirst = true;
        for (var i = _actions.Count - 1; i >= 0; i--)
        {
            UpdateActionDepthFirst(_actions[i], 0);
        }

        _depthFirst = false;
        _queue.EnsureCapacity(_actions.Count);
        for (var i = 0; i < _actions.Count; i++)
        {
            Enqueue(_actions[i]);
        }

        var guard = 0;
        var limit = Math.Max(200_000, _actions.Count * 200);
        while (_queue.Count > 0 && guard++ < limit)
        {
            var action = _queue.Dequeue();
            action.Queued = false;
            UpdateAction(action);
        }
    }

    private const int MaxDepth = 2_000;

    private void UpdateActionDepthFirst(WAction then, int depth)
    {
        if (depth > MaxDepth)
        {
            Enqueue(then);
            return;
        }

        var lastOptional = then.Optional;
        var lastRunnable = then.Runnable;
        var thenChanged = false;
        if (then.RequiresAny)
        {
            then.RunnableBefore = 0;
            if (then.RequiredRunnableBefore == 0)
            {
                then.RequiredRunnableBefore = 1;
            }

            then.Runnable = false;
        }

        for (var i = then.Before.Length - 1; i >= 0; i--)
        {
            var edge = then.Before[i];
            if (edge.Type == OrderFlags.None)
            {
                continue;
            }

            var first = Expand(edge.Action, then);
            if (first != edge.Action)
            {
                // "Ordering X after <collective> running instead of start": a new edge replaces this one.
                if (AddEdge(first, then, edge.Type))
                {
                    thenChanged = true;
                }

                then.ClearBefore(i);
                continue;
            }

            // Flags a collective's summary clears just now (group_action_flags) are no update of "first": only what
            // the ordering itself changes re-processes it (pcmk__updated_first).
            var firstFlags = FlagsForOrdering(first, OrderingNode(then));
            var firstBefore = (first.Optional, first.Runnable, first.MigrateRunnable);
            var thenBefore = (then.Optional, then.Runnable, then.MigrateRunnable);
            if ((edge.Type & OrderFlags.Probe) == OrderFlags.Probe && then.Rsc is not null && !firstFlags.Runnable && first.Rsc?.RunningOn.Count > 0)
            {
                then.ClearBefore(i);
                continue;
            }

            if ((edge.Type & OrderFlags.OneOrMore) == OrderFlags.OneOrMore && then.RequiresAny && firstFlags.Runnable)
            {
                then.RunnableBefore++;
                if (then.RunnableBefore >= then.RequiredRunnableBefore)
                {
                    then.Runnable = true;
                }
            }

            foreach (var kind in FlagOrder)
            {
                if ((edge.Type & kind) == kind)
                {
                    _updateDepth = depth;
                    UpdateActions(first, then, kind == OrderFlags.ImpliesThen ? firstFlags with { Runnable = true } : firstFlags, kind);
                }
            }

            BlockedStopClause(first, then, edge.Type);
            PrintedClause(first, then, edge.Type, firstFlags);
            if ((first.Optional, first.Runnable, first.MigrateRunnable) != firstBefore)
            {
                for (var k = 0; k < first.After.Length; k++)
                {
                    UpdateActionDepthFirst(first.After[k].Action, depth + 1);
                }

                UpdateActionDepthFirst(first, depth + 1);
            }

            if ((then.Optional, then.Runnable, then.MigrateRunnable) != thenBefore)
            {
                thenChanged = true;
            }
        }

        if (then.RequiresAny)
        {
            thenChanged = then.Runnable != lastRunnable || then.Optional != lastOptional;
        }

        if (thenChanged)
        {
            if (lastRunnable && !then.Runnable)
            {
                ColocatedStartChain(then);
            }

            UpdateActionDepthFirst(then, depth + 1);
            for (var i = then.After.Length - 1; i >= 0; i--)
            {
                UpdateActionDepthFirst(then.After[i].Action, depth + 1);
            }
        }
    }

    private static string AtomicTask(string task) => task switch
    {
        "running" => "start",
        "stopped" => "stop",
        "promoted" => "promote",
        "demoted" => "demote",
        _ => task,
    };

    private static string CompletedTask(string task) => task switch
    {
        "start" => "running",
        "stop" => "stopped",
        "promote" => "promoted",
        "demote" => "demoted",
        _ => task,
    };

    private static bool IsAncestor(WResource? maybeAncestor, WResource? rsc)
    {
        for (var r = rsc?.Parent; r is not null; r = r.Parent)
        {
            if (r == maybeAncestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// update_action's then_node: a group's start is weighed against the one node its members are assigned to
    /// (native_location), so an instance of a "first" clone starting elsewhere does not require it.
    /// </summary>
    private static WNode? OrderingNode(WAction then)
    {
        if (then.Rsc is not { Variant: Variant.Group } group || then.Task != "start")
        {
            return then.Node;
        }

        var nodes = group.Children.Select(c => c.AllocatedTo).OfType<WNode>().Distinct().Take(2).ToList();
        return nodes.Count == 1 ? nodes[0] : null;
    }

    /// <summary>rsc_expand_action: outside a collective resource, its start means "running" (and so on).</summary>
    private WAction Expand(WAction first, WAction then)
    {
        if (first.Rsc is { Variant: not Variant.Primitive } fr && then.Rsc is not null && fr != then.Rsc && !IsAncestor(fr, then.Rsc))
        {
            var completed = CompletedTask(first.Task);
            if (completed != first.Task && FindFirstAction(fr, completed, null) is { } c)
            {
                return c;
            }
        }

        return first;
    }

    private readonly record struct Flags(bool Optional, bool Runnable);

    /// <summary>
    /// get_action_flags: a collective resource's pseudo-action summarises its children's actions, computed afresh
    /// for the node asked about (group_action_flags, summary_action_flags); only the node-independent query
    /// updates the action's own flags.
    /// </summary>
    private Flags FlagsOf(WAction action, WNode? node)
    {
        if (action.Rsc is not { } rsc || rsc.Variant == Variant.Primitive)
        {
            return new Flags(action.Optional, action.Runnable);
        }

        var optional = true;
        var runnable = true;
        var atomic = AtomicTask(action.Task);
        if (rsc.Variant == Variant.Group)
        {
            foreach (var child in rsc.Children)
            {
                var childAction = FirstAction(child, atomic, node);
                if (childAction is not null)
                {
                    var cf = FlagsOf(childAction, node);
                    if (optional && !cf.Optional)
                    {
                        optional = false;
                        SetOptional(action, false);
                    }

                    if (atomic != action.Task && runnable && !cf.Runnable)
                    {
                        runnable = false;
                        SetRunnable(action, false);
                    }
                }
                else if (atomic is not "stop" and not "demote")
                {
                    runnable = false;
                }
            }

            // group_action_flags starts from "optional, runnable", not from the group action's own flags: a cloned
            // group's instance starting elsewhere does not make its "running" required on this node (bug-lf-2581).
            return new Flags(optional, runnable);
        }

        var anyRunnable = false;
        foreach (var child in rsc.Children)
        {
            // clone_child_action: get_complex_task(child, task, TRUE) folds "running" into "start" only for a
            // primitive instance; a cloned group's own "running" summarises its members' starts.
            var childAction = child.Children.Count > 0 ? FirstAction(child, action.Task, null) : FirstAction(child, atomic, node);
            if (childAction is null)
            {
                continue;
            }

            var cf = FlagsOf(childAction, node);
            if (optional && !cf.Optional)
            {
                optional = false;
                SetOptional(action, false);
            }

            anyRunnable |= cf.Runnable;
        }

        if (!anyRunnable)
        {
            runnable = false;
            if (node is null)
            {
                SetRunnable(action, false);
            }
        }

        return new Flags(optional, runnable);
    }

    /// <summary>
    /// action_flags_for_ordering: for a clone action on a specific node, "runnable" means runnable anywhere;
    /// only the optional flag is node-specific.
    /// </summary>
    private Flags FlagsForOrdering(WAction action, WNode? node)
    {
        var flags = FlagsOf(action, null);
        if (node is null || action.Rsc is not { IsClone: true })
        {
            return flags;
        }

        var runnable = flags.Runnable;
        flags = FlagsOf(action, node);
        return runnable ? flags with { Runnable = true } : flags;
    }

    private static WAction? FirstAction(WResource rsc, string task, WNode? node)
    {
        foreach (var a in rsc.ActionsOf(task))
        {
            if (node is null || a.Node == node || a.Node is null)
            {
                return a;
            }
        }

        return null;
    }

    private void SetOptional(WAction action, bool value)
    {
        if (action.Optional != value)
        {
            action.Optional = value;
            Touched(action);
        }
    }

    private void SetRunnable(WAction action, bool value)
    {
        if (action.Runnable != value)
        {
            action.Runnable = value;
            Touched(action);
            if (!value && !_depthFirst)
            {
                ColocatedStartChain(action);
            }
        }
    }

    private void Touched(WAction action)
    {
        if (_depthFirst)
        {
            return;
        }

        Enqueue(action);
        foreach (var e in action.After)
        {
            Enqueue(e.Action);
        }

        foreach (var e in action.Before)
        {
            Enqueue(e.Action);
        }
    }

    /// <summary>pe_action_implies: clears a flag on <paramref name="action"/> and records why.</summary>
    private void Implies(WAction action, WAction reason, bool runnable, string? text = null)
    {
        var changed = runnable ? action.Runnable : action.Optional;
        if (!changed)
        {
            return;
        }

        if (runnable)
        {
            SetRunnable(action, false);
        }
        else
        {
            SetOptional(action, false);
        }

        if (reason.Rsc != action.Rsc)
        {
            SetReason(action, text ?? ReasonText(reason, runnable), overwrite: false);
        }
    }

    /// <summary>pe__action2reason: "unrunnable RSC TASK" or "required RSC TASK".</summary>
    private static string ReasonText(WAction reason, bool runnable)
    {
        var change = runnable ? "unrunnable" : "required";
        // action_uuid_for_ordering: a clone with notifications is ordered by its confirmed-post notification.
        var task = reason.Rsc is { IsClone: true } r && reason.Task is "running" or "stopped" or "promoted" or "demoted"
            && IsTrue(r.Meta.GetValueOrDefault("notify")) ? "notified" : reason.Task;
        return reason.Rsc is null ? $"{change} {task}" : $"{change} {reason.Rsc.Id} {task}";
    }

    /// <summary>
    /// clear_action_flag_because for pe_action_migrate_runnable: the action can no longer be part of a migration; the
    /// reason is recorded over any earlier one.
    /// </summary>
    private void NotMigratable(WAction action, WAction reason)
    {
        if (!action.MigrateRunnable)
        {
            return;
        }

        action.MigrateRunnable = false;
        Touched(action);
        if (reason.Rsc != action.Rsc)
        {
            SetReason(action, ReasonText(reason, runnable: true), overwrite: true);
        }
    }

    private void UpdateAction(WAction then)
    {
        if (then.RequiresAny)
        {
            var count = 0;
            foreach (var e in then.Before)
            {
                if ((e.Type & OrderFlags.OneOrMore) == OrderFlags.OneOrMore && FlagsOf(e.Action, then.Node).Runnable)
                {
                    count++;
                }
            }

            var required = then.RequiredRunnableBefore == 0 ? 1 : then.RequiredRunnableBefore;
            SetRunnable(then, count >= required);
        }

        // The edges as they are now (applying one may add others); the copy is pooled, as every action passes here.
        var before = _edgeCopies.Count > 0 ? _edgeCopies.Pop() : [];
        before.AddRange(then.Before);
        try
        {
            UpdateActionEdges(then, before);
        }
        finally
        {
            before.Clear();
            _edgeCopies.Push(before);
        }
    }

    private readonly Stack<List<Edge>> _edgeCopies = new();

    private void UpdateActionEdges(WAction then, List<Edge> before)
    {
        // before is a copy of then.Before taken at the start; edges are only ever appended, so index i is the same
        // edge in both.
        for (var i = 0; i < before.Count; i++)
        {
            var edge = before[i];
            if (edge.Type == OrderFlags.None)
            {
                continue;
            }

            var first = Expand(edge.Action, then);
            var firstFlags = FlagsForOrdering(first, OrderingNode(then));
            if ((edge.Type & OrderFlags.Probe) == OrderFlags.Probe && then.Rsc is not null && !firstFlags.Runnable && first.Rsc?.RunningOn.Count > 0)
            {
                then.ClearBefore(i);
                continue;
            }

            // update_action_for_ordering_flags applies one kind of ordering at a time, in this order; the
            // first flag cleared records its reason, so the order decides the "due to" of the summary.
            foreach (var kind in FlagOrder)
            {
                if ((edge.Type & kind) == kind)
                {
                    UpdateActions(first, then, kind == OrderFlags.ImpliesThen ? firstFlags with { Runnable = true } : firstFlags, kind);
                }
            }

            BlockedStopClause(first, then, edge.Type);
            PrintedClause(first, then, edge.Type, firstFlags);
        }
    }

    private static readonly OrderFlags[] FlagOrder =
    [
        OrderFlags.ImpliesThen,
        OrderFlags.Restart,
        OrderFlags.ImpliesFirst,
        OrderFlags.ImpliesFirstPromoted,
        OrderFlags.RunnableLeft,
        OrderFlags.ImpliesFirstMigratable,
        OrderFlags.PseudoLeft,
        OrderFlags.Asymmetrical,
    ];

    private void UpdateActions(WAction first, WAction then, Flags firstFlags, OrderFlags type)
    {
        // "Then implies first" is first's resource's to apply: for a primitive, to this pair of actions only.
        if (type == OrderFlags.ImpliesFirst && first.Rsc is not { Variant: not Variant.Primitive })
        {
            NativeUpdate(first, then, firstFlags, type);
            return;
        }

        switch (then.Rsc?.Variant)
        {
            case Variant.Group:
                NativeUpdate(first, then, firstFlags, type);
                foreach (var child in then.Rsc.Children)
                {
                    if (FirstAction(child, then.Task, then.Node) is { } childAction)
                    {
                        UpdateActions(first, childAction, firstFlags, type);
                    }
                }

                break;
            case Variant.Clone:
                if (CanInterleave(first, then))
                {
                    InterleaveUpdate(first, then, type);
                    break;
                }

                NativeUpdate(first, then, firstFlags, type);
                foreach (var child in then.Rsc.Children)
                {
                    if (FirstAction(child, then.Task, then.Node) is { } childAction && FlagsOf(childAction, then.Node).Runnable)
                    {
                        UpdateActions(first, childAction, firstFlags, type);
                    }
                }

                break;
            default:
                NativeUpdate(first, then, firstFlags, type);
                break;
        }
    }

    private static bool CanInterleave(WAction first, WAction then)
    {
        if (first.Rsc is null || then.Rsc is null || first.Rsc == then.Rsc || !first.Rsc.IsClone || !then.Rsc.IsClone)
        {
            return false;
        }

        var rsc = then.Task is "stop" or "demote" ? first.Rsc : then.Rsc;
        return rsc.Interleave;
    }

    private void InterleaveUpdate(WAction first, WAction then, OrderFlags type)
    {
        var current = first.Task is "stopped" or "demoted";
        var firstTask = AtomicTask(first.Task);
        foreach (var thenChild in then.Rsc!.Children.ToList())
        {
            var firstChild = FindCompatibleChild(thenChild, first.Rsc!, ResourceRole.Unknown, current);
            if (firstChild is null)
            {
                if (!current && (type & (OrderFlags.RunnableLeft | OrderFlags.ImpliesThen)) != 0)
                {
                    Inhibit(thenChild);
                }

                continue;
            }

            var firstAction = FirstAction(firstChild, firstTask, null);
            var thenAction = FirstAction(thenChild, then.Task, null);
            if (firstAction is null || thenAction is null)
            {
                continue;
            }

            if (AddEdge(firstAction, thenAction, type))
            {
                Enqueue(thenAction);
            }

            UpdateActions(firstAction, thenAction, FlagsOf(firstAction, null), type);
        }
    }

    /// <summary>An interleaved instance with no partner on its node cannot be active (assign_node(NULL)).</summary>
    private void Inhibit(WResource child)
    {
        foreach (var p in child.Primitives())
        {
            if (p.AllocatedTo is null && p.NextRole == ResourceRole.Stopped)
            {
                continue;
            }

            if (p.AllocatedTo is { } n)
            {
                n.AssignedCount--;
            }

            p.AllocatedTo = null;
            p.NextRole = ResourceRole.Stopped;
            foreach (var a in p.Actions)
            {
                if (a.Task == "stop")
                {
                    SetOptional(a, false);
                }
                else if (a.Task == "start")
                {
                    SetRunnable(a, false);
                }
            }
        }

        if (child.Variant == Variant.Group)
        {
            child.NextRole = ResourceRole.Stopped;
        }
    }

    /// <summary>
    /// pcmk__update_ordered_actions (2.1.5). Note that "then implies first" never fires for primitives there:
    /// it requires the first action's ordering flags and its own flags to disagree, which only collective
    /// summaries can do. Dependents stop through restart orderings instead.
    /// </summary>
    /// <summary>The depth of the depth-first update that is applying an ordering (see NativeUpdate).</summary>
    private int _updateDepth;

    private void NativeUpdate(WAction first, WAction then, Flags firstFlags, OrderFlags type)
    {
        var thenBefore = (then.Optional, then.Runnable, then.MigrateRunnable, then.Pseudo);
        NativeUpdateFlags(first, then, firstFlags, type);

        // pcmk__update_ordered_actions: "X_stop then X_start doesn't get handled for cloned groups unless we do this":
        // a changed action of a member or instance is re-processed at once.
        if (_depthFirst && then.Rsc?.Parent is not null && (then.Optional, then.Runnable, then.MigrateRunnable, then.Pseudo) != thenBefore)
        {
            UpdateActionDepthFirst(then, _updateDepth + 1);
        }
    }

    private void NativeUpdateFlags(WAction first, WAction then, Flags firstFlags, OrderFlags type)
    {
        if (then.Rsc is null)
        {
            if ((type & OrderFlags.ImpliesThen) == OrderFlags.ImpliesThen && !firstFlags.Optional && then.Optional)
            {
                SetOptional(then, false);
            }

            if ((type & OrderFlags.RunnableLeft) == OrderFlags.RunnableLeft && !firstFlags.Runnable && then.Runnable)
            {
                SetRunnable(then, false);
            }

            return;
        }

        if ((type & OrderFlags.Asymmetrical) == OrderFlags.Asymmetrical && !first.Runnable)
        {
            var skip = false;
            if (then.Optional)
            {
                var thenRole = StateOf(then.Rsc, current: true);
                skip = (thenRole == ResourceRole.Stopped && then.Task == "stop")
                    || (thenRole >= ResourceRole.Started && then.Task == "start" && then.Node is not null
                        && then.Rsc.RunningOn.Count == 1 && then.Rsc.RunningOn[0] == then.Node);
            }

            if (!skip)
            {
                Implies(then, first, runnable: false);
                Implies(then, first, runnable: true);
            }
        }

        if ((type & OrderFlags.ImpliesFirst) == OrderFlags.ImpliesFirst && !then.Optional && first.MigrateRunnable && !then.MigrateRunnable)
        {
            NotMigratable(first, then);
        }

        if ((type & OrderFlags.ImpliesFirstPromoted) == OrderFlags.ImpliesFirstPromoted && then.Rsc.Role == ResourceRole.Promoted && !then.Optional)
        {
            Implies(first, then, runnable: false);
            if (!then.MigrateRunnable)
            {
                NotMigratable(first, then);
            }
        }

        if ((type & OrderFlags.ImpliesFirstMigratable) == OrderFlags.ImpliesFirstMigratable)
        {
            if (!(then.MigrateRunnable && then.Runnable))
            {
                Implies(first, then, runnable: true);
            }

            if (!then.Optional)
            {
                Implies(first, then, runnable: false);
            }
        }

        if ((type & OrderFlags.PseudoLeft) == OrderFlags.PseudoLeft && !first.Runnable)
        {
            NotMigratable(then, first);
            if (then.Pseudo)
            {
                then.Pseudo = false;
                Touched(then);
            }
        }

        if ((type & OrderFlags.RunnableLeft) == OrderFlags.RunnableLeft && then.Runnable && !firstFlags.Runnable)
        {
            Implies(then, first, runnable: true);
            NotMigratable(then, first);
        }

        if ((type & OrderFlags.ImpliesThen) == OrderFlags.ImpliesThen && then.Optional && !firstFlags.Optional && !first.MigrateRunnable)
        {
            Implies(then, first, runnable: false);
        }

        if ((type & OrderFlags.Restart) == OrderFlags.Restart)
        {
            HandleRestart(first, then);
        }
    }

    /// <summary>
    /// update_action_for_ordering_flags, pe_order_implies_then_printed: a required runnable "first" puts "then" in
    /// the graph even while it stays optional (the clone-min pseudo-action).
    /// </summary>
    private static void PrintedClause(WAction first, WAction then, OrderFlags type, Flags firstFlags)
    {
        if (first.Runnable && (type & OrderFlags.ImpliesThenPrinted) == OrderFlags.ImpliesThenPrinted && !firstFlags.Optional)
        {
            then.PrintAlways = true;
        }
    }

    /// <summary>A blocked, unmanaged resource whose stop cannot run holds back what is ordered after that stop.</summary>
    private void BlockedStopClause(WAction first, WAction then, OrderFlags type)
    {
        if ((type & (OrderFlags.ImpliesThen | OrderFlags.ImpliesFirst | OrderFlags.Restart)) != 0
            && first.Rsc is { Managed: false, Blocked: true } && !first.Runnable && first.Task == "stop" && then.Runnable)
        {
            SetRunnable(then, false);
        }
    }

    private void HandleRestart(WAction first, WAction then)
    {
        string? reason = null;
        if (!then.Optional)
        {
            reason = "restart";
        }

        if (!then.Runnable && then.Rsc is { Managed: true } && first.Rsc == then.Rsc)
        {
            reason = "stop";
        }

        if (reason is null)
        {
            return;
        }

        if (first.Runnable)
        {
            Implies(first, then, runnable: false);
        }

        if (!then.Optional)
        {
            Implies(first, then, runnable: false);
        }

        if (!then.MigrateRunnable)
        {
            NotMigratable(first, then);
        }

        if (!first.Optional && !first.Runnable)
        {
            Implies(then, first, runnable: true);
        }
    }

    /// <summary>update_colo_start_chain: when no instance of a primary can start, mandatory dependents cannot either.</summary>
    private void ColocatedStartChain(WAction action)
    {
        if (action.Task != "start" || action.Rsc is null)
        {
            return;
        }

        var rsc = action.Rsc.Top;
        if (rsc.WithThis.Count == 0)
        {
            return;
        }

        foreach (var child in rsc.Children)
        {
            var start = FirstAction(child, "start", null);
            if (start is null || start.Runnable)
            {
                return;
            }
        }

        foreach (var coloc in rsc.WithThis.ToList())
        {
            if (coloc.Score != Score.InfinityValue)
            {
                continue;
            }

            // mark_start_blocked: the dependent's starts; update_action then carries a group's blocked start, with its
            // reason, to its members' starts.
            var blocked = coloc.Dependent.Variant == Variant.Group ? coloc.Dependent.Children.Prepend(coloc.Dependent) : [coloc.Dependent];
            foreach (var start in blocked.SelectMany(r => r.Actions).Where(a => a.Task == "start").ToList())
            {
                if (start.Runnable)
                {
                    SetReason(start, $"colocation with {action.Rsc.Id}", overwrite: false);
                    SetRunnable(start, false);
                }
            }
        }
    }
}
