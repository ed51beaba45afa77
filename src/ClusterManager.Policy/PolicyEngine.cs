using ClusterManager.Model;

namespace ClusterManager.Policy;

/// <summary>
/// The policy engine: a pure, deterministic function from a cluster snapshot to a transition, with Pacemaker's
/// scheduling semantics. No clock, I/O, randomness or threads: the same snapshot always gives the same transition.
/// </summary>
public static class PolicyEngine
{
    /// <summary>Computes the transition for <paramref name="snapshot"/>.</summary>
    /// <exception cref="PolicyInputException">The snapshot is inconsistent (e.g. a resource id is used twice).</exception>
    public static Transition Compute(ClusterSnapshot snapshot) => Compute(snapshot, PolicyOptions.Default);

    /// <summary>Computes the transition for <paramref name="snapshot"/> with the given output options.</summary>
    /// <exception cref="PolicyInputException">The snapshot is inconsistent (e.g. a resource id is used twice).</exception>
    public static Transition Compute(ClusterSnapshot snapshot, PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        return new Scheduling.Scheduler(snapshot, options).Run();
    }
}

/// <summary>What the engine puts in a transition beyond the decisions themselves.</summary>
/// <param name="IncludeScores">
/// Fill <see cref="Transition.Scores"/> with every resource's score on every node (as <c>crm_simulate -s</c>):
/// one entry per resource and node, so off by default; placements carry their reasons either way.
/// </param>
public sealed record PolicyOptions(bool IncludeScores = false)
{
    public static readonly PolicyOptions Default = new();
}

/// <summary>The snapshot cannot be scheduled: the message names the element and the problem.</summary>
public sealed class PolicyInputException(string message) : Exception(message);
