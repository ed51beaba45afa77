using System.Collections.Immutable;

namespace ClusterManager.Model.Configuration;

/// <summary>
/// The whole configuration (the CIB's <c>configuration</c> section). Resources and constraints keep their
/// document order, which Pacemaker's semantics depend on (assignment order, location application order).
/// </summary>
public sealed record ClusterConfiguration(
    ImmutableArray<NvSet> Properties,
    ImmutableArray<NodeConfig> Nodes,
    ImmutableArray<ResourceConfig> Resources,
    ImmutableArray<Constraint> Constraints,
    ImmutableArray<NvSet> ResourceDefaults,
    ImmutableArray<NvSet> OperationDefaults,
    ImmutableArray<FencingLevel> FencingTopology)
{
    public static readonly ClusterConfiguration Empty = new([], [], [], [], [], [], []);

    /// <summary>Every primitive, including group members and clone children, in document order.</summary>
    public IEnumerable<PrimitiveConfig> AllPrimitives() => Resources.SelectMany(Flatten);

    private static IEnumerable<PrimitiveConfig> Flatten(ResourceConfig r) => r switch
    {
        PrimitiveConfig p => [p],
        GroupConfig g => g.Members,
        CloneConfig c => Flatten(c.Child),
        _ => [],
    };
}
