using ClusterManager.Api.V1;
using ClusterManager.Daemon.Control;
using ClusterManager.Daemon.Raft;
using ClusterManager.Fencing;
using ClusterManager.Model;
using Grpc.Core;

namespace ClusterManager.Daemon.Api;

/// <summary>
/// The node-to-node service (node.proto): the leader's controller runs operations and fencing on this node;
/// nodes report changed recurring results to the leader (a follower forwards a report once).
/// </summary>
internal sealed class NodeApiService(NodeRuntime runtime, Controller controller, RaftNode raft, ForwardingClients clients)
    : NodeService.NodeServiceBase
{
    public override async Task<ExecuteResponse> Execute(ExecuteRequest request, ServerCallContext context)
    {
        var operation = NodeProto.FromProto(request);
        var result = await runtime.ExecuteAsync(operation, context.CancellationToken).ConfigureAwait(false);
        return new ExecuteResponse { Result = NodeProto.ToProto(result) };
    }

    public override async Task<FenceResponse> Fence(FenceRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Target))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "fence: no target node"));
        }

        var action = request.Action switch
        {
            "" or "reboot" => FenceAction.Reboot,
            "off" => FenceAction.Off,
            "on" => FenceAction.On,
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"fence: action '{request.Action}' is not reboot, off or on")),
        };
        var result = await runtime.FenceAsync(new NodeName(request.Target), action, context.CancellationToken).ConfigureAwait(false);
        return new FenceResponse { Success = result.Succeeded, Detail = result.Message, ExecutedBy = runtime.Name.Value };
    }

    public override async Task<ReportResponse> Report(ReportRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Node))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "report: no node"));
        }

        if (!raft.IsLeader)
        {
            if (context.RequestHeaders.Get(ClusterApiService.ForwardedHeader) is null && raft.Leader is { } leader && raft.ApiEndPointOf(leader) is { } api)
            {
                return await clients.NodeFor(api).ReportAsync(request, new Metadata { { ClusterApiService.ForwardedHeader, "1" } },
                    cancellationToken: context.CancellationToken).ConfigureAwait(false);
            }

            throw new RpcException(new Status(StatusCode.Unavailable, "no quorum: this node is not the leader and knows none"));
        }

        try
        {
            if (!string.IsNullOrEmpty(request.BootId))
            {
                await controller.HelloAsync(new NodeName(request.Node), request.BootId, context.CancellationToken).ConfigureAwait(false);
            }

            if (request.Result is { } result)
            {
                await controller.ReportAsync(NodeProto.FromProto(result), context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (LeadershipLostException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"no quorum: {e.Message}"));
        }

        return new ReportResponse();
    }

    public override Task<ListRecurringResponse> ListRecurring(ListRecurringRequest request, ServerCallContext context)
    {
        var response = new ListRecurringResponse();
        response.Operations.AddRange(runtime.RecurringOperations.Select(NodeProto.ToProto));
        return Task.FromResult(response);
    }

    public override Task<GetEngineInputResponse> GetEngineInput(GetEngineInputRequest request, ServerCallContext context)
    {
        var kept = controller.Archive.Kept();
        var number = request.Number == 0 && kept.Count > 0 ? kept[^1] : request.Number;
        if (controller.Archive.Read(number) is not { } xml)
        {
            var range = kept.Count == 0 ? "none is kept on this node (inputs are kept by the node that led)" : $"kept: {kept[0]}..{kept[^1]}";
            throw new RpcException(new Status(StatusCode.NotFound, $"engine input {request.Number} is not kept here; {range}"));
        }

        var response = new GetEngineInputResponse { Number = number, CibXml = xml };
        response.Kept.AddRange(kept);
        return Task.FromResult(response);
    }
}
