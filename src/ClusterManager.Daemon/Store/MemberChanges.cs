namespace ClusterManager.Daemon.Store;

/// <summary>Where a member added or removed with <c>hactl cluster node add|remove</c> stands.</summary>
public enum MemberState
{
    /// <summary>Recorded, not yet in the Raft configuration (catching up); not a node of the policy engine yet.</summary>
    Joining,

    /// <summary>In the Raft configuration and a node of the policy engine.</summary>
    Member,

    /// <summary>Being removed: the policy engine sees it in standby, so its resources move away first.</summary>
    Leaving,

    /// <summary>Removed (a tombstone: it overrides the node in a static node list that was not updated).</summary>
    Removed,
}

/// <summary>
/// A member as the replicated store records it: its name, Raft endpoint and API endpoint (<c>IP:port</c>). Members
/// of the static node list (clusterd.json's <c>Nodes</c>) need no record; a record overrides the static entry of the
/// same name, so every node learns an added or removed member from the store, whatever its own file says.
/// </summary>
public sealed record MemberRecord(string Name, string RaftEndpoint, string ApiEndpoint, MemberState State);

/// <summary>
/// Records a member (replacing the record with the same name). <see cref="MemberState.Removed"/> also erases the
/// node from the configuration's node section and its status (Pacemaker's <c>crm_node --remove</c>): the node
/// runs nothing any more (its resources moved away while it was leaving, or it was down).
/// </summary>
public sealed record SetMember(MemberRecord Member) : ConfigChange
{
    public override string Describe() => Member.State switch
    {
        MemberState.Joining => $"member {Member.Name} joining (raft {Member.RaftEndpoint}, api {Member.ApiEndpoint})",
        MemberState.Member => $"member {Member.Name} added (raft {Member.RaftEndpoint}, api {Member.ApiEndpoint})",
        MemberState.Leaving => $"member {Member.Name} leaving (resources move away)",
        _ => $"member {Member.Name} removed",
    };
}
