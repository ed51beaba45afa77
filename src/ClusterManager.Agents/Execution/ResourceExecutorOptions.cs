namespace ClusterManager.Agents.Execution;

/// <summary>Limits of the node executor.</summary>
public sealed class ResourceExecutorOptions
{
    /// <summary>
    /// How many operations on different resources may run at once (Pacemaker's <c>node-action-limit</c>;
    /// its default is twice the number of cores).
    /// </summary>
    public int MaxParallelOperations { get; set; } = Math.Max(2, 2 * Environment.ProcessorCount);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad setting.</summary>
    public void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallelOperations, 1, nameof(MaxParallelOperations));
}
