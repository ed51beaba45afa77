using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Daemon.Store;

/// <summary>
/// One fence operation as the fence history keeps it (Pacemaker's <c>stonith_admin --history</c>): the target, the
/// action, whether it was confirmed, which node ran the agents (<see cref="ExecutedBy"/>, Pacemaker's delegate;
/// <see cref="ManualDelegate"/> for an operator's manual confirmation), which node asked (<see cref="Origin"/>),
/// who asked (<see cref="Client"/>: the controller or a hactl user), the devices that confirmed it, when it ended,
/// and the fencer's message.
/// </summary>
public sealed record FenceEvent(
    NodeName Target,
    string Action,
    bool Succeeded,
    string? ExecutedBy,
    string Origin,
    string Client,
    ImmutableArray<string> Devices,
    DateTimeOffset Completed,
    string Detail)
{
    /// <summary>The delegate Pacemaker records for a manual confirmation (<c>stonith_admin --confirm</c>).</summary>
    public const string ManualDelegate = "a human";

    /// <summary>One line: "reboot of n2 successful: delegate=n1, client=controller, origin=n1".</summary>
    public string Describe() =>
        $"{Action} of {Target} {(Succeeded ? "successful" : "failed")}: delegate={ExecutedBy ?? "none"}, client={Client}, origin={Origin}"
        + (Devices.IsDefaultOrEmpty ? "" : $", devices={string.Join(',', Devices)}");
}

/// <summary>
/// Adds a fencing topology level (<c>pcs stonith level add</c>). An empty <see cref="FencingLevel.Id"/> is given
/// Pacemaker's form <c>fl-TARGET-INDEX</c>. Refused when the index is not 1-9, the target is not exactly one of node,
/// pattern or attribute=value, a device is not a stonith resource, or the target already has a level at that index.
/// </summary>
public sealed record AddFencingLevel(FencingLevel Level) : ConfigChange
{
    public override string Describe() =>
        $"add fencing level {Level.Index} for {StoreApplier.DescribeTarget(Level)}: {string.Join(',', Level.Devices.Select(d => d.Value))}"
        + (Level.Id.Length > 0 ? $" ({Level.Id})" : "");
}

/// <summary>Deletes a fencing topology level by id.</summary>
public sealed record DeleteFencingLevel(string Id) : ConfigChange
{
    public override string Describe() => $"delete fencing level {Id}";
}

/// <summary>
/// Records a fence operation in the fence history (kept to <see cref="StoreState.FenceHistoryLimit"/> events). When
/// it succeeded the target is known to run nothing: it is recorded down and its operation history erased, so its
/// resources can be recovered (a manual confirmation does the same, on the operator's word).
/// </summary>
public sealed record RecordFence(FenceEvent Event) : ConfigChange
{
    public override string Describe() =>
        Event.ExecutedBy == FenceEvent.ManualDelegate ? $"confirm {Event.Target} fenced (manual)" : $"record fence: {Event.Describe()}";
}

/// <summary>Forgets the fence history of one node, or of every node when <see cref="Node"/> is null.</summary>
public sealed record ClearFenceHistory(NodeName? Node) : ConfigChange
{
    public override string Describe() => Node is { } n ? $"clear fence history of {n}" : "clear fence history";
}
