using System.Net;
using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Security;
using ClusterManager.Daemon.Store;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using DotNext.Net.Security;
using Microsoft.Extensions.Options;

namespace ClusterManager.Daemon.Raft;

/// <summary>A member as this node sees it.</summary>
public sealed record MemberView(string Name, EndPoint RaftEndPoint, string ApiEndPoint, bool IsLeader, bool IsLocal, string Status);

/// <summary>How a proposal ended on this node.</summary>
public abstract record ProposeResult;

/// <summary>Committed and applied; <see cref="Outcome"/> says whether it changed the store.</summary>
public sealed record ProposeCommitted(ApplyOutcome Outcome, long Index) : ProposeResult;

/// <summary>This node is not the leader (nothing was proposed); <see cref="Leader"/> is the known leader, if any.</summary>
public sealed record ProposeNotLeader(EndPoint? Leader) : ProposeResult;

/// <summary>Leadership or quorum was lost while waiting: the outcome is unknown (retry with the same request id).</summary>
public sealed record ProposeNoQuorum(string Message) : ProposeResult;

/// <summary>
/// One Raft member: the write-ahead log and store state machine in the data directory, the TCP transport, the
/// static bootstrap of the membership, and the leadership and quorum signals. Wraps DotNext.Net.Cluster 6.12 and
/// its traps (see docs in the daemon's README): ColdStart is off (a node with an empty membership never elects
/// itself alone), "am I leader" is the leadership token (the Leader property stays stale after a step-down), and
/// a broken log stops the process (<see cref="WalWatchdog"/>).
/// </summary>
public sealed partial class RaftNode(IOptions<ClusterdOptions> options, NodeSecurity security, StateEvents events, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ClusterdOptions _options = options.Value;
    private readonly ILogger _logger = loggerFactory.CreateLogger<RaftNode>();
    private RaftCluster? _cluster;
    private WriteAheadLog? _wal;
    private StoreStateMachine? _stateMachine;
    private EndPointStorage? _members;

    /// <summary>The store state after the last entry applied on this node (may lag the leader).</summary>
    public StoreState State => _stateMachine?.State ?? StoreState.Empty;

    public ClusterdOptions Options => _options;

    public bool IsStarted => _cluster is not null;

    /// <summary>True while this node leads with a majority (its leadership token is valid).</summary>
    public bool IsLeader => _cluster is { } c && !c.LeadershipToken.IsCancellationRequested;

    /// <summary>Cancelled when this node's leadership ends (already cancelled on a follower).</summary>
    public CancellationToken LeadershipToken => _cluster?.LeadershipToken ?? new CancellationToken(canceled: true);

    /// <summary>The known leader, or null. A local leader whose leadership token is cancelled does not count.</summary>
    public EndPoint? Leader
    {
        get
        {
            var leader = _cluster?.Leader;
            if (leader is null)
            {
                return null;
            }

            return leader.IsRemote || IsLeader ? leader.EndPoint : null;
        }
    }

    /// <summary>This node leads with a majority, or follows a leader it hears from.</summary>
    public bool HasQuorum => IsLeader || _cluster?.Leader is { IsRemote: true };

    public long Term => _wal is IPersistentState s ? s.Term : 0;

    internal WriteAheadLog? Wal => _wal;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var data = Directory.CreateDirectory(_options.DataDirectory);
        var self = ClusterdOptions.ParseEndPoint(_options.Self.RaftEndpoint);

        _members = new EndPointStorage(Path.Combine(data.FullName, "members"));
        var initial = _options.Nodes.Select(n => (EndPoint)ClusterdOptions.ParseEndPoint(n.RaftEndpoint)).ToList();
        if (_options.Join)
        {
            LogJoining();
        }
        else if (await _members.BootstrapAsync(initial, cancellationToken).ConfigureAwait(false))
        {
            LogBootstrapped(string.Join(", ", initial));
        }

        // Restore before the log is constructed, or the whole log is replayed over an empty state (DotNext G4).
        _stateMachine = new StoreStateMachine(
            Directory.CreateDirectory(Path.Combine(data.FullName, "snapshots")),
            _options.SnapshotInterval,
            events,
            loggerFactory.CreateLogger<StoreStateMachine>());
        await _stateMachine.RestoreAsync(cancellationToken).ConfigureAwait(false);

        _wal = new WriteAheadLog(
            new WriteAheadLog.Options
            {
                Location = Path.Combine(data.FullName, "wal"),
                ChunkSize = _options.WalChunkSize,
                HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.Crc32,
            },
            _stateMachine);

        var config = new RaftCluster.TcpConfiguration(self)
        {
            LowerElectionTimeout = _options.LowerElectionTimeoutMs,
            UpperElectionTimeout = _options.UpperElectionTimeoutMs,
            RequestTimeout = TimeSpan.FromMilliseconds(_options.RequestTimeoutMs),
            ConnectTimeout = TimeSpan.FromMilliseconds(_options.ConnectTimeoutMs),
            HeartbeatThreshold = _options.HeartbeatThreshold,
            ColdStart = false,
            ConfigurationStorage = _members,
            LoggerFactory = loggerFactory,
            SslOptions = security.Tls is { } tls
                ? new SslOptions { ServerOptions = tls.ServerOptions(), ClientOptions = tls.ClientOptions() }
                : null,
        };
        config.Metadata["name"] = _options.NodeName;
        config.Metadata["api"] = _options.Self.ApiEndpoint;

        _cluster = new RaftCluster(config) { AuditTrail = _wal };
        _cluster.LeaderChanged += OnLeaderChanged;
        await _cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(_options.NodeName, self.ToString(), State.Index, State.Epoch);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_cluster is { } cluster)
        {
            cluster.LeaderChanged -= OnLeaderChanged;
            await cluster.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is { } cluster)
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
        }

        if (_wal is { } wal)
        {
            await wal.DisposeAsync().ConfigureAwait(false);
        }

        if (_stateMachine is { } sm)
        {
            await sm.DisposeAsync().ConfigureAwait(false);
        }

        _members?.Dispose();
    }

    /// <summary>
    /// Moves leadership to another member: resigns, then holds this node in DotNext's standby mode (it cannot be a
    /// candidate) until another member leads or <paramref name="timeout"/> passes, then reverts to normal mode. Plain
    /// resignation lets the old leader win the next election as often as anyone else (one in three on three nodes).
    /// Returns the new leader, or null when none was elected in time (no majority among the others).
    /// </summary>
    public async Task<EndPoint?> StepDownAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_cluster is not { } cluster)
        {
            return null;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                await ((ICluster)cluster).ResignAsync(limit.Token).ConfigureAwait(false);
                if (await cluster.EnableStandbyModeAsync(limit.Token).ConfigureAwait(false))
                {
                    break;
                }

                // A candidate (or leader) again between the two calls: resign once more.
                await Task.Delay(10, limit.Token).ConfigureAwait(false);
            }

            try
            {
                while (cluster.Leader is not { IsRemote: true })
                {
                    await Task.Delay(10, limit.Token).ConfigureAwait(false);
                }

                return cluster.Leader?.EndPoint;
            }
            finally
            {
                await cluster.RevertToNormalModeAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a leader; null when none was elected in time.</summary>
    public async Task<EndPoint?> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Leader is { } known)
        {
            return known;
        }

        if (_cluster is not { } cluster)
        {
            return null;
        }

        try
        {
            await cluster.WaitForLeaderAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }

        return Leader;
    }

    /// <summary>
    /// Proposes <paramref name="batch"/> as one log entry when this node is the leader, and waits until it is
    /// committed and applied here. Bounded by <paramref name="cancellationToken"/> and by the leadership token, so
    /// losing quorum ends the wait at once (with an unknown outcome: the entry may still commit later, trap G8).
    /// </summary>
    public async Task<ProposeResult> ProposeAsync(ChangeBatch batch, CancellationToken cancellationToken)
    {
        if (_cluster is not { } cluster)
        {
            return new ProposeNoQuorum("no quorum: clusterd is starting");
        }

        var leadership = cluster.LeadershipToken;
        if (leadership.IsCancellationRequested)
        {
            return new ProposeNotLeader(Leader);
        }

        var ticket = new ApplyTicket();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leadership);
        try
        {
            await cluster.ReplicateAsync(StoreCodec.EncodeBatch(batch), ticket, linked.Token).ConfigureAwait(false);
        }
        catch (NotLeaderException)
        {
            return new ProposeNoQuorum("no quorum: leadership lost before the change committed (outcome unknown; retry with the same request id)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProposeNoQuorum("no quorum: leadership lost before the change committed (outcome unknown; retry with the same request id)");
        }

        if (ticket.Outcome is { } outcome)
        {
            return new ProposeCommitted(outcome, ticket.Index);
        }

        // The entry committed but reached the state machine without its context (for example re-read from disk):
        // the replicated request ids still tell whether it was applied.
        var state = State;
        return state.AppliedRequests.TryGetValue(batch.RequestId, out var epoch)
            ? new ProposeCommitted(new Duplicate(state, epoch), state.Index)
            : new ProposeNoQuorum("the change committed but its outcome is not known here (retry with the same request id)");
    }

    /// <summary>Waits until this node has applied everything the leader had committed when asked (a read barrier).</summary>
    public async Task<bool> ReadBarrierAsync(CancellationToken cancellationToken)
    {
        if (_cluster is not { } cluster)
        {
            return false;
        }

        try
        {
            await cluster.ApplyReadBarrierAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (QuorumUnreachableException)
        {
            return false;
        }
        catch (NotLeaderException)
        {
            return false;
        }
        catch (MemberUnavailableException)
        {
            // A follower whose leader went away.
            return false;
        }
    }

    /// <summary>Every member with its name and API endpoint from the node directory (unknown members by endpoint).</summary>
    public IReadOnlyList<MemberView> Members()
    {
        if (_cluster is not { } cluster)
        {
            return [];
        }

        var leader = Leader;
        return [.. cluster.Members.Select(m =>
        {
            var node = Lookup(m.EndPoint);
            return new MemberView(
                node?.Name ?? m.EndPoint.ToString()!,
                m.EndPoint,
                node?.ApiEndpoint ?? "",
                leader is not null && leader.Equals(m.EndPoint),
                !m.IsRemote,
                m.Status switch
                {
                    ClusterMemberStatus.Available => "available",
                    ClusterMemberStatus.Unavailable => "unavailable",
                    _ => "unknown",
                });
        }).OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    /// <summary>The API endpoint of the member at <paramref name="raftEndPoint"/>, from the node directory.</summary>
    public string? ApiEndPointOf(EndPoint raftEndPoint) => Lookup(raftEndPoint)?.ApiEndpoint;

    /// <summary>Change notifications (store applied, leader changed) for watchers.</summary>
    public StateEvents Events => events;

    private void OnLeaderChanged(ICluster cluster, IClusterMember? leader)
    {
        events.Publish(StateEventKind.Leader);
        if (leader is null)
        {
            LogNoLeader();
        }
        else
        {
            LogLeader(ApiEndPointOf(leader.EndPoint) is { } api ? NameOf(leader.EndPoint) : leader.EndPoint.ToString()!, leader.IsRemote ? "remote" : "local", Term);
        }
    }

    private string NameOf(EndPoint ep) => Lookup(ep)?.Name ?? ep.ToString()!;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Membership bootstrapped with {Members}")]
    private partial void LogBootstrapped(string members);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Node {Node} started on {EndPoint} at index {Index}, epoch {Epoch}")]
    private partial void LogStarted(string node, string endPoint, long index, long epoch);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Leader is {Leader} ({Locality}), term {Term}")]
    private partial void LogLeader(string leader, string locality, long term);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "No leader: this node has no quorum")]
    private partial void LogNoLeader();
}
