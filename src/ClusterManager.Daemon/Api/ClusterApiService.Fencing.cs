using ClusterManager.Api.V1;
using ClusterManager.Daemon.Control;
using ClusterManager.Fencing;
using ClusterManager.Model;
using Grpc.Core;

namespace ClusterManager.Daemon.Api;

/// <summary>
/// Fencing on request (<c>hactl stonith fence</c>), the fence history, and the checks of fencing changes that need
/// the live membership (which the pure store applier does not see).
/// </summary>
internal sealed partial class ClusterApiService
{
    /// <summary>How long a fencer that fenced the previous leader keeps trying to record the outcome with the next one.</summary>
    private static readonly TimeSpan RecordLimit = TimeSpan.FromSeconds(60);

    public override async Task<FenceNodeResponse> FenceNode(FenceNodeRequest request, ServerCallContext context)
    {
        var target = request.Target;
        var self = node.Options.NodeName;
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "fence: no target node given"));
        }

        if (node.KnownNodes.FirstOrDefault(n => n.Name == target) is not { } configured)
        {
            var names = string.Join(", ", node.KnownNodes.Where(n => !n.Witness).Select(n => n.Name));
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"fence: '{target}' is not a cluster node (nodes: {names})"));
        }

        if (configured.Witness)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"fence: '{target}' is a quorum witness: it runs no resources and is not fenced"));
        }

        var action = request.Off ? "off" : "reboot";
        var client = ProtoMapping.ClientOf(request.Author);
        var token = context.CancellationToken;
        var forwarded = context.RequestHeaders.Get(ForwardedHeader) is not null;
        var authorization = context.RequestHeaders.GetValue("authorization");
        if (target != self && node.IsLeader)
        {
            try
            {
                var fenced = await controller.FenceAndRecordAsync(new NodeName(target), action, client, token).ConfigureAwait(false);
                controller.Wake($"fence of {target} requested by {client}");
                return ToResponse(fenced);
            }
            catch (LeadershipLostException e)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"no quorum: the fence of {target} ran but could not be recorded ({e.Message})"));
            }
        }

        var leader = await LeaderNameAsync(token).ConfigureAwait(false);
        if (target != self && (leader is null || leader == target))
        {
            // The target is (or was) the leader: this node fences it and records the outcome with the next leader.
            if (leader is null && !forwarded)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: no leader is elected, so no fence is started"));
            }

            return await FenceHereAsync(target, action, client, authorization, token).ConfigureAwait(false);
        }

        if (forwarded)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"no quorum: the leader changed while the fence of {target} was forwarded; retry"));
        }

        // Another member must run it: the leader, or (when this node is the target and leads) any other available member.
        var via = leader is not null && leader != self
            ? leader
            : node.Members().Where(m => m.Name != self && m.Status == "available" && !IsWitness(m.Name)).Select(m => m.Name).FirstOrDefault();
        if (via is null || node.KnownNodes.FirstOrDefault(n => n.Name == via)?.ApiEndpoint is not { } api)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"fence: no other member is available to fence {target}"));
        }

        var headers = new Metadata { { ForwardedHeader, self } };
        if (authorization is not null)
        {
            headers.Add("authorization", authorization);
        }

        return await clients.For(api).FenceNodeAsync(request, headers, cancellationToken: token).ConfigureAwait(false);
    }

    public override Task<GetFenceHistoryResponse> GetFenceHistory(GetFenceHistoryRequest request, ServerCallContext context)
    {
        var response = new GetFenceHistoryResponse();
        var events = node.State.FenceHistory.AsEnumerable();
        if (request.HasNode && request.Node.Length > 0)
        {
            events = events.Where(e => string.Equals(e.Target.Value, request.Node, StringComparison.OrdinalIgnoreCase));
        }

        response.Events.AddRange(events.Select(ProtoMapping.ToProto));
        return Task.FromResult(response);
    }

    /// <summary>
    /// Refuses, before anything is proposed, a fencing level whose target node is neither a member nor a configured
    /// node (unless forced), and a manual confirmation of a node that answers the cluster.
    /// </summary>
    private void CheckFencingChanges(ApplyChangesRequest request)
    {
        var members = node.Members();
        var configured = node.State.Configuration.Nodes.Select(n => n.Name.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (target, force) in ProtoMapping.NodeTargets(request))
        {
            if (!force && !configured.Contains(target) && !node.KnownNodes.Any(n => string.Equals(n.Name, target, StringComparison.OrdinalIgnoreCase)))
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"node '{target}' is not a cluster node; use --force to add a fencing level for it anyway"));
            }
        }

        foreach (var target in ProtoMapping.Confirmations(request))
        {
            if (!node.KnownNodes.Any(n => n.Name == target && !n.Witness))
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"'{target}' is not a cluster node; nothing to confirm"));
            }

            if (target == node.Options.NodeName || members.Any(m => m.Name == target && m.Status == "available"))
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"node '{target}' is up: it answers the cluster, so it cannot be confirmed as fenced (stop it first, or use hactl stonith fence)"));
            }
        }
    }

    private async Task<FenceNodeResponse> FenceHereAsync(string target, string action, string client, string? authorization, CancellationToken token)
    {
        var self = node.Options.NodeName;
        var result = await runtime.FenceAsync(new NodeName(target), action == "off" ? FenceAction.Off : FenceAction.Reboot, token).ConfigureAwait(false);
        var fenced = new Store.FenceEvent(new NodeName(target), action, result.Succeeded, self, self, client,
            [.. result.ConfirmedBy.Select(d => d.Value)], time.GetUtcNow(), result.Message);
        LogFencedLeader(target, result.Succeeded, result.Message);
        var record = new ApplyChangesRequest { RequestId = $"fence-{Guid.NewGuid():N}", Author = $"fencer@{self}" };
        record.Changes.Add(new Change { RecordFence = ProtoMapping.ToProto(fenced) });
        var deadline = time.GetUtcNow() + RecordLimit;
        while (true)
        {
            try
            {
                await ApplyAsync(record, forwarded: false, authorization, token).ConfigureAwait(false);
                return ToResponse(fenced);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && time.GetUtcNow() < deadline)
            {
                // The cluster is electing the next leader (the previous one was just fenced); same request id.
                await Task.Delay(TimeSpan.FromMilliseconds(node.Options.LowerElectionTimeoutMs), time, token).ConfigureAwait(false);
            }
        }
    }

    private async Task<string?> LeaderNameAsync(CancellationToken token)
    {
        var leader = node.Leader ?? await node.WaitForLeaderAsync(
            TimeSpan.FromMilliseconds(2 * node.Options.UpperElectionTimeoutMs), token).ConfigureAwait(false);
        return leader is null ? null : node.Members().FirstOrDefault(m => m.RaftEndPoint.Equals(leader))?.Name;
    }

    private bool IsWitness(string name) => node.KnownNodes.Any(n => n.Name == name && n.Witness);

    private static FenceNodeResponse ToResponse(Store.FenceEvent fenced)
    {
        var response = new FenceNodeResponse
        {
            Success = fenced.Succeeded,
            Detail = fenced.Detail,
            ExecutedBy = fenced.ExecutedBy ?? "",
            CompletedUnixMs = fenced.Completed.ToUnixTimeMilliseconds(),
        };
        response.Devices.AddRange(fenced.Devices);
        return response;
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Fenced {Node} (the leader) on request: success={Success}: {Detail}")]
    private partial void LogFencedLeader(string node, bool success, string detail);
}
