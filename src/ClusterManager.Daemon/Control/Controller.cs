using System.Collections.Immutable;
using System.Threading.Channels;
using ClusterManager.Daemon.Api;
using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Raft;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace ClusterManager.Daemon.Control;

/// <summary>
/// The controller (Pacemaker's DC): runs on the Raft leader, under its leadership token. On every change (a
/// committed configuration change from a client, a node's report, a change of membership, a timer) it records
/// membership, builds the snapshot, runs the policy engine and executes the transition: actions go to the nodes'
/// executors and fencers in dependency order, in parallel where the graph allows; every result is committed to the
/// replicated status before its dependents start. A newer event aborts the running transition: nothing new is
/// started, the actions in flight finish, and a new transition is computed. A deposed leader stops at once; a new
/// one first probes whatever the old one left pending, then carries on from the replicated status.
/// </summary>
internal sealed partial class Controller : BackgroundService
{
    private readonly RaftNode _raft;
    private readonly NodeRuntime _local;
    private readonly ForwardingClients _clients;
    private readonly ClusterdOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Controller> _logger;
    private readonly Channel<string> _wake = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<NodeName, long> _unavailableSince = [];
    private readonly EngineInputArchive _archive;
    private readonly Channel<(ImmutableArray<ConfigChange> Changes, TaskCompletionSource Done)> _queued =
        Channel.CreateUnbounded<(ImmutableArray<ConfigChange>, TaskCompletionSource)>();
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly string _author;
    private long _seenEpoch;
    private long _transitionNumber;

    public Controller(RaftNode raft, NodeRuntime local, ForwardingClients clients, IOptions<ClusterdOptions> options, TimeProvider time, ILogger<Controller> logger)
    {
        _raft = raft;
        _local = local;
        _clients = clients;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _author = "controller@" + _options.NodeName;
        _archive = new EngineInputArchive(Path.Combine(_options.DataDirectory, "pe-inputs"), _options.Resources.KeptEngineInputs);
        _transitionNumber = _archive.LastNumber();
        local.LocalReportSink = ReportAsync;
        local.LocalHelloSink = HelloAsync;
    }

    /// <summary>The engine inputs kept on this node (it wrote them while it led).</summary>
    public EngineInputArchive Archive => _archive;

    /// <summary>Wakes the controller (a change it must react to).</summary>
    public void Wake(string reason) => _wake.Writer.TryWrite(reason);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watcher = Task.Run(() => WatchStoreAsync(stoppingToken), CancellationToken.None);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!_raft.IsStarted || !_raft.IsLeader)
            {
                await WaitForWakeAsync(TimeSpan.FromMilliseconds(50), stoppingToken).ConfigureAwait(false);
                continue;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _raft.LeadershipToken);
            try
            {
                await LeadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                LogDeposed();
            }
            catch (LeadershipLostException e)
            {
                LogLeadershipLost(e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogControllerError(e);
                await WaitForWakeAsync(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
        }

        await watcher.ConfigureAwait(false);
    }

    private async Task LeadAsync(CancellationToken token)
    {
        LogLeading(_options.NodeName);
        _seenEpoch = _raft.State.Epoch;
        _unavailableSince.Clear();
        if (!await _raft.ReadBarrierAsync(token).ConfigureAwait(false))
        {
            throw new LeadershipLostException("the read barrier failed");
        }

        var leadingSince = _time.GetTimestamp();
        await ResolvePendingAsync(token).ConfigureAwait(false);
        var backoff = TimeSpan.Zero;
        var dirty = true;
        var computedAt = _time.GetTimestamp();
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var members = Availability();
            var state = _raft.State;
            if (!StartupSettled(members, state, _time.GetElapsedTime(leadingSince)))
            {
                await WaitForWakeAsync(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
                continue;
            }

            var fencing = FencingEnabled(state.Configuration);
            var membership = MembershipSync.Changes(state.Status, members, fencing, TimeSpan.FromMilliseconds(_options.Resources.NodeLossDelayMs));
            if (!membership.IsEmpty)
            {
                await ProposeAsync(membership, _author, token).ConfigureAwait(false);
                dirty = true;
                continue;
            }

            if (!dirty && _time.GetElapsedTime(computedAt) < RecheckInterval(state.Configuration))
            {
                // Idle: membership is polled every 20 ms (DotNext marks a member unavailable at its first failed
                // heartbeat); a committed change, a report or a leader change wakes the controller at once.
                dirty = await WaitForWakeAsync(TimeSpan.FromMilliseconds(20), token).ConfigureAwait(false);
                continue;
            }

            dirty = false;
            computedAt = _time.GetTimestamp();
            var snapshot = BuildSnapshot(_raft.State);
            var transition = PolicyEngine.Compute(snapshot);
            var work = transition.Actions.Count(a => a.Runnable && a.Kind != ActionKind.Pseudo);
            if (work == 0)
            {
                continue;
            }

            dirty = true;
            if (backoff > TimeSpan.Zero)
            {
                await WaitForWakeAsync(backoff, token).ConfigureAwait(false);
            }

            var number = ++_transitionNumber;
            _archive.Save(number, snapshot, transition);
            LogTransition(number, work, string.Join(", ", transition.Changes.Select(c => $"{c.Kind} {c.Subject}")));
            var outcome = await new TransitionRun(this, transition, number).RunAsync(token).ConfigureAwait(false);
            LogTransitionDone(number, outcome.Completed, outcome.Failed, outcome.Aborted);
            // After a failure the next transition waits a second unless something new happens (a report, a
            // membership or configuration change wakes it): an unreachable node must not spin the controller.
            backoff = outcome.Failed > 0 ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Like Pacemaker's dc-deadtime: before deciding anything, the new leader waits until every member has been
    /// seen once, or until the deadline passes (an unseen node is then fenced at start-up when fencing is on).
    /// </summary>
    private bool StartupSettled(IReadOnlyList<MemberAvailability> members, StoreState state, TimeSpan leading)
    {
        if (members.Any(m => m.Available is null))
        {
            return leading > DcDeadTime(state.Configuration);
        }

        return members.All(m => m.Available == true || state.Status.Nodes.Any(n => n.Name == m.Name))
               || leading > DcDeadTime(state.Configuration);
    }

    private static TimeSpan DcDeadTime(ClusterConfiguration configuration) =>
        Property(configuration, "dc-deadtime") is { } text && Durations.TryParse(text, out var value) ? value : TimeSpan.FromSeconds(20);

    private static bool FencingEnabled(ClusterConfiguration configuration) =>
        (Property(configuration, "fencing-enabled") ?? Property(configuration, "stonith-enabled")) is not { } value
        || value.ToLowerInvariant() is "true" or "yes" or "on" or "1" or "y";

    private static string? Property(ClusterConfiguration configuration, string name) =>
        configuration.Properties.SelectMany(s => s.Pairs).LastOrDefault(p => p.Name == name)?.Value;

    /// <summary>The members the engine schedules on (witnesses excluded) as this leader sees them now.</summary>
    private List<MemberAvailability> Availability()
    {
        var now = _time.GetTimestamp();
        var result = new List<MemberAvailability>();
        var views = _raft.Members();
        foreach (var node in _raft.KnownNodes.Where(n => !n.Witness))
        {
            var name = new NodeName(node.Name);
            var view = views.FirstOrDefault(v => v.Name == node.Name);
            bool? available = node.Name == _options.NodeName ? true : view?.Status switch
            {
                "available" => true,
                "unavailable" => false,
                _ => null,
            };
            if (available == false)
            {
                _unavailableSince.TryAdd(name, now);
            }
            else
            {
                _unavailableSince.Remove(name);
            }

            var down = _unavailableSince.TryGetValue(name, out var since) ? _time.GetElapsedTime(since, now) : TimeSpan.Zero;
            result.Add(new MemberAvailability(name, available, down));
        }

        return result;
    }

    /// <summary>The engine's input: the replicated state, with every scheduling member as a node, this node as DC.</summary>
    private ClusterSnapshot BuildSnapshot(StoreState state) =>
        EngineSnapshot.Build(state, _options, haveQuorum: true, new NodeName(_options.NodeName), _time.GetUtcNow());

    /// <summary>
    /// A new leader cannot know how operations the old one left pending ended: it probes each of them on its
    /// node and records what the probe finds, which replaces the pending record.
    /// </summary>
    private async Task ResolvePendingAsync(CancellationToken token)
    {
        var state = _raft.State;
        var snapshot = BuildSnapshot(state);
        foreach (var node in state.Status.Nodes.Where(n => n.InMembership == true))
        {
            foreach (var history in node.Resources.Where(h => h.Operations.Any(o => o.ExecStatus == -1)))
            {
                var primitive = snapshot.Configuration.AllPrimitives().FirstOrDefault(p => p.Id == history.Id || history.Id.Value.StartsWith(p.Id.Value + ":", StringComparison.Ordinal));
                if (primitive is null)
                {
                    continue;
                }

                var agent = primitive.Provider is null ? $"{primitive.Class}:{primitive.Type}" : $"{primitive.Class}:{primitive.Provider}:{primitive.Type}";
                var parameters = primitive.InstanceAttributes.SelectMany(s => s.Pairs).Where(p => p.Value is not null)
                    .GroupBy(p => p.Name).ToImmutableSortedDictionary(g => g.Key, g => g.First().Value!, StringComparer.Ordinal);
                var request = new OperationRequest(history.Id.Value, history.Id.Value, agent, "monitor", TimeSpan.Zero, TimeSpan.FromSeconds(20),
                    parameters, ImmutableSortedDictionary<string, string>.Empty, 7, "", $"0:0:7:{_options.NodeName}");
                LogResolvingPending(history.Id.Value, node.Name.Value);
                var result = await ExecuteOnAsync(node.Name, request, token).ConfigureAwait(false);
                if (result is not null)
                {
                    await ProposeAsync(OperationRecords.ChangesFor(result, node, startFailureIsFatal: true), _author, token).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>A node reported a changed recurring result (through the API, or locally when this node leads).</summary>
    internal async Task ReportAsync(ExecutedOperation op, CancellationToken cancellationToken)
    {
        if (!_raft.IsLeader)
        {
            throw new LeadershipLostException("not the leader");
        }

        var state = _raft.State;
        var node = state.Status.Nodes.FirstOrDefault(n => n.Name == op.Node);
        var recorded = node?.Resources.FirstOrDefault(h => h.Id.Value == op.Request.HistoryId)?.Operations
            .FirstOrDefault(o => o.Id == op.Request.OperationKey);
        if (recorded is not null && recorded.CallId >= op.CallId)
        {
            return;
        }

        if (node is null || node.InMembership != true)
        {
            // A result from a node the cluster does not count as a member (lost, being fenced): ignored.
            return;
        }

        await ProposeAsync(OperationRecords.ChangesFor(op, node, StartFailureIsFatal(state.Configuration)), _author, cancellationToken)
            .ConfigureAwait(false);
        Wake($"{op.Request.OperationKey} on {op.Node}: rc={op.Rc}");
    }

    /// <summary>A node's clusterd announced itself: when its boot id changed, its history is erased and re-probed.</summary>
    internal async Task HelloAsync(NodeName node, string bootId, CancellationToken cancellationToken)
    {
        if (!_raft.IsLeader)
        {
            throw new LeadershipLostException("not the leader");
        }

        if (_raft.KnownNodes.FirstOrDefault(n => n.Name == node.Value) is not { Witness: false })
        {
            // A witness, or not a member (joining, or removed but not yet stopped): nothing to record.
            return;
        }

        var recorded = _raft.State.Status.Nodes.FirstOrDefault(n => n.Name == node);
        if (recorded?.TransientAttributes.GetValueOrDefault(MembershipSync.BootAttribute) == bootId)
        {
            return;
        }

        LogRejoined(node.Value, bootId);
        await ProposeAsync(MembershipSync.Rejoined(node, bootId), _author, cancellationToken).ConfigureAwait(false);
        Wake($"{node} (re)joined");
    }

    private static bool StartFailureIsFatal(ClusterConfiguration configuration) =>
        Property(configuration, "start-failure-is-fatal") is not { } value || value.ToLowerInvariant() is "true" or "yes" or "on" or "1" or "y";

    /// <summary>Runs an operation on a node (locally, or through its NodeService); null when the node could not be reached.</summary>
    internal async Task<ExecutedOperation?> ExecuteOnAsync(NodeName node, OperationRequest request, CancellationToken token)
    {
        if (node.Value == _options.NodeName)
        {
            return await _local.ExecuteAsync(request, token).ConfigureAwait(false);
        }

        if (_raft.KnownNodes.FirstOrDefault(n => n.Name == node.Value) is not { } address)
        {
            return null;
        }

        try
        {
            var response = await _clients.NodeFor(address.ApiEndpoint)
                .ExecuteAsync(NodeProto.ToProto(request), deadline: _time.GetUtcNow().UtcDateTime + request.Timeout + TimeSpan.FromSeconds(10), cancellationToken: token)
                .ConfigureAwait(false);
            return NodeProto.FromProto(response.Result);
        }
        catch (RpcException e) when (!token.IsCancellationRequested)
        {
            LogNodeUnreachable(node.Value, request.OperationKey, e.Status.Detail);
            return null;
        }
    }

    /// <summary>
    /// Commits changes, returning once they are applied. Changes queued while a commit is in flight go together in
    /// the next batch (group commit: two hundred probe results are a handful of Raft entries, not two hundred).
    /// A lost leadership ends the leader's loop (<see cref="LeadershipLostException"/>).
    /// </summary>
    internal async Task ProposeAsync(ImmutableArray<ConfigChange> changes, string author, CancellationToken token)
    {
        if (changes.IsEmpty)
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queued.Writer.TryWrite((changes, done));
        await _commitGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var items = new List<(ImmutableArray<ConfigChange> Changes, TaskCompletionSource Done)>();
            while (items.Sum(i => i.Changes.Length) < 2000 && _queued.Reader.TryRead(out var item))
            {
                items.Add(item);
            }

            if (items.Count > 0)
            {
                try
                {
                    await ProposeBatchAsync([.. items.SelectMany(i => i.Changes)], author, token).ConfigureAwait(false);
                    items.ForEach(i => i.Done.TrySetResult());
                }
                catch (Exception e)
                {
                    items.ForEach(i => i.Done.TrySetException(e));
                }
            }
        }
        finally
        {
            _commitGate.Release();
        }

        await done.Task.WaitAsync(token).ConfigureAwait(false);
    }

    private async Task ProposeBatchAsync(ImmutableArray<ConfigChange> changes, string author, CancellationToken token)
    {
        var batch = new ChangeBatch(Guid.NewGuid().ToString("N"), author, _time.GetUtcNow(), null, changes);
        switch (await _raft.ProposeAsync(batch, token).ConfigureAwait(false))
        {
            case ProposeCommitted { Outcome: Rejected r }:
                // The controller's own changes are status changes that cannot be invalid; a refusal is a bug.
                LogRejected(string.Join("; ", r.Errors));
                break;
            case ProposeCommitted:
                break;
            case ProposeNotLeader:
                throw new LeadershipLostException("not the leader any more");
            case ProposeNoQuorum q:
                throw new LeadershipLostException(q.Message);
        }
    }

    /// <summary>
    /// How often the engine runs without any event: cluster-recheck-interval (Pacemaker's default 15 min), at most a
    /// minute so that failure-timeout and time-based rules take effect without delay worth mentioning.
    /// </summary>
    private static TimeSpan RecheckInterval(ClusterConfiguration configuration)
    {
        var value = Property(configuration, "cluster-recheck-interval") is { } text && Durations.TryParse(text, out var v) && v > TimeSpan.Zero
            ? v
            : TimeSpan.FromMinutes(15);
        return value < TimeSpan.FromMinutes(1) ? value : TimeSpan.FromMinutes(1);
    }

    internal Task<bool> WaitForWakeAsync(TimeSpan timeout, CancellationToken token) => WaitForWakeAsync(timeout, token, _wake.Reader);

    internal bool TryTakeWake(out string? reason) => _wake.Reader.TryRead(out reason);

    internal ValueTask<bool> WakeSignalled(CancellationToken token) => _wake.Reader.WaitToReadAsync(token);

    private static async Task<bool> WaitForWakeAsync(TimeSpan timeout, CancellationToken token, ChannelReader<string> reader)
    {
        if (reader.TryRead(out _))
        {
            return true;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(token);
        timer.CancelAfter(timeout);
        try
        {
            if (await reader.WaitToReadAsync(timer.Token).ConfigureAwait(false))
            {
                return reader.TryRead(out _);
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            // Timed out.
        }

        return false;
    }

    /// <summary>Wakes the controller for every committed batch that someone else than the controller wrote.</summary>
    private async Task WatchStoreAsync(CancellationToken token)
    {
        try
        {
            await foreach (var kind in _raft.Events.WatchAsync(token).ConfigureAwait(false))
            {
                if (kind == StateEventKind.Leader)
                {
                    Wake("leader or quorum changed");
                    continue;
                }

                // Only clients' batches advance the epoch (see StoreApplier.IsInternalAuthor); reports wake directly.
                var epoch = _raft.State.Epoch;
                if (Interlocked.Exchange(ref _seenEpoch, epoch) != epoch)
                {
                    Wake("configuration changed");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    internal NodeName Self => new(_options.NodeName);

    internal string Author => _author;

    internal StoreState State => _raft.State;

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Fencing of {Node}: success={Success}: {Detail}")]
    internal partial void LogFence(string node, bool success, string detail);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "Action {Action} on {Node} failed in the controller")]
    internal partial void LogActionError(string action, string node, Exception exception);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "The controller failed; it starts again")]
    private partial void LogControllerError(Exception exception);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Controller active on {Node}")]
    private partial void LogLeading(string node);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Controller stopped: leadership ended")]
    private partial void LogDeposed();

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Controller stopped: {Reason}")]
    private partial void LogLeadershipLost(string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Transition {Number}: {Count} actions ({Summary})")]
    private partial void LogTransition(long number, int count, string summary);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Transition {Number} ended: {Completed} completed, {Failed} failed, aborted={Aborted}")]
    private partial void LogTransitionDone(long number, int completed, int failed, bool aborted);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Node {Node} unreachable for {Operation}: {Reason}")]
    private partial void LogNodeUnreachable(string node, string operation, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Error, Message = "The store refused the controller's changes: {Errors}")]
    private partial void LogRejected(string errors);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Probing {Resource} on {Node}: the previous leader left an operation pending")]
    private partial void LogResolvingPending(string resource, string node);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "Node {Node} (re)joined with boot id {BootId}: its history is probed afresh")]
    private partial void LogRejoined(string node, string bootId);
}

/// <summary>Leadership ended while the controller was working (a write could not commit).</summary>
internal sealed class LeadershipLostException(string message) : Exception(message);
