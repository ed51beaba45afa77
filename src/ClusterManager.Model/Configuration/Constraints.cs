using System.Collections.Immutable;

namespace ClusterManager.Model.Configuration;

/// <summary>A constraint; its id is unique across the configuration.</summary>
public abstract record Constraint(string Id);

public enum ResourceDiscovery
{
    Always,
    Never,
    Exclusive,
}

public enum OrderKind
{
    Mandatory,
    Optional,
    Serialize,
}

/// <summary>
/// A resource set inside a constraint (<c>&lt;resource_set&gt;</c>). Null fields take the constraint's or
/// Pacemaker's default.
/// </summary>
public sealed record ResourceSet(
    string Id,
    ImmutableArray<ResourceId> Resources,
    bool? Sequential,
    bool? RequireAll,
    string? Ordering,
    ResourceAction? Action,
    ResourceRole? Role,
    Score? Score,
    OrderKind? Kind);

/// <summary>
/// <c>rsc_location</c>: a resource (or a pattern, or sets) prefers or avoids a node, by a fixed score or by rules.
/// </summary>
public sealed record LocationConstraint(
    string Id,
    ResourceId? Resource,
    string? ResourcePattern,
    ImmutableArray<ResourceSet> Sets,
    ResourceRole? Role,
    NodeName? Node,
    Score? Score,
    ImmutableArray<Rule> Rules,
    ResourceDiscovery Discovery) : Constraint(Id);

/// <summary>
/// <c>rsc_colocation</c>: <see cref="Dependent"/> (<c>rsc</c>) is placed relative to <see cref="Primary"/>
/// (<c>with-rsc</c>). Positive scores attract, negative repel, ±INFINITY is mandatory.
/// </summary>
public sealed record ColocationConstraint(
    string Id,
    ResourceId? Dependent,
    ResourceId? Primary,
    Score Score,
    ResourceRole? DependentRole,
    ResourceRole? PrimaryRole,
    string? NodeAttribute,
    bool? Influence,
    ImmutableArray<ResourceSet> Sets) : Constraint(Id);

/// <summary><c>rsc_order</c>: <see cref="FirstAction"/> of First before <see cref="ThenAction"/> of Then.</summary>
public sealed record OrderConstraint(
    string Id,
    ResourceId? First,
    ResourceId? Then,
    ResourceAction? FirstAction,
    ResourceAction? ThenAction,
    OrderKind Kind,
    bool? Symmetrical,
    bool? RequireAll,
    ImmutableArray<ResourceSet> Sets) : Constraint(Id);

/// <summary>
/// <c>rsc_ticket</c>: a resource depends on a ticket. Modelled so that a CIB carrying one round-trips; the
/// engine treats it as described in the engine's documentation.
/// </summary>
public sealed record TicketConstraint(
    string Id,
    ResourceId? Resource,
    ResourceRole? Role,
    string Ticket,
    string? LossPolicy,
    ImmutableArray<ResourceSet> Sets) : Constraint(Id);
