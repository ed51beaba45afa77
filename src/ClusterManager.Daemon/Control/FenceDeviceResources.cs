using System.Collections.Concurrent;
using ClusterManager.Agents;
using ClusterManager.Model;

namespace ClusterManager.Daemon.Control;

/// <summary>
/// The <c>stonith</c> class as the executor sees it (Pacemaker's execd hands these to the fencer): starting a
/// fence device registers it as usable from this node, stopping unregisters it, a monitor answers whether it is
/// registered. The fencer itself reads every device from the configuration, so fencing never waits for a device
/// resource to be started; the resource is the cluster's record of where the device is watched from.
/// </summary>
internal sealed class FenceDeviceResources(TimeProvider time, IResourceAgent next) : IResourceAgent
{
    /// <summary>The class name of fence devices.</summary>
    public const string StonithClass = "stonith";

    private readonly ConcurrentDictionary<ResourceId, byte> _started = new();

    public Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Agent.Class != StonithClass)
        {
            return next.ExecuteAsync(request, cancellationToken);
        }

        var rc = request.Action switch
        {
            AgentActions.Start => Register(request.ResourceId),
            AgentActions.Stop => Unregister(request.ResourceId),
            AgentActions.Monitor => _started.ContainsKey(request.ResourceId) ? OcfExitCode.Success : OcfExitCode.NotRunning,
            _ => OcfExitCode.Unimplemented,
        };
        return Task.FromResult(AgentResult.Of(rc, rc == OcfExitCode.Unimplemented ? ExecStatus.NotSupported : ExecStatus.Done,
            rc == OcfExitCode.Unimplemented ? $"fence devices have no {request.Action} action" : null, time.GetUtcNow(), TimeSpan.Zero));
    }

    private OcfExitCode Register(ResourceId id)
    {
        _started[id] = 0;
        return OcfExitCode.Success;
    }

    private OcfExitCode Unregister(ResourceId id)
    {
        _started.TryRemove(id, out _);
        return OcfExitCode.Success;
    }
}
