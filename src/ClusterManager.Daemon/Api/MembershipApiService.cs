using System.Net;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Control;
using ClusterManager.Daemon.Raft;
using ClusterManager.Daemon.Store;
using ClusterManager.Model;
using ClusterManager.Policy;
using Grpc.Core;

namespace ClusterManager.Daemon.Api;

/// <summary>
/// <c>hactl cluster node add|remove</c> on the cluster side (proto/clustermanager/v1/members.proto). A change runs
/// on the leader (a follower forwards it once) and one at a time: the member is recorded in the replicated store
/// (so every node learns its name and API endpoint), then the Raft configuration changes. Every step is idempotent,
/// so a change interrupted by a leader change is completed by running it again.
/// </summary>
internal sealed partial class MembershipApiService(RaftNode node, ForwardingClients clients, TimeProvider time, ILogger<MembershipApiService> logger)
    : MembershipService.MembershipServiceBase
{
    private const string NotLeader = "no quorum: this node is no longer the leader";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    // One membership change at a time on this leader (DotNext also refuses concurrent Raft changes).
    private static readonly SemaphoreSlim Changes = new(1, 1);

    public override Task<ListMembersResponse> ListMembers(ListMembersRequest request, ServerCallContext context)
    {
        var response = new ListMembersResponse { HasQuorum = node.HasQuorum, Epoch = node.State.Epoch };
        response.Members.AddRange(Describe());
        response.Leader = response.Members.FirstOrDefault(m => m.IsLeader)?.Name ?? "";
        return Task.FromResult(response);
    }

    public override Task<MemberChangeResponse> AddMember(AddMemberRequest request, ServerCallContext context) =>
        RouteAsync(context, Limit(request.TimeoutSeconds), allowSecondHop: false,
            token => AddAsLeaderAsync(request, token),
            (client, headers, token) => client.AddMemberAsync(request, headers, cancellationToken: token).ResponseAsync);

    public override async Task<MemberChangeResponse> RemoveMember(RemoveMemberRequest request, ServerCallContext context)
    {
        var limit = Limit(request.TimeoutSeconds);
        var handedOver = false;
        if (request.Name == node.Options.NodeName && node.IsLeader)
        {
            // The leader does not remove itself (DotNext would demote it in the middle of the change): leadership
            // moves to another member, which runs the removal. Refused first if the rest could not have quorum.
            var raft = IPEndPoint.Parse(node.Options.Self.RaftEndpoint);
            CheckRemainingQuorum(request.Name, raft, node.RaftMembers, node.NodeDirectory);
            await HandOverLeadershipAsync(context.CancellationToken).ConfigureAwait(false);
            handedOver = true;
        }

        return await RouteAsync(context, limit, handedOver,
            token => RemoveAsLeaderAsync(request, limit, token),
            (client, headers, token) => client.RemoveMemberAsync(request, headers, cancellationToken: token).ResponseAsync).ConfigureAwait(false);
    }

    private static TimeSpan Limit(int seconds) => seconds > 0 ? TimeSpan.FromSeconds(seconds) : DefaultTimeout;

    /// <summary>Runs <paramref name="onLeader"/> here when this node leads, else forwards the call to the leader once.</summary>
    private async Task<MemberChangeResponse> RouteAsync(
        ServerCallContext context,
        TimeSpan limit,
        bool allowSecondHop,
        Func<CancellationToken, Task<MemberChangeResponse>> onLeader,
        Func<MembershipService.MembershipServiceClient, Metadata, CancellationToken, Task<MemberChangeResponse>> forward)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(limit + TimeSpan.FromSeconds(30));
        var token = timeout.Token;
        if (node.IsLeader)
        {
            return await onLeader(token).ConfigureAwait(false);
        }

        if (context.RequestHeaders.Get(ClusterApiService.ForwardedHeader) is not null && !allowSecondHop)
        {
            // Forwarded here as to the leader: a new leader's token is valid only once its first entry committed.
            var waited = time.GetTimestamp();
            while (!node.IsLeader && time.GetElapsedTime(waited) < TimeSpan.FromMilliseconds(2 * node.Options.UpperElectionTimeoutMs))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, token).ConfigureAwait(false);
            }

            return node.IsLeader
                ? await onLeader(token).ConfigureAwait(false)
                : throw new RpcException(new Status(StatusCode.Unavailable, NotLeader));
        }

        var leader = await node.WaitForLeaderAsync(TimeSpan.FromMilliseconds(2 * node.Options.UpperElectionTimeoutMs), token).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: no leader is elected"));
        if (node.IsLeader)
        {
            return await onLeader(token).ConfigureAwait(false);
        }

        var api = node.ApiEndPointOf(leader)
            ?? throw new RpcException(new Status(StatusCode.Unavailable, $"no quorum: the leader {leader} has no API endpoint in the node directory"));
        var headers = new Metadata { { ClusterApiService.ForwardedHeader, node.Options.NodeName } };
        if (context.RequestHeaders.GetValue("authorization") is { } authorization)
        {
            headers.Add("authorization", authorization);
        }

        var until = time.GetTimestamp();
        while (true)
        {
            try
            {
                return await forward(clients.MembersFor(api), headers, token).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !token.IsCancellationRequested
                                         && (e.Status.Detail == NotLeader || !e.Status.Detail.StartsWith("no quorum", StringComparison.Ordinal)))
            {
                // The leader's API does not answer (it died; a follower keeps naming it for a while): a new leader
                // is looked up until the write timeout, then "no quorum".
                if (time.GetElapsedTime(until) > TimeSpan.FromMilliseconds(node.Options.WriteTimeoutMs))
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, $"no quorum: the leader at {api} does not answer ({e.Status.Detail})"));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(node.Options.LowerElectionTimeoutMs / 2), time, token).ConfigureAwait(false);
                if (node.IsLeader)
                {
                    return await onLeader(token).ConfigureAwait(false);
                }

                leader = await node.WaitForLeaderAsync(TimeSpan.FromMilliseconds(2 * node.Options.UpperElectionTimeoutMs), token).ConfigureAwait(false)
                    ?? throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: no leader is elected"));
                api = node.ApiEndPointOf(leader) ?? api;
            }
        }
    }

    private async Task HandOverLeadershipAsync(CancellationToken token)
    {
        LogHandOver();
        var leader = await node.StepDownAsync(TimeSpan.FromMilliseconds(10 * node.Options.UpperElectionTimeoutMs), token).ConfigureAwait(false);
        if (leader is null || node.ApiEndPointOf(leader) is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"leadership could not be moved off {node.Options.NodeName} (no other member was elected): is a majority of the other members running?"));
        }
    }

    private async Task<MemberChangeResponse> AddAsLeaderAsync(AddMemberRequest request, CancellationToken token)
    {
        var name = request.Name;
        var raft = ParseEndPoint(name, "raft", request.RaftEndpoint);
        var api = ParseEndPoint(name, "api", request.ApiEndpoint);
        CheckName(name);
        if (raft.Equals(api))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"node {name}: the Raft and API endpoints are the same ({raft})"));
        }

        await EnterAsync(token).ConfigureAwait(false);
        try
        {
            var entries = node.NodeDirectory;
            var voting = node.RaftMembers.Any(m => m.Equals(raft));
            var existing = entries.FirstOrDefault(e => e.Node.Name == name);
            if (existing is { State: MemberState.Member or MemberState.Leaving })
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists,
                    $"node {name} is already a member (raft {existing.Node.RaftEndpoint}, api {existing.Node.ApiEndpoint})"));
            }

            foreach (var other in entries.Where(e => e.State != MemberState.Removed && e.Node.Name != name))
            {
                foreach (var used in new[] { other.Node.RaftEndpoint, other.Node.ApiEndpoint })
                {
                    if (IPEndPoint.TryParse(used, out var ep) && (ep.Equals(raft) || ep.Equals(api)))
                    {
                        throw new RpcException(new Status(StatusCode.FailedPrecondition, $"address {ep} is already used by node {other.Node.Name}"));
                    }
                }
            }

            var sameRecord = existing is { State: MemberState.Joining } && existing.Node.RaftEndpoint == raft.ToString() && existing.Node.ApiEndpoint == api.ToString();
            if (voting && !sameRecord)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{raft} is already in the Raft configuration (as an unnamed member)"));
            }

            if (request.Announce && !sameRecord)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"node {name} ({raft}) was not recorded as joining: add it with 'hactl cluster node add {name}' first"));
            }

            var author = Author(request.Author);
            if (!sameRecord)
            {
                await ProposeAsync(author, new SetMember(new MemberRecord(name, raft.ToString(), api.ToString(), MemberState.Joining)), token).ConfigureAwait(false);
            }

            if (request.RecordOnly)
            {
                return Response($"node {name} recorded (raft {raft}, api {api}); it joins once clusterd runs there");
            }

            if (!voting)
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
                limit.CancelAfter(Limit(request.TimeoutSeconds));
                var result = await node.ChangeRaftMembershipAsync(add: true, raft, limit.Token).ConfigureAwait(false);
                ThrowIfFailed(result, name);
            }

            await ProposeAsync(author, new SetMember(new MemberRecord(name, raft.ToString(), api.ToString(), MemberState.Member)), token).ConfigureAwait(false);
            LogAdded(name, raft.ToString(), author);
            return Response($"node {name} added (raft {raft}, api {api})");
        }
        finally
        {
            Changes.Release();
        }
    }

    private async Task<MemberChangeResponse> RemoveAsLeaderAsync(RemoveMemberRequest request, TimeSpan limit, CancellationToken token)
    {
        var name = request.Name;
        CheckName(name);
        await EnterAsync(token).ConfigureAwait(false);
        try
        {
            var entries = node.NodeDirectory;
            var raftMembers = node.RaftMembers;
            var entry = entries.FirstOrDefault(e => e.Node.Name == name);
            var raft = entry is not null && IPEndPoint.TryParse(entry.Node.RaftEndpoint, out var ep) ? ep : null;
            var voting = raft is not null && raftMembers.Any(m => m.Equals(raft));
            if (entry is null || raft is null || (entry.State == MemberState.Removed && !voting))
            {
                var names = string.Join(", ", entries.Where(e => e.State != MemberState.Removed).Select(e => e.Node.Name));
                throw new RpcException(new Status(StatusCode.NotFound, $"node {name} is not a member of the cluster (members: {names})"));
            }

            if (name == node.Options.NodeName)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: leadership changed while the removal was routed; retry"));
            }

            if (voting)
            {
                CheckRemainingQuorum(name, raft, raftMembers, entries);
            }

            var author = Author(request.Author);
            var record = new MemberRecord(name, entry.Node.RaftEndpoint, entry.Node.ApiEndpoint, MemberState.Leaving);
            if (entry.State is MemberState.Member or MemberState.Leaving)
            {
                if (entry.State == MemberState.Member)
                {
                    await ProposeAsync(author, new SetMember(record), token).ConfigureAwait(false);
                }

                if (await WaitDrainedAsync(name, limit, token).ConfigureAwait(false) is { } active)
                {
                    if (entry.State == MemberState.Member)
                    {
                        await ProposeAsync(author, new SetMember(record with { State = MemberState.Member }), token).ConfigureAwait(false);
                    }

                    throw new RpcException(new Status(StatusCode.FailedPrecondition,
                        $"resources are still active on {name} after {limit.TotalSeconds:0} s ({active}); nothing was removed"));
                }
            }

            if (entry.State != MemberState.Removed)
            {
                await ProposeAsync(author, new SetMember(record with { State = MemberState.Removed }), token).ConfigureAwait(false);
            }

            if (voting)
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(token);
                bounded.CancelAfter(limit);
                ThrowIfFailed(await node.ChangeRaftMembershipAsync(add: false, raft, bounded.Token).ConfigureAwait(false), name);
            }

            LogRemoved(name, raft.ToString(), author);
            return Response($"node {name} removed (raft {raft})");
        }
        finally
        {
            Changes.Release();
        }
    }

    /// <summary>Refuses a removal that would leave no member, only witnesses, or fewer answering members than a majority.</summary>
    private void CheckRemainingQuorum(string name, IPEndPoint raft, IReadOnlyList<EndPoint> raftMembers, IReadOnlyList<DirectoryEntry> entries)
    {
        var remaining = raftMembers.Where(m => !m.Equals(raft)).ToList();
        if (remaining.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"node {name} is the last member: a cluster cannot remove all its nodes (hactl cluster destroy)"));
        }

        var runners = entries.Count(e => e.State is MemberState.Member or MemberState.Leaving && !e.Node.Witness && e.Node.Name != name);
        if (runners == 0)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"removing {name} would leave only witnesses: no node could run resources"));
        }

        var views = node.Members();
        var answering = remaining.Count(m => views.Any(v => v.RaftEndPoint.Equals(m) && (v.IsLocal || v.Status == "available")));
        var majority = (remaining.Count / 2) + 1;
        if (answering < majority)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"removing {name} would leave {remaining.Count} members of which only {answering} answer (a majority is {majority}): no quorum; start or repair the others first"));
        }
    }

    /// <summary>Waits until the engine sees nothing active on <paramref name="name"/>; null then, else the active resources.</summary>
    private async Task<string?> WaitDrainedAsync(string name, TimeSpan limit, CancellationToken token)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var snapshot = EngineSnapshot.Build(node.State, node.Options, haveQuorum: true, new NodeName(node.Options.NodeName), time.GetUtcNow());
            var current = PolicyEngine.Compute(snapshot).Current;
            if (current.Nodes.FirstOrDefault(n => n.Name.Value == name) is not { HasActiveResources: true })
            {
                return null;
            }

            if (time.GetElapsedTime(started) >= limit)
            {
                return string.Join(", ", current.Resources.SelectMany(Primitives).Where(p => p.Nodes.Any(n => n.Value == name)).Select(p => p.Id.Value));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, token).ConfigureAwait(false);
        }
    }

    private static IEnumerable<PrimitiveView> Primitives(ResourceView view) => view switch
    {
        PrimitiveView p => [p],
        GroupView g => g.Members,
        CloneView c => c.Instances.SelectMany(Primitives),
        _ => [],
    };

    private async Task EnterAsync(CancellationToken token)
    {
        if (!await Changes.WaitAsync(TimeSpan.Zero, token).ConfigureAwait(false))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "a membership change is already in progress; retry when it has finished"));
        }
    }

    private async Task ProposeAsync(string author, ConfigChange change, CancellationToken token)
    {
        var batch = new ChangeBatch(Guid.NewGuid().ToString("N"), author, time.GetUtcNow(), null, [change]);
        if (StoreApplier.Apply(node.State, batch, node.State.Index) is Rejected refused)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, string.Join("; ", refused.Errors)));
        }

        switch (await node.ProposeAsync(batch, token).ConfigureAwait(false))
        {
            case ProposeCommitted { Outcome: Rejected r }:
                throw new RpcException(new Status(StatusCode.FailedPrecondition, string.Join("; ", r.Errors)));
            case ProposeCommitted:
                return;
            case ProposeNoQuorum n:
                throw new RpcException(new Status(StatusCode.Unavailable, n.Message));
            default:
                throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: leadership changed during the membership change (list the members and retry)"));
        }
    }

    private static void ThrowIfFailed(RaftMembershipResult result, string name)
    {
        if (!result.Succeeded)
        {
            throw new RpcException(new Status(result.NotLeader ? StatusCode.Unavailable : StatusCode.FailedPrecondition,
                result.NotLeader ? $"no quorum: {result.Message}" : $"node {name}: {result.Message}"));
        }
    }

    private static IPEndPoint ParseEndPoint(string name, string what, string value) =>
        IPEndPoint.TryParse(value ?? "", out var ep) && ep.Port > 0
            ? ep
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"node {name}: {what} endpoint '{value}' is not IP:port (host names are not accepted)"));

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '='))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{name}' is not a node name"));
        }
    }

    private static string Author(string author) => string.IsNullOrWhiteSpace(author) ? "hactl" : author;

    private MemberChangeResponse Response(string message)
    {
        var response = new MemberChangeResponse { Message = message };
        response.Members.AddRange(Describe());
        return response;
    }

    /// <summary>The directory with the Raft state: removed records only while still voting, unnamed voters by endpoint.</summary>
    private List<ClusterMember> Describe()
    {
        var raft = node.RaftMembers;
        var views = node.Members();
        var result = new List<ClusterMember>();
        foreach (var entry in node.NodeDirectory)
        {
            var ep = IPEndPoint.TryParse(entry.Node.RaftEndpoint, out var parsed) ? parsed : null;
            var voting = ep is not null && raft.Any(m => m.Equals(ep));
            if (entry.State == MemberState.Removed && !voting)
            {
                continue;
            }

            var view = ep is null ? null : views.FirstOrDefault(v => v.RaftEndPoint.Equals(ep));
            result.Add(new ClusterMember
            {
                Name = entry.Node.Name,
                RaftEndpoint = entry.Node.RaftEndpoint,
                ApiEndpoint = entry.Node.ApiEndpoint,
                State = entry.State.ToString().ToLowerInvariant(),
                Voting = voting,
                IsLeader = view?.IsLeader ?? false,
                Status = voting ? view?.Status ?? "unknown" : "",
                Witness = entry.Node.Witness,
                Configured = node.Options.Nodes.Any(n => n.Name == entry.Node.Name),
            });
        }

        foreach (var view in views.Where(v => result.All(m => m.RaftEndpoint != v.RaftEndPoint.ToString())))
        {
            result.Add(new ClusterMember
            {
                Name = view.Name,
                RaftEndpoint = view.RaftEndPoint.ToString()!,
                State = "member",
                Voting = true,
                IsLeader = view.IsLeader,
                Status = view.Status,
            });
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Member {Name} added at {EndPoint} by {Author}")]
    private partial void LogAdded(string name, string endPoint, string author);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Member {Name} at {EndPoint} removed by {Author}")]
    private partial void LogRemoved(string name, string endPoint, string author);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Removing the leader: handing leadership over")]
    private partial void LogHandOver();
}
