using System.Collections.Immutable;
using ClusterManager.Daemon.Api;
using ClusterManager.Daemon.Store;
using ClusterManager.Fencing;
using ClusterManager.Model;
using Grpc.Core;

namespace ClusterManager.Daemon.Control;

/// <summary>How a fence ended: confirmed or not, the fencer's message, the node that ran the agents, the devices that confirmed it.</summary>
internal sealed record FenceOutcome(bool Success, string Detail, string? ExecutedBy, ImmutableArray<string> Devices);

/// <summary>The controller's fencing: from which member a fence runs, and recording the outcome in the fence history.</summary>
internal sealed partial class Controller
{
    /// <summary>The client recorded for fences the controller decides (recovery of a lost node).</summary>
    public const string ControllerClient = "controller";

    /// <summary>
    /// Fences <paramref name="target"/> from a member that runs fence agents (never the target itself; this node when
    /// it can, else the other available members in name order until one answers) and records the outcome in the
    /// fence history (a confirmed fence also records the node down, its history erased). Called by transitions and
    /// by the API (<c>hactl stonith fence</c>); the commit throws <see cref="LeadershipLostException"/> when this
    /// node is no longer the leader.
    /// </summary>
    internal async Task<FenceEvent> FenceAndRecordAsync(NodeName target, string action, string client, CancellationToken token)
    {
        var outcome = await FenceFromMemberAsync(target, action, token).ConfigureAwait(false);
        var fence = new FenceEvent(target, action, outcome.Success, outcome.ExecutedBy, _options.NodeName, client, outcome.Devices,
            _time.GetUtcNow(), outcome.Detail);
        await ProposeAsync([new RecordFence(fence)], _author, token).ConfigureAwait(false);
        LogFence(target.Value, outcome.Success, outcome.Detail);
        return fence;
    }

    private async Task<FenceOutcome> FenceFromMemberAsync(NodeName target, string action, CancellationToken token)
    {
        var fenceAction = action switch
        {
            "off" => FenceAction.Off,
            "on" => FenceAction.On,
            _ => FenceAction.Reboot,
        };

        // Availability as Raft sees it now (read-only: this also runs on API threads, beside the controller's loop).
        var views = _raft.Members();
        var candidates = _raft.KnownNodes
            .Where(n => !n.Witness && (n.Name != target.Value || fenceAction == FenceAction.On)
                        && (n.Name == _options.NodeName || views.Any(v => v.Name == n.Name && v.Status == "available")))
            // Unfencing runs on the target first: devices such as fence_scsi register the node's own key (on_target).
            .OrderBy(n => fenceAction == FenceAction.On && n.Name == target.Value ? 0 : 1)
            .ThenBy(n => n.Name == _options.NodeName ? 0 : 1)
            .ThenBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var executor in candidates)
        {
            if (executor.Name == _options.NodeName)
            {
                var result = await _local.FenceAsync(target, fenceAction, token).ConfigureAwait(false);
                return new FenceOutcome(result.Succeeded, result.Message, executor.Name, [.. result.ConfirmedBy.Select(d => d.Value)]);
            }

            try
            {
                var response = await _clients.NodeFor(executor.ApiEndpoint).FenceAsync(
                    new ClusterManager.Api.V1.FenceRequest { Target = target.Value, Action = action },
                    deadline: _time.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(3), cancellationToken: token).ConfigureAwait(false);
                var executedBy = response.ExecutedBy.Length > 0 ? response.ExecutedBy : executor.Name;
                return new FenceOutcome(response.Success, response.Detail, executedBy,
                    response.Success ? ProtoMapping.DevicesOf(response.Detail) : []);
            }
            catch (RpcException e) when (!token.IsCancellationRequested)
            {
                LogNodeUnreachable(executor.Name, $"fence {target}", e.Status.Detail);
            }
        }

        return new FenceOutcome(false, "no member that runs fence agents could be reached", null, []);
    }
}
