using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Raft;
using ClusterManager.Model;
using ClusterManager.Policy;
using Microsoft.Extensions.Options;

namespace ClusterManager.Daemon.Control;

/// <summary>
/// no-quorum-policy on a node that has lost quorum (it has no leader, so no controller decides for it): after
/// <see cref="ResourceOptions.QuorumLossGraceMs"/> without quorum the node asks the policy engine what a partition
/// without quorum must do, from its last committed state, and carries out the actions that concern itself: with
/// <c>stop</c> (the default) every resource it runs is stopped in dependency order, <c>demote</c> demotes promoted
/// instances, <c>freeze</c> and <c>ignore</c> keep everything as it is. The stops finish within the election
/// timeout plus the agents' stop time, before the majority's leader recovers the resources elsewhere (which, without
/// fencing, waits <see cref="ResourceOptions.NodeLossDelayMs"/>). Once quorum is back the node announces itself
/// with a new boot id, so the leader re-probes it instead of trusting a history that no longer holds.
/// </summary>
internal sealed partial class QuorumGuard(RaftNode raft, NodeRuntime runtime, IOptions<ClusterdOptions> options, TimeProvider time, ILogger<QuorumGuard> logger)
    : BackgroundService
{
    private long _lastAppliedIndex = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var grace = TimeSpan.FromMilliseconds(options.Value.Resources.QuorumLossGraceMs);
        // A follower whose leader vanished may keep a stale Leader (DotNext 6.12, see the Raft notes), so quorum is
        // confirmed actively: the leader holds its leadership token, a follower passes a read barrier through the
        // leader. Unconfirmed for longer than the upper election timeout means lost.
        var detect = TimeSpan.FromMilliseconds(options.Value.UpperElectionTimeoutMs);
        long? confirmedAt = null;
        var applied = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, stoppingToken).ConfigureAwait(false);
                if (await ConfirmQuorumAsync(TimeSpan.FromMilliseconds(options.Value.RequestTimeoutMs), stoppingToken).ConfigureAwait(false))
                {
                    confirmedAt = time.GetTimestamp();
                    if (applied)
                    {
                        LogQuorumRegained();
                        runtime.Rejoin();
                        applied = false;
                    }

                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (applied || confirmedAt is null || time.GetElapsedTime(confirmedAt.Value) < detect + grace)
            {
                continue;
            }

            applied = true;
            try
            {
                await ApplyAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e);
            }
        }
    }

    private async Task<bool> ConfirmQuorumAsync(TimeSpan timeout, CancellationToken token)
    {
        if (!raft.IsStarted)
        {
            return false;
        }

        if (raft.IsLeader)
        {
            return true;
        }

        if (!raft.HasQuorum)
        {
            return false;
        }

        // Entries applied since the last check were committed by a majority and reached this node through the
        // leader: quorum holds. Under write load this is the common case, and the read barrier below (one round trip
        // through a busy leader) could take longer than the request timeout and stop a healthy node's resources.
        var index = raft.State.Index;
        if (index > _lastAppliedIndex)
        {
            var first = _lastAppliedIndex < 0;
            _lastAppliedIndex = index;
            if (!first)
            {
                return true;
            }
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(token);
        bounded.CancelAfter(timeout);
        try
        {
            // Bounded by WaitAsync as well: a barrier stuck in the transport must not stall the guard.
            return await raft.ReadBarrierAsync(bounded.Token).WaitAsync(timeout, time, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !token.IsCancellationRequested))
        {
            return false;
        }
    }

    private async Task ApplyAsync(CancellationToken token)
    {
        var state = raft.State;
        var self = new NodeName(options.Value.NodeName);
        var snapshot = EngineSnapshot.Build(state, options.Value, haveQuorum: false, self, time.GetUtcNow());
        var policy = snapshot.Configuration.Properties.SelectMany(s => s.Pairs).LastOrDefault(p => p.Name == "no-quorum-policy")?.Value ?? "stop";
        var transition = PolicyEngine.Compute(snapshot);
        var local = transition.Actions
            .Where(a => a.Runnable && a.Node == self && a.Detail is not null && a.Kind is ActionKind.Stop or ActionKind.Demote)
            .ToDictionary(a => a.Id);
        LogQuorumLost(policy, local.Count);
        var done = new HashSet<int>();
        while (done.Count < local.Count)
        {
            // Only this node's stops and demotes, in the order the graph gives them (inputs among themselves).
            var ready = local.Values.Where(a => !done.Contains(a.Id) && a.Inputs.All(i => done.Contains(i) || !local.ContainsKey(i) || Reaches(i, a.Id, local))).ToList();
            if (ready.Count == 0)
            {
                ready = [local.Values.Where(a => !done.Contains(a.Id)).OrderBy(a => a.Id).First()];
            }

            await Task.WhenAll(ready.Select(async a =>
            {
                var detail = a.Detail!;
                var request = new OperationRequest(a.Resource!.Value.Value, detail.HistoryId, detail.Agent, a.Kind == ActionKind.Stop ? "stop" : "demote",
                    TimeSpan.Zero, detail.Timeout, detail.Parameters, detail.Meta, 0, detail.Digest, $"{a.Id}:0:0:no-quorum");
                var result = await runtime.ExecuteAsync(request, token).ConfigureAwait(false);
                LogLocalAction(request.Action, request.Resource, result.Rc);
            })).ConfigureAwait(false);
            foreach (var a in ready)
            {
                done.Add(a.Id);
            }
        }
    }

    /// <summary>True when <paramref name="from"/> is itself waiting for <paramref name="to"/> (a cycle guard).</summary>
    private static bool Reaches(int from, int to, Dictionary<int, PlannedAction> actions) =>
        actions.TryGetValue(from, out var a) && a.Inputs.Contains(to);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Quorum lost: applying no-quorum-policy={Policy} ({Count} local actions)")]
    private partial void LogQuorumLost(string policy, int count);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Quorum regained: announcing a new boot id so the leader re-probes this node")]
    private partial void LogQuorumRegained();

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Without quorum: {Action} {Resource} rc={Rc}")]
    private partial void LogLocalAction(string action, string resource, int rc);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Applying no-quorum-policy failed")]
    private partial void LogFailed(Exception exception);
}
