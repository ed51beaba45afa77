using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Store;

/// <summary>How a put treats an existing element with the same id.</summary>
public enum WriteMode
{
    /// <summary>Create when missing, replace when present.</summary>
    Upsert,

    /// <summary>Refused when an element with the id exists.</summary>
    Create,

    /// <summary>Refused when no element with the id exists.</summary>
    Replace,
}

/// <summary>One change of a <see cref="ChangeBatch"/>. Changes of a batch apply in order, all or none.</summary>
public abstract record ConfigChange
{
    /// <summary>One line for the history ("put primitive VirtualIP (ocf:heartbeat:IPaddr2)").</summary>
    public abstract string Describe();
}

/// <summary>Adds or replaces a top-level resource (primitive, group or clone), keeping its position when replaced.</summary>
public sealed record PutResource(ResourceConfig Resource, WriteMode Mode) : ConfigChange
{
    public override string Describe() => Resource switch
    {
        PrimitiveConfig p => $"put primitive {p.Id} ({p.Agent})",
        GroupConfig g => $"put group {g.Id} ({string.Join(' ', g.Members.Select(m => m.Id.Value))})",
        CloneConfig c => $"put clone {c.Id} of {c.Child.Id}",
        _ => $"put resource {Resource.Id}",
    };
}

/// <summary>Deletes a top-level resource. Constraints naming it must be deleted in the same batch.</summary>
public sealed record DeleteResource(ResourceId Id) : ConfigChange
{
    public override string Describe() => $"delete resource {Id}";
}

/// <summary>Adds or replaces a constraint, keeping its position when replaced.</summary>
public sealed record PutConstraint(Constraint Constraint, WriteMode Mode) : ConfigChange
{
    public override string Describe() => Constraint switch
    {
        LocationConstraint l => $"put location {l.Id}",
        ColocationConstraint c => $"put colocation {c.Id} ({c.Dependent} with {c.Primary} {c.Score})",
        OrderConstraint o => $"put order {o.Id} ({o.First} then {o.Then})",
        _ => $"put constraint {Constraint.Id}",
    };
}

/// <summary>Deletes a constraint by id.</summary>
public sealed record DeleteConstraint(string Id) : ConfigChange
{
    public override string Describe() => $"delete constraint {Id}";
}

/// <summary>The name/value sets a <see cref="SetOption"/> change writes to.</summary>
public enum OptionScope
{
    /// <summary>Cluster properties (<c>cib-bootstrap-options</c>).</summary>
    ClusterProperty,

    /// <summary>Resource defaults (<c>rsc_defaults</c>).</summary>
    ResourceDefault,

    /// <summary>Operation defaults (<c>op_defaults</c>).</summary>
    OperationDefault,
}

/// <summary>Sets (non-null value) or unsets (null) one cluster property, resource default or operation default.</summary>
public sealed record SetOption(OptionScope Scope, string Name, string? Value) : ConfigChange
{
    public override string Describe() => Value is null ? $"unset {ScopeName} {Name}" : $"set {ScopeName} {Name}={Value}";

    private string ScopeName => Scope switch
    {
        OptionScope.ClusterProperty => "property",
        OptionScope.ResourceDefault => "resource default",
        _ => "operation default",
    };
}

/// <summary>Sets (non-null value) or unsets (null) a permanent node attribute (standby, maintenance, user attributes).</summary>
public sealed record SetNodeAttribute(NodeName Node, string Name, string? Value) : ConfigChange
{
    public override string Describe() =>
        Value is null ? $"unset node {Node} attribute {Name}" : $"set node {Node} attribute {Name}={Value}";
}

/// <summary>
/// Records an operation result reported by a node's executor (the CIB's <c>lrm_rsc_op</c>): replaces the record with
/// the same id in that node's history of the resource, or adds it. Recorded on changes, not for every successful
/// monitor. <see cref="Resource"/> carries the resource's agent (id, class, provider, type).
/// </summary>
public sealed record RecordOperation(NodeName Node, ResourceHistory Resource, OperationRecord Operation) : ConfigChange
{
    public override string Describe() =>
        $"record {Operation.Operation} of {Resource.Id} on {Node}: rc={Operation.RcCode} status={Operation.ExecStatus}";
}

/// <summary>Forgets a resource's operation history on one node, or on every node when <see cref="Node"/> is null (cleanup).</summary>
public sealed record ClearResourceHistory(NodeName? Node, ResourceId Resource) : ConfigChange
{
    public override string Describe() => Node is { } n ? $"clear history of {Resource} on {n}" : $"clear history of {Resource}";
}

/// <summary>
/// Records a node's membership as the controller sees it (the CIB's <c>node_state</c>: in_ccm, crmd, join,
/// expected). With <see cref="ClearHistory"/> the node's operation history and transient attributes are erased, as
/// Pacemaker does once a lost node is fenced or has left: nothing runs there any more.
/// </summary>
public sealed record SetNodeState(NodeName Node, bool InCluster, string Join, string Expected, bool ClearHistory) : ConfigChange
{
    public override string Describe() =>
        $"node {Node} {(InCluster ? "online" : "offline")} join={Join} expected={Expected}{(ClearHistory ? ", history cleared" : "")}";
}

/// <summary>
/// Sets (non-null value) or unsets (null) a transient node attribute of the status section (fail-count-*,
/// last-failure-*, the promotion scores agents set): forgotten when the node leaves.
/// </summary>
public sealed record SetTransientAttribute(NodeName Node, string Name, string? Value) : ConfigChange
{
    public override string Describe() =>
        Value is null ? $"unset transient attribute {Name} of node {Node}" : $"set transient attribute {Name}={Value} on node {Node}";
}
