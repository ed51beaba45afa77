using System.Net;
using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Store;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;

namespace ClusterManager.Daemon.Raft;

/// <summary>How a Raft membership change ended.</summary>
/// <param name="Succeeded">The new configuration is committed.</param>
/// <param name="NotLeader">This node is not (or no longer) the leader: nothing was done, or the outcome is unknown.</param>
/// <param name="Message">What happened, for the caller's error.</param>
public sealed record RaftMembershipResult(bool Succeeded, bool NotLeader, string Message);

/// <summary>
/// Membership: the node directory (static node list overlaid by the store's member records, see
/// <see cref="MemberDirectory"/>) that names members and gives their API endpoints, and the Raft membership
/// changes of <c>hactl cluster node add|remove</c> (DotNext's AddMemberAsync/RemoveMemberAsync on the leader: one
/// server at a time; an added server is caught up first).
/// </summary>
public sealed partial class RaftNode
{
    private DirectorySnapshot? _directory;

    /// <summary>Every node the directory knows, in every state (computed once per store state).</summary>
    public IReadOnlyList<DirectoryEntry> NodeDirectory
    {
        get
        {
            var state = State;
            if (Volatile.Read(ref _directory) is { } cached && ReferenceEquals(cached.State, state))
            {
                return cached.Entries;
            }

            var entries = MemberDirectory.Entries(_options.Nodes, state.Members);
            Volatile.Write(ref _directory, new DirectorySnapshot(state, entries));
            return entries;
        }
    }

    /// <summary>The cluster's nodes now (members and leaving ones; witnesses included): what <c>Nodes</c> was before.</summary>
    public IReadOnlyList<NodeAddress> KnownNodes =>
        [.. NodeDirectory.Where(e => e.State is MemberState.Member or MemberState.Leaving).Select(e => e.Node)];

    /// <summary>The Raft endpoints of the current Raft configuration as this node sees it.</summary>
    public IReadOnlyList<EndPoint> RaftMembers => _cluster is { } cluster ? [.. cluster.Members.Select(m => m.EndPoint)] : [];

    /// <summary>Completes once this node is part of the Raft configuration (at once on a member; a joining node waits to be added).</summary>
    public Task Readiness => _cluster?.Readiness ?? Task.Delay(Timeout.Infinite);

    /// <summary>The directory's node at <paramref name="raftEndPoint"/>.</summary>
    public NodeAddress? Lookup(EndPoint raftEndPoint) => MemberDirectory.ByRaftEndPoint(NodeDirectory, raftEndPoint)?.Node;

    /// <summary>
    /// Adds (catching it up first) or removes the member at <paramref name="endPoint"/> in the Raft configuration.
    /// Leader only; bounded by <paramref name="cancellationToken"/> and the leadership token.
    /// </summary>
    public async Task<RaftMembershipResult> ChangeRaftMembershipAsync(bool add, EndPoint endPoint, CancellationToken cancellationToken)
    {
        if (_cluster is not { } cluster || cluster.LeadershipToken.IsCancellationRequested)
        {
            return new RaftMembershipResult(false, true, "not the leader");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cluster.LeadershipToken);
        var verb = add ? "add" : "remove";
        try
        {
            LogMembershipChange(verb, endPoint.ToString()!);
            var done = add
                ? await cluster.AddMemberAsync(endPoint, linked.Token).ConfigureAwait(false)
                : await cluster.RemoveMemberAsync(endPoint, linked.Token).ConfigureAwait(false);
            LogMembershipChanged(verb, endPoint.ToString()!, done);
            return done
                ? new RaftMembershipResult(true, false, $"{verb}ed {endPoint}")
                : new RaftMembershipResult(false, false, add
                    ? $"the member at {endPoint} did not accept the log (is clusterd running there, started to join?)"
                    : $"{endPoint} is not in the Raft configuration");
        }
        catch (NotLeaderException)
        {
            return new RaftMembershipResult(false, true, "leadership moved during the membership change (outcome unknown: list the members and retry)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RaftMembershipResult(false, true, "leadership was lost during the membership change (outcome unknown: list the members and retry)");
        }
        catch (OperationCanceledException)
        {
            return new RaftMembershipResult(false, false, add
                ? $"the member at {endPoint} was not caught up and added in time (is clusterd running there, reachable on that address?)"
                : $"the removal of {endPoint} was not committed in time (outcome unknown: list the members and retry)");
        }
        catch (RaftCluster<RaftClusterMember>.ConcurrentMembershipModificationException)
        {
            return new RaftMembershipResult(false, false, "a membership change is already in progress");
        }
        catch (MemberUnavailableException e)
        {
            return new RaftMembershipResult(false, false, $"the member at {endPoint} is unreachable: {e.Message}");
        }
    }

    private sealed record DirectorySnapshot(StoreState State, IReadOnlyList<DirectoryEntry> Entries);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Join is set: the node list is not bootstrapped; a stored membership is used, else this node waits until the leader adds it")]
    private partial void LogJoining();

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Membership change: {Verb} {EndPoint}")]
    private partial void LogMembershipChange(string verb, string endPoint);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Membership change: {Verb} {EndPoint} done={Done}")]
    private partial void LogMembershipChanged(string verb, string endPoint, bool done);
}
