using ClusterManager.Model;

namespace ClusterManager.Policy;

/// <summary>
/// The policy engine: a pure, deterministic function from a cluster snapshot to a transition, with Pacemaker's
/// scheduling semantics. No clock, I/O, randomness or threads: the same snapshot always gives the same transition.
/// </summary>
public static class PolicyEngine
{
    /// <summary>Computes the transition for <paramref name="snapshot"/>.</summary>
    /// <exception cref="PolicyInputException">The snapshot is inconsistent (e.g. a constraint names a missing resource).</exception>
    public static Transition Compute(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new Scheduling.Scheduler(snapshot).Run();
    }
}

/// <summary>The snapshot cannot be scheduled: the message names the element and the problem.</summary>
public sealed class PolicyInputException(string message) : Exception(message);
