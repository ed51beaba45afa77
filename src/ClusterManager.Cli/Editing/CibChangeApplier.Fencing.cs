using System.Globalization;
using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cib;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cli.Editing;

/// <summary>Fencing levels, checked as clusterd checks them (StoreApplier.Fencing and the API's target check).</summary>
internal static partial class CibChangeApplier
{
    /// <summary>
    /// The API's check before a batch is proposed: a level's target node must be a configured node or a member (for a
    /// file: a node of its status section), unless forced.
    /// </summary>
    private static string? UnknownTargetNode(IReadOnlyList<Change> changes, ClusterConfiguration config, XDocument cib)
    {
        var known = config.Nodes.Select(n => n.Name.Value)
            .Concat(cib.Root!.Elements("status").Elements("node_state").Select(n => (string?)n.Attribute("uname")).OfType<string>())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var target = changes.Where(c => c.KindCase == Change.KindOneofCase.AddFencingLevel && c.AddFencingLevel.TargetNode.Length > 0)
            .Select(c => c.AddFencingLevel)
            .FirstOrDefault(l => !l.Force && !known.Contains(l.TargetNode));
        return target is null ? null : $"node '{target.TargetNode}' is not a cluster node; use --force to add a fencing level for it anyway";
    }

    private static string? AddFencingLevel(XDocument cib, FencingLevelSpec spec, DateTimeOffset now)
    {
        var level = new FencingLevel(
            spec.Id,
            spec.Index,
            spec.TargetNode.Length > 0 ? new Model.NodeName(spec.TargetNode) : null,
            spec.TargetPattern.Length > 0 ? spec.TargetPattern : null,
            spec.TargetAttribute.Length > 0 ? spec.TargetAttribute : null,
            spec.TargetAttribute.Length > 0 || spec.TargetValue.Length > 0 ? spec.TargetValue : null,
            [.. spec.Devices.Select(d => new Model.ResourceId(d))]);
        if (level.Index is < 1 or > 9)
        {
            return $"fencing level {level.Index} is not between 1 and 9";
        }

        var forms = (level.Target is not null ? 1 : 0) + (level.TargetPattern is not null ? 1 : 0)
            + (level.TargetAttribute is not null || level.TargetValue is not null ? 1 : 0);
        if (forms != 1)
        {
            return "a fencing level needs exactly one target: a node, a pattern (regexp%PATTERN) or an attribute (attrib%NAME=VALUE)";
        }

        if (level.TargetPattern is { } pattern && CibFragment.PatternError(pattern) is { } patternError)
        {
            return $"the fencing level's target pattern '{pattern}' is not a regular expression: {patternError}";
        }

        if ((level.TargetAttribute is not null || level.TargetValue is not null)
            && (string.IsNullOrWhiteSpace(level.TargetAttribute) || level.TargetValue is null))
        {
            return "an attribute target needs a name and a value (attrib%NAME=VALUE)";
        }

        if (level.Devices.IsDefaultOrEmpty)
        {
            return $"fencing level {level.Index} for {DescribeTarget(level)} names no stonith device";
        }

        // The checks below read the configuration as the earlier changes of the batch left it.
        var config = Read(cib, now);
        var primitives = config.AllPrimitives().ToDictionary(p => p.Id.Value, StringComparer.Ordinal);
        foreach (var device in level.Devices)
        {
            if (!primitives.TryGetValue(device.Value, out var primitive))
            {
                return $"stonith device '{device}' does not exist";
            }

            if (!primitive.IsFencingDevice)
            {
                return $"'{device}' is not a stonith device (its class is {primitive.Class})";
            }
        }

        if (level.Devices.GroupBy(d => d.Value, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return $"stonith device '{twice.Key}' is given twice in fencing level {level.Index}";
        }

        if (config.FencingTopology.FirstOrDefault(l => l.Index == level.Index && SameTarget(l, level)) is { } existing)
        {
            return $"fencing level {level.Index} for {DescribeTarget(level)} already exists ({existing.Id}, device(s) "
                   + $"'{string.Join(',', existing.Devices.Select(d => d.Value))}'): remove it first or use another level";
        }

        var ids = config.FencingTopology.Select(l => l.Id)
            .Concat(config.AllPrimitives().Select(p => p.Id.Value))
            .Concat(config.Resources.Select(r => r.Id.Value))
            .Concat(config.Constraints.Select(c => c.Id))
            .ToHashSet(StringComparer.Ordinal);
        var id = level.Id;
        if (id.Length == 0)
        {
            id = CibFragment.FencingLevelId(ids, DescribeTarget(level), level.Index);
        }
        else if (ids.Contains(id))
        {
            return $"id '{id}' is already in use";
        }

        var element = new XElement("fencing-level", new XAttribute("id", id), new XAttribute("index", level.Index.ToString(CultureInfo.InvariantCulture)));
        if (level.Target is { } node)
        {
            element.SetAttributeValue("target", node.Value);
        }

        element.SetAttributeValue("target-pattern", level.TargetPattern);
        element.SetAttributeValue("target-attribute", level.TargetAttribute);
        element.SetAttributeValue("target-value", level.TargetValue);
        element.SetAttributeValue("devices", string.Join(',', level.Devices.Select(d => d.Value)));
        Section(cib, "fencing-topology").Add(element);
        return null;
    }

    private static string DescribeTarget(FencingLevel level) =>
        level.Target?.Value ?? (level.TargetPattern is { } p ? $"regexp%{p}" : $"attrib%{level.TargetAttribute}={level.TargetValue}");

    private static bool SameTarget(FencingLevel a, FencingLevel b) => (a.Target, b.Target) switch
    {
        ({ } x, { } y) => string.Equals(x.Value, y.Value, StringComparison.OrdinalIgnoreCase),
        (null, null) => a.TargetPattern == b.TargetPattern && a.TargetAttribute == b.TargetAttribute && a.TargetValue == b.TargetValue,
        _ => false,
    };
}
