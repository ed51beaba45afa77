using System.Buffers;
using ClusterManager.Daemon.Store;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace ClusterManager.Daemon.Raft;

/// <summary>
/// Carries the outcome of a proposed batch back to its proposer: passed as the context of
/// <c>ReplicateAsync</c>, filled in by <see cref="StoreStateMachine"/> when the leader applies the entry.
/// </summary>
internal sealed class ApplyTicket
{
    public ApplyOutcome? Outcome { get; set; }

    public long Index { get; set; }
}

/// <summary>
/// The Raft state machine of the store: decodes each committed entry and applies it with the pure
/// <see cref="StoreApplier"/>. Membership entries are skipped (DotNext 6.12 hands them to the state machine, with
/// payload, when the log is replayed: trap B3). A snapshot is the encoded <see cref="StoreState"/>.
/// </summary>
internal sealed partial class StoreStateMachine(DirectoryInfo location, int snapshotInterval, StateEvents events, ILogger<StoreStateMachine> logger)
    : SimpleStateMachine(location)
{
    private volatile StoreState _state = StoreState.Empty;
    private long _lastSnapshotIndex;

    /// <summary>The state after the last applied entry. Replaced atomically, never mutated.</summary>
    public StoreState State => _state;

    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        var state = _state;
        if (entry.IsConfiguration || !entry.TryGetPayload(out var payload) || payload.IsEmpty)
        {
            // No-op barrier of a new leader, or a membership entry: nothing for the store but the index.
            _state = state with { Index = Math.Max(state.Index, entry.Index) };
            return new(TakeSnapshot(entry.Index));
        }

        ApplyOutcome outcome;
        try
        {
            var batch = StoreCodec.DecodeBatch(payload.ToArray());
            outcome = StoreApplier.Apply(state, batch, entry.Index);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Deterministic on every node: the same bytes fail the same way, so skipping keeps the replicas equal.
            LogUndecodable(entry.Index, ex.Message);
            outcome = new Rejected(state with { Index = Math.Max(state.Index, entry.Index) }, RejectReason.Invalid, [$"undecodable log entry: {ex.Message}"]);
        }

        _state = outcome.State;
        if (outcome is Applied)
        {
            events.Publish(StateEventKind.Store);
        }

        if (outcome is Rejected r)
        {
            LogRejected(entry.Index, string.Join("; ", r.Errors));
        }

        if (entry.Context is ApplyTicket ticket)
        {
            ticket.Outcome = outcome;
            ticket.Index = entry.Index;
        }

        return new(TakeSnapshot(entry.Index));
    }

    private bool TakeSnapshot(long index)
    {
        if (index - _lastSnapshotIndex < snapshotInterval)
        {
            return false;
        }

        _lastSnapshotIndex = index;
        return true;
    }

    protected override ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token) =>
        writer.Invoke(StoreCodec.EncodeState(_state), token);

    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        var bytes = await File.ReadAllBytesAsync(snapshotFile.FullName, token).ConfigureAwait(false);
        var state = StoreCodec.DecodeState(bytes);
        _state = state;
        _lastSnapshotIndex = state.Index;
        events.Publish(StateEventKind.Store);
        LogRestored(snapshotFile.Name, state.Index, state.Epoch);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Batch at index {Index} refused: {Errors}")]
    private partial void LogRejected(long index, string errors);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Log entry {Index} cannot be decoded, skipped on every node: {Error}")]
    private partial void LogUndecodable(long index, string error);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Store restored from snapshot {Snapshot}: index {Index}, epoch {Epoch}")]
    private partial void LogRestored(string snapshot, long index, long epoch);
}
