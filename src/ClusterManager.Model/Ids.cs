namespace ClusterManager.Model;

/// <summary>A node's name (Pacemaker's <c>uname</c>): the key every constraint and status entry uses.</summary>
public readonly record struct NodeName(string Value) : IComparable<NodeName>
{
    /// <summary>Ordinal (byte) order, as Pacemaker's <c>strcmp</c>: <c>node10</c> sorts before <c>node2</c>.</summary>
    public int CompareTo(NodeName other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}

/// <summary>A resource's id (primitive, group or clone; clone instances carry <c>:N</c>).</summary>
public readonly record struct ResourceId(string Value) : IComparable<ResourceId>
{
    public int CompareTo(ResourceId other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
