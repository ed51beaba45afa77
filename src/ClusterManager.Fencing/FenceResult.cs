using System.Collections.Immutable;
using ClusterManager.Fencing.Agents;
using ClusterManager.Model;

namespace ClusterManager.Fencing;

/// <summary>
/// One run of one device's agent during a fence operation. <see cref="Level"/> is the topology level, or null
/// when the target has no topology. <see cref="Attempt"/> counts from 1 (<c>pcmk_&lt;action&gt;_retries</c>).
/// </summary>
public sealed record FenceAttempt(
    int? Level,
    ResourceId Device,
    string Agent,
    string AgentAction,
    int Attempt,
    AgentRunOutcome Outcome,
    int? ExitCode,
    bool Succeeded,
    TimeSpan Delay,
    TimeSpan Duration,
    string Message);

/// <summary>
/// The outcome of fencing a node. <see cref="Succeeded"/> is true only when an agent exited 0 for the verified
/// off (or reboot) of every device of one level (or of one device, without topology): that is the confirmation
/// that lets the cluster recover the node's resources. A failure is a value, never an exception, and says why
/// in <see cref="Message"/>; every agent run is in <see cref="Attempts"/>.
/// </summary>
public sealed record FenceResult(
    NodeName Target,
    FenceAction Action,
    bool Succeeded,
    string Message,
    ImmutableArray<FenceAttempt> Attempts,
    DateTimeOffset StartedAt,
    TimeSpan Duration)
{
    /// <summary>The devices whose runs confirmed the fence (empty on failure).</summary>
    public ImmutableArray<ResourceId> ConfirmedBy { get; init; } = [];

    /// <summary>The topology level that succeeded, when the target has a topology.</summary>
    public int? SucceededLevel { get; init; }
}

/// <summary>Whether one device can fence one node, and how that was decided.</summary>
public sealed record DeviceCapability(ResourceId Device, string Agent, HostCheck Check, bool CanFence, string Reason);

/// <summary>The fencer: fences nodes through the configured devices and answers which devices can fence a node.</summary>
public interface IFencer
{
    /// <summary>
    /// Fences <paramref name="target"/>: through its topology levels in order, or else through each device that
    /// can fence it (highest <c>priority</c> first) until one succeeds. Returns a failed result when no device can
    /// fence the node or all fail. Throws <see cref="OperationCanceledException"/> only on cancellation.
    /// </summary>
    Task<FenceResult> FenceAsync(NodeName target, FenceAction action, CancellationToken cancellationToken);

    /// <summary>
    /// For each configured device, whether it can fence <paramref name="target"/> (static list, dynamic list by
    /// the agent's <c>list</c>, the agent's <c>status</c>, or none).
    /// </summary>
    Task<ImmutableArray<DeviceCapability>> QueryDevicesAsync(NodeName target, CancellationToken cancellationToken);
}
