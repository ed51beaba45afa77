using System.Collections.Immutable;
using ClusterManager.Model;

namespace ClusterManager.Policy;

/// <summary>How a node stands, as <c>crm_mon</c> would list it.</summary>
public enum NodeCondition
{
    Online,
    Offline,
    Unclean,
    /// <summary>Online but in the middle of joining (treated as standby).</summary>
    Pending,
    Standby,
    Maintenance,
}

/// <summary>
/// A node as the engine sees it after unpacking status. <see cref="Condition"/> is the headline; the flags
/// give the details (a standby node with active resources, an unclean node that is online, a shutdown request).
/// </summary>
public sealed record NodeView(
    NodeName Name,
    NodeCondition Condition,
    bool Online,
    bool Unclean,
    bool Standby,
    bool Maintenance,
    bool Shutdown,
    bool HasActiveResources);

/// <summary>A resource as the engine sees it (current, or projected after the transition).</summary>
public abstract record ResourceView(ResourceId Id);

/// <summary>
/// One primitive (or clone instance). <see cref="Nodes"/> holds every node it is active on (more than one when
/// it is multiply active). Flags mirror what <c>crm_mon</c> prints.
/// </summary>
public sealed record PrimitiveView(
    ResourceId Id,
    string Agent,
    ResourceRole Role,
    ImmutableArray<NodeName> Nodes,
    bool Failed,
    bool Managed,
    bool Blocked,
    bool Orphaned,
    bool FailureIgnored,
    bool Disabled,
    ResourceRole? TargetRole,
    string? PendingTask) : ResourceView(Id);

/// <summary>A group and its members in order.</summary>
public sealed record GroupView(
    ResourceId Id,
    ImmutableArray<PrimitiveView> Members,
    bool Managed,
    bool Disabled) : ResourceView(Id);

/// <summary>
/// A clone with its instances (each a <see cref="PrimitiveView"/> or a <see cref="GroupView"/>).
/// </summary>
public sealed record CloneView(
    ResourceId Id,
    bool Unique,
    bool Promotable,
    ImmutableArray<ResourceView> Instances,
    bool Managed,
    bool Disabled) : ResourceView(Id);

/// <summary>The whole cluster as seen at one point: nodes in configuration order, resources in document order.</summary>
public sealed record ClusterView(
    ImmutableArray<NodeView> Nodes,
    ImmutableArray<ResourceView> Resources);
