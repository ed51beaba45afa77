using System.Collections.Immutable;
using ClusterManager.Model;

namespace ClusterManager.Cli.Output;

/// <summary>
/// What the status printer needs beyond a <see cref="Policy.ClusterView"/>: facts Pacemaker's display takes from
/// the configuration and status section rather than from the resources themselves.
/// </summary>
public sealed record StatusWriteOptions
{
    /// <summary>Default options: a symmetric cluster, pending operations shown (as <c>crm_simulate</c> does).</summary>
    public static readonly StatusWriteOptions Default = new();

    /// <summary>
    /// <c>symmetric-cluster</c>: when true, an anonymous clone's <c>Stopped: [ ... ]</c> list names every node not
    /// running an instance; when false only the nodes in <see cref="KnownOn"/>.
    /// </summary>
    public bool SymmetricCluster { get; init; } = true;

    /// <summary>Per clone id, the nodes that have operation history for one of its instances.</summary>
    public ImmutableDictionary<ResourceId, ImmutableArray<NodeName>> KnownOn { get; init; } =
        ImmutableDictionary<ResourceId, ImmutableArray<NodeName>>.Empty;

    /// <summary>
    /// Per top-level resource id, its <c>priority</c> meta attribute: Pacemaker lists resources by descending
    /// priority, in document order among equals (<c>pe__cmp_rsc_priority</c>). Missing ids count as 0.
    /// </summary>
    public ImmutableDictionary<ResourceId, int> Priorities { get; init; } = ImmutableDictionary<ResourceId, int>.Empty;

    /// <summary>Show pending operations (<c>Starting</c>, <c>(Monitoring)</c>); <c>crm_simulate</c> does.</summary>
    public bool ShowPending { get; init; } = true;
}
