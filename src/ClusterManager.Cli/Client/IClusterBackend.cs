using ClusterManager.Api.V1;
using Grpc.Core;

namespace ClusterManager.Cli.Client;

/// <summary>
/// What a configuration command works on: the live cluster (<see cref="ClusterClient"/>, clusterd's API) or a CIB
/// file (<see cref="FileCluster"/>, pcs's <c>-f FILE</c>). Both read the configuration as a parsed CIB and apply
/// change batches all-or-nothing with the same validation; a refused batch is an <see cref="RpcException"/> whose
/// detail is clusterd's message (FAILED_PRECONDITION, or ABORTED when the expected epoch is not the current one).
/// What only a running cluster can do (fencing, history, waiting) is on <see cref="ClusterClient"/> alone.
/// </summary>
internal interface IClusterBackend : IDisposable
{
    /// <summary>Recorded as who made a change.</summary>
    string Author { get; }

    /// <summary>Membership and quorum (for a file: its nodes, its <c>have-quorum</c> and <c>dc-uuid</c>).</summary>
    Task<GetStatusResponse> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>The configuration, and with <paramref name="includeStatus"/> the recorded status, as a parsed CIB.</summary>
    Task<ClusterState> GetStateAsync(bool includeStatus, bool linearizable, CancellationToken cancellationToken);

    /// <summary>The state for display (see <see cref="ClusterClient.ReadStateAsync"/>).</summary>
    Task<ClusterState> ReadStateAsync(bool includeStatus, CancellationToken cancellationToken);

    /// <summary>A read-modify-write: <paramref name="plan"/> decides the changes from the state read; applied only on that state.</summary>
    Task<EditPlan> EditAsync(bool includeStatus, Func<ClusterState, EditPlan> plan, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="changes"/> as one batch (refused as a whole: <see cref="RpcException"/>).</summary>
    Task<ApplyChangesResponse> ApplyAsync(IEnumerable<Change> changes, long? expectedEpoch, CancellationToken cancellationToken);

    /// <summary>The message hactl prints for a failed call.</summary>
    string Describe(RpcException exception);
}

/// <summary>A command (or an option such as <c>--wait</c>) needs a running cluster, but hactl works on a file (<c>-f</c>).</summary>
/// <param name="what">What needs the cluster (<c>--wait</c>); null for the command itself.</param>
internal sealed class LiveClusterRequiredException(string? what = null)
    : Exception($"{what ?? "the command"} needs a running cluster; it cannot work on a file (-f)")
{
    /// <summary>What needs the cluster; null for the command itself.</summary>
    public string? What { get; } = what;

    /// <summary>The message naming <paramref name="command"/> when the command itself needs the cluster.</summary>
    public string MessageFor(string command) => $"{What ?? $"'{command}'"} needs a running cluster; it cannot work on a file (-f)";
}
