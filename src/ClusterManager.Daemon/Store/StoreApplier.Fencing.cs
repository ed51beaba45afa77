using System.Collections.Immutable;
using ClusterManager.Cib;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Store;

/// <summary>The fencing part of the transition function: topology levels and the fence history.</summary>
public static partial class StoreApplier
{
    /// <summary>A level's target as pcs writes it: the node name, <c>regexp%PATTERN</c> or <c>attrib%NAME=VALUE</c>.</summary>
    public static string DescribeTarget(FencingLevel level)
    {
        ArgumentNullException.ThrowIfNull(level);
        return level.Target?.Value
            ?? (level.TargetPattern is { } p ? $"regexp%{p}" : $"attrib%{level.TargetAttribute}={level.TargetValue}");
    }

    /// <summary>True when both levels name their target the same way (a node's name is case-insensitive).</summary>
    public static bool SameTarget(FencingLevel a, FencingLevel b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return (a.Target, b.Target) switch
        {
            ({ } x, { } y) => string.Equals(x.Value, y.Value, StringComparison.OrdinalIgnoreCase),
            (null, null) => a.TargetPattern == b.TargetPattern && a.TargetAttribute == b.TargetAttribute && a.TargetValue == b.TargetValue,
            _ => false,
        };
    }

    private static (ClusterConfiguration, string?) AddFencingLevelChange(ClusterConfiguration config, AddFencingLevel add)
    {
        var level = add.Level;
        if (level.Index is < 1 or > 9)
        {
            return (config, $"fencing level {level.Index} is not between 1 and 9");
        }

        var forms = (level.Target is not null ? 1 : 0) + (level.TargetPattern is not null ? 1 : 0)
            + (level.TargetAttribute is not null || level.TargetValue is not null ? 1 : 0);
        if (forms != 1)
        {
            return (config, "a fencing level needs exactly one target: a node, a pattern (regexp%PATTERN) or an attribute (attrib%NAME=VALUE)");
        }

        if (level.Target is { } node && string.IsNullOrWhiteSpace(node.Value))
        {
            return (config, "the fencing level's target node is empty");
        }

        if (level.TargetPattern is { } pattern && CibFragment.PatternError(pattern) is { } patternError)
        {
            return (config, $"the fencing level's target pattern '{pattern}' is not a regular expression: {patternError}");
        }

        if ((level.TargetAttribute is not null || level.TargetValue is not null)
            && (string.IsNullOrWhiteSpace(level.TargetAttribute) || level.TargetValue is null))
        {
            return (config, "an attribute target needs a name and a value (attrib%NAME=VALUE)");
        }

        if (level.Devices.IsDefaultOrEmpty)
        {
            return (config, $"fencing level {level.Index} for {DescribeTarget(level)} names no stonith device");
        }

        var primitives = config.AllPrimitives().ToDictionary(p => p.Id.Value, StringComparer.Ordinal);
        foreach (var device in level.Devices)
        {
            if (!primitives.TryGetValue(device.Value, out var primitive))
            {
                return (config, $"stonith device '{device}' does not exist");
            }

            if (!primitive.IsFencingDevice)
            {
                return (config, $"'{device}' is not a stonith device (its class is {primitive.Class})");
            }
        }

        if (level.Devices.GroupBy(d => d.Value, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return (config, $"stonith device '{twice.Key}' is given twice in fencing level {level.Index}");
        }

        if (config.FencingTopology.FirstOrDefault(l => l.Index == level.Index && SameTarget(l, level)) is { } existing)
        {
            return (config, $"fencing level {level.Index} for {DescribeTarget(level)} already exists ({existing.Id}, device(s) "
                            + $"'{string.Join(',', existing.Devices.Select(d => d.Value))}'): remove it first or use another level");
        }

        var ids = config.FencingTopology.Select(l => l.Id)
            .Concat(config.AllPrimitives().Select(p => p.Id.Value))
            .Concat(config.Resources.Select(r => r.Id.Value))
            .Concat(config.Constraints.Select(c => c.Id))
            .ToHashSet(StringComparer.Ordinal);
        if (level.Id.Length == 0)
        {
            level = level with { Id = CibFragment.FencingLevelId(ids, DescribeTarget(level), level.Index) };
        }
        else if (ids.Contains(level.Id))
        {
            return (config, $"id '{level.Id}' is already in use");
        }

        return (config with { FencingTopology = config.FencingTopology.Add(level) }, null);
    }

    private static (ClusterConfiguration, string?) DeleteFencingLevelChange(ClusterConfiguration config, DeleteFencingLevel delete)
    {
        var at = IndexOf(config.FencingTopology, l => l.Id == delete.Id);
        return at < 0
            ? (config, $"fencing level '{delete.Id}' does not exist")
            : (config with { FencingTopology = config.FencingTopology.RemoveAt(at) }, null);
    }

    private static (ClusterStatus Status, string? Error) RecordFenceStatus(ClusterStatus status, RecordFence record)
    {
        var e = record.Event;
        if (string.IsNullOrWhiteSpace(e.Target.Value) || string.IsNullOrWhiteSpace(e.Action))
        {
            return (status, "a fence event needs a target node and an action");
        }

        if (e.ExecutedBy == FenceEvent.ManualDelegate && !status.Nodes.Any(n => n.Name == e.Target))
        {
            return (status, $"node '{e.Target}' is not known to the cluster (it was never a member); nothing to confirm");
        }

        if (!e.Succeeded)
        {
            return (status, null);
        }

        if (e.Action == "on")
        {
            // Unfenced: the node keeps running; #node-unfenced (the time, as Pacemaker records it) tells the policy
            // engine not to unfence it again until a fence clears its transient attributes.
            var when = e.Completed.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (UpdateNode(status, e.Target, node => node with
            {
                TransientAttributes = node.TransientAttributes.SetItem("#node-unfenced", when),
            }), null);
        }

        // A confirmed fence is the proof that nothing runs there any more (as the controller records a fenced node).
        return (UpdateNode(status, e.Target, node => node with
        {
            InMembership = false,
            ControllerOnline = false,
            Join = "down",
            Expected = "down",
            Resources = [],
            TransientAttributes = ImmutableSortedDictionary<string, string>.Empty,
        }), null);
    }

    private static ImmutableList<FenceEvent> FenceHistoryAfter(ImmutableList<FenceEvent> history, ImmutableArray<ConfigChange> changes)
    {
        foreach (var change in changes)
        {
            switch (change)
            {
                case RecordFence r:
                    history = history.Add(r.Event);
                    break;
                case ClearFenceHistory { Node: { } node }:
                    history = history.RemoveAll(e => string.Equals(e.Target.Value, node.Value, StringComparison.OrdinalIgnoreCase));
                    break;
                case ClearFenceHistory:
                    history = [];
                    break;
            }
        }

        while (history.Count > StoreState.FenceHistoryLimit)
        {
            history = history.RemoveAt(0);
        }

        return history;
    }
}
