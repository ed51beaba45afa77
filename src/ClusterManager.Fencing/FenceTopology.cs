using System.Collections.Immutable;
using System.Text.RegularExpressions;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Fencing;

/// <summary>One level of a target's topology: all its devices must succeed.</summary>
public sealed record TopologyLevel(int Index, string Id, ImmutableArray<ResourceId> Devices);

/// <summary>Fencing topology: which levels apply to a node, in the order they are tried.</summary>
public static class FenceTopology
{
    /// <summary>
    /// The levels for <paramref name="target"/>, lowest index first. Levels are grouped by how they name their
    /// target (a node, a pattern, an attribute=value) as Pacemaker keys its topology; the group naming the node
    /// exactly wins, else the first matching group in configuration order. A pattern is a regular expression
    /// matched anywhere in the name (POSIX <c>regexec</c>, unanchored). Empty: no topology for this node, and
    /// any device that can fence it may be used.
    /// </summary>
    public static ImmutableArray<TopologyLevel> LevelsFor(NodeName target, FencingConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var attributes = configuration.NodeAttributes.TryGetValue(target, out var a) ? a : ImmutableDictionary<string, string>.Empty;
        var groups = configuration.Levels.GroupBy(KeyOf).ToList();
        var chosen = groups.FirstOrDefault(g => g.First().Target is { } t && string.Equals(t.Value, target.Value, StringComparison.OrdinalIgnoreCase))
            ?? groups.FirstOrDefault(g => Matches(g.First(), target, attributes));
        if (chosen is null)
        {
            return [];
        }

        return [.. chosen
            .GroupBy(l => l.Index)
            .OrderBy(g => g.Key)
            .Select(g => g.First())
            .Select(l => new TopologyLevel(l.Index, l.Id, l.Devices))];
    }

    private static string KeyOf(FencingLevel level) =>
        level.Target is { } t ? "node:" + t.Value.ToLowerInvariant()
        : level.TargetPattern is { } p ? "pattern:" + p
        : $"attr:{level.TargetAttribute}={level.TargetValue}";

    private static bool Matches(FencingLevel level, NodeName target, ImmutableDictionary<string, string> attributes)
    {
        if (level.Target is { } t)
        {
            return string.Equals(t.Value, target.Value, StringComparison.OrdinalIgnoreCase);
        }

        if (level.TargetPattern is { } pattern)
        {
            try
            {
                return Regex.IsMatch(target.Value, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"fencing level '{level.Id}': target-pattern '{pattern}' is not a regular expression: {e.Message}", e);
            }
        }

        return level.TargetAttribute is { } name && attributes.TryGetValue(name, out var value) && value == level.TargetValue;
    }
}
