using System.Collections.Immutable;

namespace ClusterManager.Model.Status;

/// <summary>
/// The recorded status (the CIB's <c>status</c> section and the attributes of <c>&lt;cib&gt;</c>): quorum,
/// each node's membership and attributes, and each node's operation history. The engine derives the current
/// state of every resource from this history.
/// </summary>
public sealed record ClusterStatus(
    bool HaveQuorum,
    NodeName? DesignatedController,
    string? FeatureSet,
    bool NoQuorumPanic,
    ImmutableArray<NodeState> Nodes,
    ImmutableArray<TicketState> Tickets)
{
    public static readonly ClusterStatus Empty = new(true, null, null, false, [], []);
}

/// <summary>
/// A node's membership as recorded (<c>node_state</c>). Null means the field was absent. <see cref="Join"/> is
/// down, pending, member or banned; <see cref="Expected"/> is down or member.
/// </summary>
public sealed record NodeState(
    string Id,
    NodeName Name,
    bool? InMembership,
    bool? ControllerOnline,
    string? Join,
    string? Expected,
    ImmutableSortedDictionary<string, string> TransientAttributes,
    ImmutableArray<ResourceHistory> Resources);

/// <summary>A ticket's state (<c>ticket_state</c>).</summary>
public sealed record TicketState(string Id, bool Granted, bool Standby, long? LastGranted);

/// <summary>The operation history of one resource on one node (<c>lrm_resource</c>).</summary>
public sealed record ResourceHistory(
    ResourceId Id,
    string Class,
    string? Provider,
    string Type,
    string? Container,
    ImmutableArray<OperationRecord> Operations);

/// <summary>
/// One recorded operation result (<c>lrm_rsc_op</c>). <see cref="RcCode"/> is the OCF exit code,
/// <see cref="ExecStatus"/> Pacemaker's execution status (-1 pending, 0 done, 1 cancelled, 2 timeout,
/// 3 not supported, 4 error, 5 hard error, 6 fatal, 7 not installed, ...). <see cref="ExpectedRc"/> comes from
/// the transition key (7 for a probe that expects "not running"). Times are Unix epoch seconds.
/// </summary>
public sealed record OperationRecord(
    string Id,
    string OperationKey,
    string Operation,
    int CallId,
    int RcCode,
    int ExecStatus,
    TimeSpan Interval,
    int? ExpectedRc,
    string? TransitionKey,
    long? LastRcChange,
    long? LastRun,
    string? ExitReason,
    string? OpDigest,
    string? OnNode,
    string? MigrateSource,
    string? MigrateTarget,
    long? ExecTimeMs)
{
    /// <summary>
    /// <c>op-force-restart</c>: for an agent that can reload, the parameters a reload cannot apply, as
    /// <c>" a b "</c> (names between spaces). Recorded with one-off operations only.
    /// </summary>
    public string? ForceRestart { get; init; }

    /// <summary>
    /// <c>op-restart-digest</c>: the digest of the <see cref="ForceRestart"/> parameters. Its presence says the agent
    /// supports reloads: a change to other parameters is then applied by a reload instead of a restart.
    /// </summary>
    public string? RestartDigest { get; init; }
}
