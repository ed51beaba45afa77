using System.Collections.Immutable;

namespace ClusterManager.Model.Configuration;

/// <summary>One name/value pair. A null value unsets the name in that set.</summary>
public sealed record NvPair(string Id, string Name, string? Value);

/// <summary>
/// A set of name/value pairs (<c>instance_attributes</c>, <c>meta_attributes</c>, <c>cluster_property_set</c>,
/// <c>utilization</c>). Of several sets, the one with the higher <see cref="Score"/> wins; a set whose
/// <see cref="Rule"/> does not hold is skipped; the first value found for a name is kept.
/// </summary>
public sealed record NvSet(string Id, int Score, Rule? Rule, ImmutableArray<NvPair> Pairs)
{
    public static NvSet Of(string id, params (string Name, string Value)[] pairs) =>
        new(id, 0, null, [.. pairs.Select(p => new NvPair($"{id}-{p.Name}", p.Name, p.Value))]);
}
