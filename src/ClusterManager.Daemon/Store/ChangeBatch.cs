using System.Collections.Immutable;

namespace ClusterManager.Daemon.Store;

/// <summary>
/// One replicated command: a batch of changes applied all-or-nothing as one Raft entry. <see cref="RequestId"/>
/// makes it idempotent (a retried id is applied once, see <see cref="StoreApplier"/>); <see cref="ExpectedEpoch"/>
/// makes it a compare-and-set when given. <see cref="Timestamp"/> is set by the node that proposed it, so every node
/// records the same time.
/// </summary>
public sealed record ChangeBatch(
    string RequestId,
    string Author,
    DateTimeOffset Timestamp,
    long? ExpectedEpoch,
    ImmutableArray<ConfigChange> Changes);
