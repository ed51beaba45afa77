using System.Collections.Concurrent;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Control;
using ClusterManager.Daemon.Raft;
using ClusterManager.Daemon.Security;
using ClusterManager.Daemon.Store;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterManager.Daemon.Api;

/// <summary>
/// The gRPC API. Writes on a follower are forwarded to the leader (its API endpoint from the node list), retried
/// while a new leader is elected, and fail fast with UNAVAILABLE "no quorum" when no leader with a majority
/// appears within two election timeouts; they never wait longer than the configured write timeout.
/// </summary>
internal sealed partial class ClusterApiService(
    RaftNode node, ForwardingClients clients, Controller controller, NodeRuntime runtime, TimeProvider time, ILogger<ClusterApiService> logger)
    : ClusterService.ClusterServiceBase
{
    /// <summary>Marks a forwarded request so that it is never forwarded twice.</summary>
    public const string ForwardedHeader = "cm-forwarded";

    public override Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var state = node.State;
        var leader = node.Leader;
        var members = node.Members();
        var response = new GetStatusResponse
        {
            LocalNode = node.Options.NodeName,
            Leader = leader is null ? "" : members.FirstOrDefault(m => m.RaftEndPoint.Equals(leader))?.Name ?? leader.ToString(),
            HasQuorum = node.HasQuorum,
            Epoch = state.Epoch,
            Term = node.Term,
            AppliedIndex = state.Index,
        };
        response.Members.AddRange(members.Select(m => new Member
        {
            Name = m.Name,
            RaftEndpoint = m.RaftEndPoint.ToString(),
            ApiEndpoint = m.ApiEndPoint,
            IsLeader = m.IsLeader,
            IsLocal = m.IsLocal,
            Status = m.Status,
        }));
        return Task.FromResult(response);
    }

    public override async Task<GetConfigurationResponse> GetConfiguration(GetConfigurationRequest request, ServerCallContext context)
    {
        if (request.Linearizable && !await node.ReadBarrierAsync(context.CancellationToken).ConfigureAwait(false))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: cannot confirm the configuration is current"));
        }

        var state = node.State;
        return new GetConfigurationResponse
        {
            Epoch = state.Epoch,
            Index = state.Index,
            CibXml = request.IncludeStatus
                // The feature set the controller's engine input carries, so a client computing the same view (hactl
                // status, simulate) counts per-operation fail counts as the controller does.
                ? CibFragments.WriteCib(state.Configuration, state.Status with { FeatureSet = state.Status.FeatureSet ?? Control.EngineSnapshot.FeatureSet }, state.Epoch)
                : CibFragments.WriteConfiguration(state.Configuration, state.Epoch),
        };
    }

    public override Task<GetHistoryResponse> GetHistory(GetHistoryRequest request, ServerCallContext context)
    {
        var history = node.State.History;
        var skip = request.Limit > 0 ? Math.Max(0, history.Count - request.Limit) : 0;
        var response = new GetHistoryResponse();
        response.Entries.AddRange(history.Skip(skip).Select(ProtoMapping.ToProto));
        return Task.FromResult(response);
    }

    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        await responseStream.WriteAsync(Event("initial"), token).ConfigureAwait(false);
        try
        {
            await foreach (var kind in node.Events.WatchAsync(token).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(Event(kind == StateEventKind.Store ? "store" : "leader"), token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client went away or the server is stopping.
        }
    }

    private WatchEvent Event(string kind)
    {
        var state = node.State;
        var leader = node.Leader;
        return new WatchEvent
        {
            Epoch = state.Epoch,
            AppliedIndex = state.Index,
            Leader = leader is null ? "" : node.Members().FirstOrDefault(m => m.RaftEndPoint.Equals(leader))?.Name ?? leader.ToString(),
            HasQuorum = node.HasQuorum,
            Kind = kind,
        };
    }

    public override Task<ApplyChangesResponse> ApplyChanges(ApplyChangesRequest request, ServerCallContext context) =>
        ApplyAsync(request, context.RequestHeaders.Get(ForwardedHeader) is not null, context.RequestHeaders.GetValue("authorization"), context.CancellationToken);

    /// <summary>
    /// Applies a batch on the leader, or forwards it there (once: <paramref name="forwarded"/> requests are not
    /// forwarded again), with the caller's <paramref name="authorization"/> header when it has one.
    /// </summary>
    private async Task<ApplyChangesResponse> ApplyAsync(ApplyChangesRequest request, bool forwarded, string? authorization, CancellationToken callToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(node.Options.WriteTimeoutMs));
        var token = timeout.Token;

        while (true)
        {
            try
            {
                if (node.IsLeader)
                {
                    return await ApplyAsLeaderAsync(request, token).ConfigureAwait(false);
                }

                if (forwarded)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: this node is no longer the leader"));
                }

                var leader = await node.WaitForLeaderAsync(
                    TimeSpan.FromMilliseconds(2 * node.Options.UpperElectionTimeoutMs), token).ConfigureAwait(false);
                if (leader is null)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: no leader is elected"));
                }

                if (node.IsLeader)
                {
                    continue;
                }

                var api = node.ApiEndPointOf(leader)
                    ?? throw new RpcException(new Status(StatusCode.Unavailable, $"no quorum: the leader {leader} has no API endpoint in the node list"));
                try
                {
                    var headers = new Metadata { { ForwardedHeader, node.Options.NodeName } };
                    if (authorization is not null)
                    {
                        // Token auth without TLS: the leader checks the caller's token; with TLS this node's certificate suffices.
                        headers.Add("authorization", authorization);
                    }

                    return await clients.For(api).ApplyChangesAsync(request, headers, cancellationToken: token).ConfigureAwait(false);
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && !token.IsCancellationRequested)
                {
                    // The leader died or stepped down: wait a little for the next one and try again; the request id
                    // makes the retry safe even when the first attempt committed.
                    LogForwardFailed(api, ex.Status.Detail);
                    await Task.Delay(TimeSpan.FromMilliseconds(node.Options.LowerElectionTimeoutMs / 2), time, token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (
                ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded }
                && timeout.IsCancellationRequested && !callToken.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: the change was not committed within the write timeout (outcome unknown; retry with the same request id)"));
            }
        }
    }

    private async Task<ApplyChangesResponse> ApplyAsLeaderAsync(ApplyChangesRequest request, CancellationToken token)
    {
        var (batch, errors) = ProtoMapping.ToBatch(request, time.GetUtcNow(), node.Options.NodeName);
        if (batch is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", errors)));
        }

        CheckFencingChanges(request);

        // Refuse early what the store would refuse, without a log entry; the apply decides in the end.
        var state = node.State;
        if (state.AppliedRequests.TryGetValue(batch.RequestId, out var epoch))
        {
            return new ApplyChangesResponse { Epoch = epoch, Index = state.Index, Duplicate = true };
        }

        var local = StoreApplier.Apply(state, batch, state.Index);
        ThrowIfRejected(local);

        var result = await node.ProposeAsync(batch, token).ConfigureAwait(false);
        switch (result)
        {
            case ProposeCommitted { Outcome: Applied applied } c:
                return new ApplyChangesResponse { Epoch = applied.State.Epoch, Index = c.Index };
            case ProposeCommitted { Outcome: Duplicate duplicate } c:
                return new ApplyChangesResponse { Epoch = duplicate.Epoch, Index = c.Index, Duplicate = true };
            case ProposeCommitted { Outcome: Rejected } c:
                ThrowIfRejected(c.Outcome);
                break;
            case ProposeNoQuorum n:
                throw new RpcException(new Status(StatusCode.Unavailable, n.Message));
            case ProposeNotLeader:
                throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: leadership changed before the change was proposed"));
        }

        throw new InvalidOperationException($"unexpected proposal result {result}");
    }

    private static void ThrowIfRejected(ApplyOutcome outcome)
    {
        if (outcome is Rejected r)
        {
            var code = r.Reason == RejectReason.EpochMismatch ? StatusCode.Aborted : StatusCode.FailedPrecondition;
            throw new RpcException(new Status(code, string.Join("; ", r.Errors)));
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Forwarding to the leader at {Api} failed ({Detail}); retrying")]
    private partial void LogForwardFailed(string api, string detail);
}

/// <summary>One gRPC channel per peer API endpoint, for forwarding writes to the leader.</summary>
internal sealed class ForwardingClients(NodeSecurity security) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public ClusterService.ClusterServiceClient For(string apiEndPoint) =>
        new(_channels.GetOrAdd(apiEndPoint, Create));

    /// <summary>The node-to-node service of the member whose API listens on <paramref name="apiEndPoint"/>.</summary>
    public NodeService.NodeServiceClient NodeFor(string apiEndPoint) =>
        new(_channels.GetOrAdd(apiEndPoint, Create));

    /// <summary>The membership service of the member whose API listens on <paramref name="apiEndPoint"/>.</summary>
    public MembershipService.MembershipServiceClient MembersFor(string apiEndPoint) =>
        new(_channels.GetOrAdd(apiEndPoint, Create));

    private GrpcChannel Create(string apiEndPoint)
    {
        if (security.Tls is not { } tls)
        {
            return GrpcChannel.ForAddress($"http://{apiEndPoint}");
        }

        // mTLS with this node's certificate: the leader accepts a peer's certificate as an API credential.
        var handler = new SocketsHttpHandler { SslOptions = tls.ClientOptions() };
        return GrpcChannel.ForAddress($"https://{apiEndPoint}", new GrpcChannelOptions { HttpHandler = handler });
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}
