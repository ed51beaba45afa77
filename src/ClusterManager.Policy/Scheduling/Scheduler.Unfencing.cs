using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Policy.Scheduling;

// Unfencing (fence action "on"): devices such as fence_scsi cut a node off shared storage until it is unfenced.
// pe_flag_enable_unfencing (unpack_config), unpack_requires' "unfencing", pe_fence_op(node, "on", ...),
// trigger_unfencing, pcmk__order_vs_unfence (probes and StartRsc) and pcmk__rsc_agent_changed.
internal sealed partial class Scheduler
{
    private bool? _enableUnfencing;
    private readonly HashSet<WResource> _needsUnfencing = [];
    private readonly Dictionary<WNode, WAction> _unfenceActions = [];

    // Starts are created before probes here, Pacemaker creates probes first: their unfencing is scheduled after the
    // probes so that the first reason recorded on an unfence action is the one Pacemaker records.
    private readonly List<(WResource Rsc, WNode Node, WAction Start)> _startsVsUnfence = [];

    /// <summary>
    /// unpack_config: unfencing is in use when any name/value pair of the configuration says provides=unfencing or
    /// requires=unfencing (Pacemaker searches the whole CIB for such an nvpair).
    /// </summary>
    internal bool EnableUnfencing => _enableUnfencing ??= ConfigurationMentionsUnfencing(_snapshot.Configuration);

    private static bool ConfigurationMentionsUnfencing(ClusterConfiguration cfg)
    {
        static bool Mentions(IEnumerable<NvSet> sets) => sets.Any(set => set.Pairs.Any(p =>
            p.Name is "provides" or "requires" && string.Equals(p.Value, "unfencing", StringComparison.Ordinal)));

        static IEnumerable<NvSet> SetsOf(ResourceConfig rsc) => rsc switch
        {
            PrimitiveConfig p => p.Meta.Concat(p.InstanceAttributes).Concat(p.Operations.SelectMany(o => o.Meta.Concat(o.InstanceAttributes))),
            GroupConfig g => g.Meta.Concat(g.Members.SelectMany(SetsOf)),
            CloneConfig c => c.Meta.Concat(SetsOf(c.Child)),
            _ => rsc.Meta,
        };

        return Mentions(cfg.Properties) || Mentions(cfg.ResourceDefaults) || Mentions(cfg.OperationDefaults)
            || cfg.Resources.Any(r => Mentions(SetsOf(r)));
    }

    /// <summary>pcmk__node_unfenced: the node attribute #node-unfenced is set and not "0".</summary>
    private static bool NodeUnfenced(WNode node) => node.Attribute("#node-unfenced") is { } value && value != "0";

    private bool NeedsUnfencing(WResource rsc) => _needsUnfencing.Contains(rsc);

    /// <summary>pe_fence_op(node, "on", optional, reason): one unfence action per node.</summary>
    private WAction UnfenceOp(WNode node, bool optional, string? reason)
    {
        if (!_unfenceActions.TryGetValue(node, out var action))
        {
            action = NewAction(null, "stonith", node, 0, optional: true);
            action.FenceAction = "on";
            action.Runnable = true;
            _unfenceActions[node] = action;
        }

        if (!optional && CanFence(node))
        {
            action.Optional = false;
            action.Reason ??= reason;
        }
        else if (reason is not null)
        {
            action.Reason ??= reason;
        }

        return action;
    }

    /// <summary>
    /// trigger_unfencing: requires the unfencing of <paramref name="node"/> (or, without a usable node, of every
    /// usable node the device may run on) when unfencing is in use and <paramref name="rsc"/> is a fence device.
    /// </summary>
    private void TriggerUnfencing(WResource? rsc, WNode? node, string reason, WAction? dependency)
    {
        if (!EnableUnfencing || (rsc is not null && !IsFenceDevice(rsc)))
        {
            return;
        }

        if (node is { Online: true, Unclean: false, Shutdown: false })
        {
            var unfence = UnfenceOp(node, optional: false, reason);
            if (dependency is not null)
            {
                AddEdge(unfence, dependency, OrderFlags.Optional);
            }
        }
        else if (rsc is not null)
        {
            foreach (var allowed in _nodes)
            {
                if (rsc.Allowed[allowed.Index] is not null && allowed is { Online: true, Unclean: false, Shutdown: false })
                {
                    TriggerUnfencing(rsc, allowed, reason, dependency);
                }
            }
        }
    }

    private static bool IsFenceDevice(WResource rsc) => rsc.IsFenceDevice || (rsc.Primitive?.IsFencingDevice ?? false);

    /// <summary>
    /// pcmk__order_vs_unfence: a probe or start of a resource that requires unfencing (or of any fence device while
    /// unfencing is in use) comes after the node's unfencing, which is required if the node was never unfenced.
    /// </summary>
    private void OrderVsUnfence(WResource rsc, WNode node, WAction action, OrderFlags order)
    {
        if (!((IsFenceDevice(rsc) && EnableUnfencing) || NeedsUnfencing(rsc)))
        {
            return;
        }

        var unfence = UnfenceOp(node, optional: true, reason: null);
        // order_actions: a direct edge, made now rather than with the ordering constraints applied later.
        AddEdge(unfence, action, order);
        if (!NodeUnfenced(node))
        {
            TriggerUnfencing(null, node, $"required by {rsc.Id} {action.Task}", null);
        }
    }

    /// <summary>The start orderings against unfencing that StartRsc makes, in Pacemaker's place (after the probes).</summary>
    private void OrderStartsVsUnfence()
    {
        foreach (var (rsc, node, start) in _startsVsUnfence)
        {
            OrderVsUnfence(rsc, node, start, OrderFlags.ImpliesThen);
        }

        _startsVsUnfence.Clear();
    }

    /// <summary>
    /// pcmk__rsc_agent_changed: the history was recorded under another class, provider or type than configured now.
    /// A fence device's change requires unfencing; a resource still active there is restarted (stop, start pending).
    /// </summary>
    private void CheckAgentChanged(WResource rsc, WNode node, ResourceHistory history)
    {
        if (rsc.Orphan || rsc.Primitive is not { } configured)
        {
            return;
        }

        if (history.Class == configured.Class && history.Provider == configured.Provider && history.Type == configured.Type)
        {
            return;
        }

        TriggerUnfencing(rsc, node, "Device definition changed", null);
        if (rsc.RunningOn.Contains(node))
        {
            StopAction(rsc, node, optional: false);
            rsc.StartPending = true;
        }
    }
}
