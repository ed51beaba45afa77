using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using ClusterManager.Model;
using ClusterManager.Model.Status;

namespace ClusterManager.Policy;

/// <summary>What an action does.</summary>
public enum ActionKind
{
    Start,
    Stop,
    Monitor,
    /// <summary>A one-off monitor (interval 0) that finds out whether a resource is active on a node.</summary>
    Probe,
    Promote,
    Demote,
    /// <summary>
    /// The first half of a live migration, on the node the resource leaves (the agent's migrate_to; the detail's meta
    /// attributes name both nodes as migrate_source and migrate_target).
    /// </summary>
    MigrateTo,
    /// <summary>The second half of a live migration, on the node the resource arrives at (the agent's migrate_from).</summary>
    MigrateFrom,
    /// <summary>
    /// Apply changed parameters without a restart (Pacemaker's <c>reload-agent</c>; an agent before OCF 1.1 runs its
    /// <c>reload</c>). The detail carries the start's parameters and digest: the result is recorded as a start.
    /// </summary>
    Reload,
    /// <summary>Fence a node (reboot or off, see <see cref="PlannedAction.FenceAction"/>).</summary>
    Fence,
    /// <summary>Clear a resource's fail count on a node.</summary>
    ClearFailcount,
    /// <summary>Shut down the cluster software on a node that asked to leave.</summary>
    Shutdown,
    /// <summary>A marker with no work (group/clone running, stopped, ...): ordering only.</summary>
    Pseudo,
}

/// <summary>
/// One action of a transition. <see cref="Inputs"/> are the ids of the actions that must complete first.
/// An action that is not <see cref="Runnable"/> is never executed (and neither is anything that waits for it).
/// </summary>
public sealed record PlannedAction(
    int Id,
    ActionKind Kind,
    string Key,
    ResourceId? Resource,
    NodeName? Node,
    TimeSpan Interval,
    bool Runnable,
    string? FenceAction,
    string? Reason,
    ImmutableArray<int> Inputs)
{
    /// <summary>
    /// What an executor needs to run a resource action (agent, evaluated parameters, timeout, the rc that means
    /// success); null for fencing, pseudo actions and actions of stonith devices' bookkeeping.
    /// </summary>
    public ActionDetail? Detail { get; init; }
}

/// <summary>
/// The execution details of a resource action, as Pacemaker's transition graph carries them in an
/// <c>rsc_op</c>: the agent, the resource's instance attributes evaluated for the node (plus the operation's own),
/// the meta attributes the agent sees as <c>OCF_RESKEY_CRM_meta_*</c>, the operation timeout, the return code that
/// counts as success (7 for a probe, 8 for a monitor of the promoted role), the id under which the node's history
/// records the resource (an anonymous clone's instances share their primitive's id) and the parameter digest to
/// record with one-off operations, so a later change of parameters is recognised.
/// </summary>
public sealed record ActionDetail(
    string ResourceClass,
    string? Provider,
    string Type,
    string HistoryId,
    ImmutableSortedDictionary<string, string> Parameters,
    ImmutableSortedDictionary<string, string> Meta,
    TimeSpan Timeout,
    int ExpectedRc,
    bool Recurring)
{
    // Computed when first asked for (an executor asks once per operation it runs; hactl simulate never does), and
    // kept beside the record rather than in it, so that record equality stays over the fields above.
    private static readonly ConditionalWeakTable<ActionDetail, string> Digests = [];

    /// <summary>The agent as Pacemaker prints it: <c>ocf:heartbeat:IPaddr2</c>, <c>systemd:haproxy</c>.</summary>
    public string Agent => Provider is null ? $"{ResourceClass}:{Type}" : $"{ResourceClass}:{Provider}:{Type}";

    /// <summary>
    /// The parameter digest to record with the operation (<c>op-digest</c>): of <see cref="Parameters"/>, and for a
    /// recurring operation also of its timeout (<c>CRM_meta_timeout</c>, in milliseconds), as Pacemaker computes it.
    /// </summary>
    public string Digest => Digests.GetValue(this, static d => ParameterDigest.Compute(d.Recurring
        ? d.Parameters.SetItem("CRM_meta_timeout", ((long)d.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))
        : d.Parameters));
}

/// <summary>The kind of a line of the transition summary (crm_simulate's vocabulary).</summary>
public enum ChangeKind
{
    Start,
    Stop,
    Move,
    Restart,
    Recover,
    Promote,
    Demote,
    Migrate,
    Reload,
    RePromote,
    Fence,
}

/// <summary>
/// One line of the transition summary: what happens to a resource (or node, for fencing), from where to where,
/// why, and whether it is blocked. Text rendering is the caller's (<c>hactl simulate</c> prints crm_simulate's layout).
/// </summary>
public sealed record ResourceChange(
    ChangeKind Kind,
    string Subject,
    NodeName? From,
    NodeName? To,
    ResourceRole? FromRole,
    ResourceRole? ToRole,
    string? Reason,
    bool Blocked);

/// <summary>A resource's score on a node, as one row of <c>crm_simulate -s</c>.</summary>
public sealed record ScoreEntry(string Function, ResourceId Resource, NodeName Node, Score Score, bool Promotion);

/// <summary>Where a resource ends up and why ("why is WebIP on node2?").</summary>
public sealed record Placement(ResourceId Resource, ResourceRole Role, NodeName? Node, string Reason);

/// <summary>
/// The engine's answer for one snapshot: the actions with their ordering, the summary of changes, the current
/// and projected views of the cluster, the final placement with its reasons, and the score tables.
/// </summary>
public sealed record Transition(
    long SnapshotVersion,
    ClusterView Current,
    ClusterView Projected,
    ImmutableArray<PlannedAction> Actions,
    ImmutableArray<ResourceChange> Changes,
    ImmutableArray<Placement> Placements,
    ImmutableArray<ScoreEntry> Scores,
    ImmutableArray<string> Warnings);
