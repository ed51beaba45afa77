using System.Collections.Immutable;

namespace ClusterManager.Model.Configuration;

/// <summary>A configured resource: a primitive, a group or a clone. Meta attributes stay as written (sets).</summary>
public abstract record ResourceConfig(ResourceId Id, ImmutableArray<NvSet> Meta);

/// <summary>
/// A primitive: an agent (<c>class[:provider]:type</c>), its parameters, meta attributes, utilization and operations.
/// </summary>
public sealed record PrimitiveConfig(
    ResourceId Id,
    string Class,
    string? Provider,
    string Type,
    ImmutableArray<NvSet> InstanceAttributes,
    ImmutableArray<NvSet> Meta,
    ImmutableArray<NvSet> Utilization,
    ImmutableArray<OperationConfig> Operations) : ResourceConfig(Id, Meta)
{
    /// <summary>The agent as Pacemaker prints it: <c>ocf:heartbeat:IPaddr2</c>, <c>stonith:fence_xvm</c>.</summary>
    public string Agent => Provider is null ? $"{Class}:{Type}" : $"{Class}:{Provider}:{Type}";

    public bool IsFencingDevice => Class == "stonith";
}

/// <summary>A group: members started in order on one node.</summary>
public sealed record GroupConfig(
    ResourceId Id,
    ImmutableArray<NvSet> Meta,
    ImmutableArray<PrimitiveConfig> Members) : ResourceConfig(Id, Meta);

/// <summary>
/// A clone of a primitive or a group. Promotable when meta <c>promotable=true</c> or written as the legacy
/// <c>&lt;master&gt;</c> element (<see cref="IsLegacyMaster"/>).
/// </summary>
public sealed record CloneConfig(
    ResourceId Id,
    ImmutableArray<NvSet> Meta,
    ResourceConfig Child,
    bool IsLegacyMaster) : ResourceConfig(Id, Meta);

/// <summary>
/// A configured operation (<c>&lt;op name interval timeout role on-fail enabled&gt;</c>). Interval zero means
/// a one-off operation (start, stop, probe settings). Attributes not modelled explicitly stay in <see cref="Extra"/>.
/// </summary>
public sealed record OperationConfig(
    string Id,
    string Name,
    TimeSpan Interval,
    TimeSpan? Timeout,
    ResourceRole? Role,
    string? OnFail,
    bool Enabled,
    ImmutableArray<NvSet> Meta,
    ImmutableArray<NvSet> InstanceAttributes,
    ImmutableSortedDictionary<string, string> Extra);
