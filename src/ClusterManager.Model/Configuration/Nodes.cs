using System.Collections.Immutable;

namespace ClusterManager.Model.Configuration;

public enum NodeType
{
    Member,
    Remote,
    Ping,
}

/// <summary>A configured node: its permanent attributes (standby, maintenance, any user attribute) and utilization.</summary>
public sealed record NodeConfig(
    string Id,
    NodeName Name,
    NodeType Type,
    Score? Score,
    ImmutableArray<NvSet> Attributes,
    ImmutableArray<NvSet> Utilization);

/// <summary>
/// A fencing topology level: for the targeted nodes, level <see cref="Index"/> (1-9) tries all of
/// <see cref="Devices"/>; lower levels first, the next level when one fails.
/// </summary>
public sealed record FencingLevel(
    string Id,
    int Index,
    NodeName? Target,
    string? TargetPattern,
    string? TargetAttribute,
    string? TargetValue,
    ImmutableArray<ResourceId> Devices);
