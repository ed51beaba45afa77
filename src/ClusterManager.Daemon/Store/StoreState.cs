using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Status;

namespace ClusterManager.Daemon.Store;

/// <summary>One committed batch as the history shows it: when, who, what.</summary>
public sealed record HistoryEntry(
    long Epoch,
    long Index,
    string RequestId,
    string Author,
    DateTimeOffset Timestamp,
    ImmutableArray<string> Changes);

/// <summary>
/// The replicated store's whole state at Raft index <see cref="Index"/>: the configuration, its epoch (incremented
/// by every applied batch), the recently applied request ids (for idempotency), the recent history, and the
/// recorded resource status (the operation results the executors report, as the CIB's status section) and the fence
/// history. Immutable:
/// <see cref="StoreApplier.Apply"/> returns a new state.
/// </summary>
public sealed record StoreState(
    long Index,
    long Epoch,
    ClusterConfiguration Configuration,
    ImmutableDictionary<string, long> AppliedRequests,
    ImmutableList<string> RequestOrder,
    ImmutableList<HistoryEntry> History,
    ClusterStatus Status)
{
    /// <summary>How many request ids are remembered for de-duplication (oldest forgotten first).</summary>
    public const int RequestIdLimit = 10_000;

    /// <summary>How many history entries are kept (oldest dropped first).</summary>
    public const int HistoryLimit = 1_000;

    /// <summary>How many fence events are kept (oldest dropped first).</summary>
    public const int FenceHistoryLimit = 500;

    /// <summary>The fence history, oldest first (see <see cref="RecordFence"/>).</summary>
    public ImmutableList<FenceEvent> FenceHistory { get; init; } = [];

    /// <summary>The members recorded by <c>hactl cluster node add|remove</c> (see <see cref="MemberRecord"/>).</summary>
    public ImmutableList<MemberRecord> Members { get; init; } = [];

    public static readonly StoreState Empty = new(
        0,
        0,
        ClusterConfiguration.Empty,
        ImmutableDictionary.Create<string, long>(StringComparer.Ordinal),
        [],
        [],
        ClusterStatus.Empty);

    /// <summary>
    /// The snapshot the policy engine decides from, versioned by the Raft index of this state. Quorum and the
    /// designated controller are live facts of the caller (Raft), not replicated data, so they are passed in.
    /// </summary>
    public ClusterSnapshot ToClusterSnapshot(bool haveQuorum, NodeName? designatedController, DateTimeOffset now) =>
        new(Index, Configuration, Status with { HaveQuorum = haveQuorum, DesignatedController = designatedController }, now);
}
